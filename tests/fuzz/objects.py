"""The small world the fuzz tests post into: one object of each kind, and a person for each role.

Built once per test module (inside a transaction rolled back at the end of the module, see ``conftest``); each
example runs in a savepoint of its own, so what one example writes is gone before the next one.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cittasmart.core.models import AccessibilityFeedback, SiteSettings
from cittasmart.core.roles import Role
from cittasmart.documents import services as document_services
from cittasmart.documents import services_news
from cittasmart.documents.demo_files import simple_pdf
from cittasmart.documents.models import AccessLevel, DocumentCategory
from cittasmart.meetings.models import RegistrationQuestion
from cittasmart.opendata import tokens
from cittasmart.opendata.models import ExportJob, ExportStatus
from cittasmart.participation import services as participation_services
from cittasmart.participation.models import Notification, NotificationSettings
from cittasmart.plan.models import BodyMember, Milestone
from cittasmart.survey.models import InvitationStatus, RecordKind, RecordStatus
from tests.factories import (
    ActionFactory,
    CommentFactory,
    GovernanceBodyFactory,
    IdeaFactory,
    IndicatorFactory,
    InvitationFactory,
    MeasurementFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
    PlanVersionFactory,
    ProcessFactory,
    RegistrationFactory,
    SurveyRecordFactory,
    SurveyRoundFactory,
    TourFactory,
    UserFactory,
    WorkingGroupFactory,
    publish,
)


@dataclass
class World:
    actors: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    secrets: dict = field(default_factory=dict)

    def actor(self, role: str):
        return AnonymousUser() if role == "anonymous" else self.actors[role]

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _ensure_document_categories() -> None:
    """The categories a migration creates (a database flushed by a transactional test lacks them)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cittasmart.documents.migrations.0002_default_categories")
    migration.create(apps, None)


def build_world() -> World:
    world = World()
    objects = world.objects
    # The site's settings row is written by the first page that is shown: write it now, not in an example.
    SiteSettings.objects.update_or_create(pk=1, defaults={"entity_name": "Comune di Prato"})
    today = timezone.localdate()

    # --- People and organisations ------------------------------------------------------------------------
    organisation = OrganisationFactory(name="Organisation A", slug="organisation-a")
    other = OrganisationFactory(name="Organisation B", slug="organisation-b")
    uninvited = OrganisationFactory(name="Organisation C", slug="organisation-c")
    objects.update(organisation=organisation, other_organisation=other, uninvited_organisation=uninvited)
    actors = world.actors
    actors["citizen"] = UserFactory(display_name="Citizen")
    actors["other_citizen"] = UserFactory(display_name="Other citizen")
    actors["representative"] = MembershipFactory(organisation=organisation, role="representative").user
    actors["member"] = MembershipFactory(organisation=organisation, role="member").user
    objects["membership"] = MembershipFactory(organisation=other, role="member")
    for role in ("moderator", "facilitator", "plan_office", "administrator"):
        actors[role] = UserFactory(roles=[Role(role)], display_name=role.replace("_", " ").title())
    actors["superuser"] = UserFactory(is_superuser=True, is_staff=True, display_name="Superuser")
    objects["role_holder"] = UserFactory(roles=[Role.MODERATOR], display_name="Role holder")

    # --- Survey --------------------------------------------------------------------------------------------
    survey_round = SurveyRoundFactory(slug="round-2021")
    invitation = InvitationFactory(round=survey_round, organisation=organisation)
    record = SurveyRecordFactory(
        round=survey_round,
        owner=organisation,
        invitation=invitation,
        is_validated=False,
        status=RecordStatus.IN_PROGRESS,
    )
    submitted = InvitationFactory(round=survey_round, organisation=other, status=InvitationStatus.SUBMITTED)
    SurveyRecordFactory(
        round=survey_round, owner=other, invitation=submitted, is_validated=False, kind=RecordKind.IDEA
    )
    objects.update(survey_round=survey_round, invitation=invitation, record=record, submitted=submitted)

    # --- Plan: a published version and the draft of the next one -------------------------------------------
    plan = PlanFactory()
    published = PlanVersionFactory(plan=plan, number=1, slug="v1")
    ActionFactory(version=published, code="PR-V1")
    feed_indicator = IndicatorFactory(version=published, code="IND-1", source_organisation=organisation)
    MeasurementFactory(indicator=feed_indicator, period="2017", period_end=datetime.date(2017, 12, 31))
    IndicatorFactory(version=published, code="IND-2", source_organisation=other)
    publish(published)
    draft = PlanVersionFactory(plan=plan, number=2, slug="v2", title="Update 2021")
    action = ActionFactory(version=draft, code="PR-V1")
    milestone = Milestone.objects.create(action=action, title="Tender", due=today)
    # The draft's copy of the published indicator (same key): the measurement feed mirrors into it.
    indicator = IndicatorFactory(
        version=draft, code="IND-1", key=feed_indicator.key, action=action, source_organisation=organisation
    )
    MeasurementFactory(indicator=indicator, period="2017", period_end=datetime.date(2017, 12, 31))
    body = GovernanceBodyFactory(slug="cabina-di-regia")
    BodyMember.objects.create(body=body, person_name="Sindaco", role="Chair")
    objects.update(
        plan=plan,
        published=published,
        draft=draft,
        action=action,
        milestone=milestone,
        indicator=indicator,
        body=body,
    )

    # --- Participation ------------------------------------------------------------------------------------
    process = ProcessFactory(slug="process-collecting")
    citizen = actors["citizen"]
    idea = IdeaFactory(process=process, author=citizen, title="A fresh idea")
    other_idea = IdeaFactory(process=process, author=actors["other_citizen"], title="Somebody else's idea")
    comment = participation_services.comment_create(
        user=citizen, idea=other_idea, body="A first comment of mine on this idea."
    )
    other_comment = CommentFactory(
        idea=other_idea, author=actors["other_citizen"], body="A comment to report."
    )
    participation_services.counters_recompute()
    evaluation = ProcessFactory(slug="process-evaluation", phase="evaluation")
    evaluated = IdeaFactory(process=evaluation, author=actors["other_citizen"], title="An idea to answer")
    settings_row = NotificationSettings.objects.create(user=citizen)
    Notification.objects.create(recipient=citizen, kind="news", subject_title="News", subject_path="/")
    objects.update(
        process=process,
        idea=idea,
        other_idea=other_idea,
        comment=comment,
        other_comment=other_comment,
        evaluation=evaluation,
        evaluated=evaluated,
        phase=process.phases.get(),
        notification_settings=settings_row,
    )

    # --- Meetings -----------------------------------------------------------------------------------------
    tour = TourFactory(slug="tour-2018")
    meeting = MeetingFactory(slug="meeting-prato", tour=tour, capacity=5, process=process)
    RegistrationQuestion.objects.create(meeting=meeting, label="Dietary needs", kind="text")
    facilitator = actors["facilitator"]
    group = WorkingGroupFactory(meeting=meeting, facilitators=[facilitator])
    registration = RegistrationFactory(meeting=meeting, user=citizen, email=citizen.email, name="Citizen")
    RegistrationFactory(meeting=meeting)
    now = timezone.now()
    today_meeting = MeetingFactory(
        slug="meeting-today",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=3),
        process=process,
    )
    today_group = WorkingGroupFactory(meeting=today_meeting, facilitators=[facilitator])
    RegistrationFactory(meeting=today_meeting, code="ABCD2345")
    objects.update(
        tour=tour,
        meeting=meeting,
        group=group,
        registration=registration,
        today_meeting=today_meeting,
        today_group=today_group,
    )

    # --- Documents and news -------------------------------------------------------------------------------
    _ensure_document_categories()
    office = actors["plan_office"]
    document = document_services.document_create(
        actor=office,
        file=SimpleUploadedFile("linee.pdf", simple_pdf("Linee", ["Testo"]), content_type="application/pdf"),
        title="Linee attuative",
        access=AccessLevel.PUBLIC,
        category=DocumentCategory.objects.order_by("pk").first(),
    )
    news = services_news.news_create(
        actor=office, title="Smart City Day", summary="A day on the plan.", body="The programme of the day."
    )
    published_news = services_news.news_create(
        actor=office, title="Open data day", summary="The datasets of the plan.", body="Programme."
    )
    services_news.news_publish(actor=office, news=published_news)
    objects.update(document=document, news=news, published_news=published_news)

    # --- Open data and the rest ---------------------------------------------------------------------------
    token, secret = tokens.token_issue(actor=office, organisation=organisation, name="Sensors")
    world.secrets["token"] = secret
    other_token, other_secret = tokens.token_issue(actor=office, organisation=other, name="Other")
    world.secrets["other_token"] = other_secret
    export_job = ExportJob.objects.create(
        dataset="organisations", file_format="csv", fingerprint="0" * 64, status=ExportStatus.FAILED
    )
    feedback = AccessibilityFeedback.objects.create(message="The map has no text alternative.")
    objects.update(token=token, other_token=other_token, export_job=export_job, feedback=feedback)
    return world
