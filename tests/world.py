"""A small, complete world for tests that visit every address of the site.

``build_world()`` makes two organisations (A and B), one person per role and at least one object of every kind the
URL patterns take; ``kwargs_for(world, name, route, converters)`` gives the keyword arguments that fill a pattern
with those objects. Where a pattern can show either a public or a restricted object, the default is the restricted
one (the interesting case for access checks) and ``variants_for(name)`` lists the others (``kwargs_for(...,
variant="public")``).

Files are written to the storages of the settings: point ``MEDIA_ROOT``, ``PRIVATE_MEDIA_ROOT`` and
``EXPORTS_ROOT`` to a temporary folder first (``storage_settings(path)`` gives the three values).
"""

from __future__ import annotations

import datetime
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cittasmart.core.roles import Role
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
    ThemeFactory,
    TourFactory,
    UserFactory,
    WorkingGroupFactory,
    publish,
)

# The columns of the authorization matrix, in order.
ROLES = (
    "anonymous",
    "citizen",
    "member_a",
    "member_b",
    "facilitator",
    "moderator",
    "plan_office",
    "administrator",
)


def storage_settings(path: Path) -> dict:
    """Settings that keep every file of the world under ``path``."""
    return {
        "MEDIA_ROOT": path / "media",
        "PRIVATE_MEDIA_ROOT": path / "private",
        "EXPORTS_ROOT": path / "exports",
    }


@dataclass
class World:
    actors: dict[str, object]
    org_a: object
    org_b: object
    objects: dict[str, object] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _pdf(title: str) -> bytes:
    from cittasmart.documents.demo_files import simple_pdf

    return simple_pdf(title, [])


def _ensure_document_categories() -> None:
    """The categories a data migration creates; a database flushed by a transactional test lacks them."""
    from django.apps import apps

    importlib.import_module("cittasmart.documents.migrations.0002_default_categories").create(apps, None)


def build_world() -> World:
    """The world, in the current database. ``world.actors[role]`` for each of ``ROLES``; ``world.<name>`` for the
    objects: organisations ``org_a``/``org_b`` (``membership_a``); survey ``survey_round`` (open: ``invitation_a``
    in progress with ``record_a``, ``invitation_b`` submitted with ``record_b``), ``survey_round_published`` with
    ``record_public``; plan ``version_published`` (``action``, ``indicator`` sourced by A, ``measurement``) and
    ``version_draft`` (``action_draft``, ``indicator_draft``, ``measurement_draft``), ``governance_body``;
    participation ``process`` (``phase``, ``idea`` and ``comment`` by the citizen, ``idea_untouched``,
    ``idea_hidden``, ``comment_hidden``, ``idea_attachment`` of the hidden idea, ``idea_attachment_visible``,
    ``notification_settings``), ``process_unpublished`` (``idea_unpublished_process``), ``blocked_person``;
    meetings ``tour``, ``tour_unpublished``, ``meeting`` (``working_group`` run by the facilitator,
    ``minutes_attachment``, the citizen's ``registration``), ``meeting_other`` (``working_group_other``),
    ``meeting_unpublished``, ``calendar_feed``; documents ``document_public``, ``document_registered``,
    ``document_reserved_a``, ``document_readers_a`` (``reader_group``), ``document_staff``, ``news_published``,
    ``news_draft``; open data ``api_token`` of A (its secret in ``world.secrets["api_token_a"]``), ``export_job``
    (finished, with its file); ``accessibility_feedback``, ``role_holder``, ``other_person``."""
    from cittasmart.core.models import AccessibilityFeedback
    from cittasmart.documents import services as document_services
    from cittasmart.documents.models import AccessLevel, DocumentCategory, NewsItem, ReaderGroup
    from cittasmart.meetings import services as meeting_services
    from cittasmart.meetings.models import MinutesAttachment
    from cittasmart.opendata import exports, tokens
    from cittasmart.opendata.datasets import dataset_get
    from cittasmart.participation import services as participation_services
    from cittasmart.participation.models import Block, IdeaAttachment, Notification, Report
    from cittasmart.plan import services as plan_services
    from cittasmart.survey.models import InvitationStatus, RecordKind, RoundStatus, Visibility

    org_a = OrganisationFactory(name="Organisation A", slug="organisation-a")
    org_b = OrganisationFactory(name="Organisation B", slug="organisation-b")

    # --- People: one per role. Members of A and B are their organisations' representatives, the
    # membership with the most rights (they may also fill the questionnaire).
    actors: dict[str, object] = {
        "anonymous": AnonymousUser(),
        "citizen": UserFactory(display_name="Citizen"),
        "member_a": MembershipFactory(organisation=org_a, role="representative").user,
        "member_b": MembershipFactory(organisation=org_b, role="representative").user,
        "facilitator": UserFactory(display_name="Facilitator", roles=[Role.FACILITATOR]),
        "moderator": UserFactory(display_name="Moderator", roles=[Role.MODERATOR]),
        "plan_office": UserFactory(display_name="Plan office", roles=[Role.PLAN_OFFICE]),
        "administrator": UserFactory(display_name="Administrator", roles=[Role.ADMINISTRATOR]),
    }
    office = actors["plan_office"]
    citizen = actors["citizen"]
    world = World(actors=actors, org_a=org_a, org_b=org_b)
    o = world.objects
    # Someone who holds a role the administrator may revoke, and someone else who writes in the processes.
    o["role_holder"] = UserFactory(display_name="Role holder", roles=[Role.FACILITATOR])
    o["other_person"] = UserFactory(display_name="Other person")

    # --- Core: the site settings row exists before any request (a request would create it and cache it).
    from cittasmart.core.services import site_settings_get

    site_settings_get()
    o["accessibility_feedback"] = AccessibilityFeedback.objects.create(
        message="The map cannot be used with the keyboard.", page_url="/plan/"
    )

    # --- Stakeholders
    o["membership_a"] = org_a.memberships.get(user=actors["member_a"])

    # --- Survey: an open round where A is still answering and B has submitted; a published round.
    survey_round = SurveyRoundFactory(slug="round-open", status=RoundStatus.OPEN, year=2023)
    published_round = SurveyRoundFactory(slug="round-published", status=RoundStatus.PUBLISHED, year=2021)
    o["survey_round"] = survey_round
    o["survey_round_published"] = published_round
    o["invitation_a"] = InvitationFactory(
        round=survey_round, organisation=org_a, status=InvitationStatus.IN_PROGRESS
    )
    o["invitation_b"] = InvitationFactory(
        round=survey_round,
        organisation=org_b,
        status=InvitationStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    o["record_a"] = SurveyRecordFactory(
        round=survey_round,
        invitation=o["invitation_a"],
        owner=org_a,
        title="Project of A, not yet validated",
        is_validated=False,
        visibility=Visibility.RESERVED,
    )
    o["record_b"] = SurveyRecordFactory(
        round=survey_round,
        invitation=o["invitation_b"],
        owner=org_b,
        title="Project of B, not yet validated",
        is_validated=False,
    )
    o["record_public"] = SurveyRecordFactory(
        round=published_round, owner=org_a, kind=RecordKind.PROJECT, title="Validated public project of A"
    )

    # --- Plan: a published version (actions, indicators with A as their source, measurements) and a draft.
    plan = PlanFactory()
    published = PlanVersionFactory(plan=plan, number=1, slug="v1", title="Guidelines 2017")
    o["action"] = ActionFactory(version=published, code="PR-V1", title="Smart mobility")
    o["indicator"] = IndicatorFactory(version=published, code="IND-1", source_organisation=org_a)
    o["measurement"] = MeasurementFactory(
        indicator=o["indicator"], period="2017", period_end=datetime.date(2017, 12, 31), value=5
    )
    o["version_published"] = publish(published)
    o["version_draft"] = plan_services.version_create(
        actor=office, plan=plan, slug="v2", title="Plan 2025", kind="update"
    )
    o["action_draft"] = o["version_draft"].actions.get(code="PR-V1")
    o["indicator_draft"] = o["version_draft"].indicators.get(code="IND-1")
    o["measurement_draft"] = o["indicator_draft"].measurements.get(period="2017")
    o["governance_body"] = GovernanceBodyFactory(slug="steering-board")

    # --- Participation: a published process with a visible and a hidden idea, comments (one hidden), an
    # attachment of the hidden idea, reports, a notification; a process not yet published; a blocked person.
    process = ProcessFactory(slug="process-open", title="Mobility ideas")
    o["process"] = process
    o["process_unpublished"] = ProcessFactory(slug="process-draft", is_published=False)
    o["phase"] = process.phases.get()
    o["idea"] = IdeaFactory(process=process, author=citizen, title="Bike station")
    o["idea_hidden"] = IdeaFactory(
        process=process,
        author=o["other_person"],
        title="Hidden idea",
        is_hidden=True,
        hidden_reason="Offensive",
    )
    o["idea_unpublished_process"] = IdeaFactory(
        process=o["process_unpublished"], author=citizen, title="Idea in a process not yet published"
    )
    o["idea_untouched"] = IdeaFactory(process=process, author=citizen, title="Bench in the park")
    o["comment"] = CommentFactory(idea=o["idea"], author=citizen)
    o["comment_hidden"] = CommentFactory(
        idea=o["idea"], author=o["other_person"], is_hidden=True, hidden_reason="Offensive"
    )
    participation_services.counters_recompute(process=process)  # the factories leave the counters at zero
    attachment = IdeaAttachment(
        idea=o["idea_hidden"], kind="pdf", content_type="application/pdf", original_name="plan.pdf", size=0
    )
    content = _pdf("Attachment")
    attachment.size = len(content)
    attachment.file.save("upload", ContentFile(content), save=True)
    o["idea_attachment"] = attachment
    attachment_visible = IdeaAttachment(
        idea=o["idea"],
        kind="pdf",
        content_type="application/pdf",
        original_name="idea.pdf",
        size=len(content),
    )
    attachment_visible.file.save("upload", ContentFile(content), save=True)
    o["idea_attachment_visible"] = attachment_visible
    Report.objects.create(reporter=o["other_person"], comment=o["comment"], reason="spam")
    Notification.objects.create(recipient=citizen, kind="new_comment", idea=o["idea"], comment=o["comment"])
    o["notification_settings"] = participation_services.notification_settings_get(user=citizen)
    o["blocked_person"] = UserFactory(display_name="Blocked person")
    Block.objects.create(user=o["blocked_person"], reason="Repeated insults", blocked_by=actors["moderator"])

    # --- Meetings: a published tour and a meeting with a working group (facilitated by the facilitator),
    # minutes with an attachment and an unpublished report; the citizen's registration and calendar feed.
    tour = TourFactory(slug="tour-2024")
    o["tour"] = tour
    o["tour_unpublished"] = TourFactory(slug="tour-draft", is_published=False)
    meeting = MeetingFactory(slug="meeting-prato", tour=tour, process=process)
    o["meeting"] = meeting
    o["meeting_unpublished"] = MeetingFactory(slug="meeting-draft", is_published=False)
    o["working_group"] = WorkingGroupFactory(
        meeting=meeting, theme=ThemeFactory(slug="mobility"), facilitators=[actors["facilitator"]]
    )
    # A meeting the facilitator does not facilitate.
    o["meeting_other"] = MeetingFactory(slug="meeting-other")
    o["working_group_other"] = WorkingGroupFactory(
        meeting=o["meeting_other"], theme=ThemeFactory(slug="energy")
    )
    o["registration"] = RegistrationFactory(
        meeting=meeting, user=citizen, name="Citizen", email=citizen.email
    )
    o["calendar_feed"] = meeting_services.calendar_feed_for(citizen)
    minutes = MinutesAttachment(
        group=o["working_group"],
        kind="pdf",
        content_type="application/pdf",
        original_name="minutes.pdf",
        size=len(content),
    )
    minutes.file.save("upload", ContentFile(content), save=True)
    o["minutes_attachment"] = minutes

    # --- Documents: public, registered-only, reserved to A, staff-only; news published and draft.
    _ensure_document_categories()
    category = DocumentCategory.objects.order_by("pk").first()
    readers = ReaderGroup.objects.create(name="Stakeholders of A")
    readers.organisations.add(org_a)

    def document(title, access, **extra):
        upload = SimpleUploadedFile(f"{title}.pdf", _pdf(title), content_type="application/pdf")
        return document_services.document_create(
            actor=office, file=upload, title=title, access=access, category=category, **extra
        )

    o["document_public"] = document("Public guidelines", AccessLevel.PUBLIC)
    o["document_registered"] = document("For registered people", AccessLevel.REGISTERED)
    o["document_reserved_a"] = document("Reserved to A", AccessLevel.MEMBERS, organisations=[org_a])
    o["document_staff"] = document("Staff only", AccessLevel.STAFF)
    o["document_readers_a"] = document(
        "Reserved to a group of readers", AccessLevel.MEMBERS, reader_groups=[readers]
    )
    o["reader_group"] = readers
    o["news_published"] = NewsItem.objects.create(
        title="Published news", slug="published-news", summary="It happened.", published_at=timezone.now()
    )
    o["news_draft"] = NewsItem.objects.create(title="Draft news", slug="draft-news", summary="Not yet.")

    # --- Open data: A's API token and a finished export with its file.
    o["api_token"], world.secrets["api_token_a"] = tokens.token_issue(
        actor=office, organisation=org_a, name="Sensors of A"
    )
    job = exports.export_job_request(dataset=dataset_get("organisations"), file_format="csv")
    o["export_job"] = exports.export_job_run(job.pk)
    return world


# --- Filling the URL patterns ---------------------------------------------------------------------------------

_API_DETAIL = re.compile(r"^api/v1/(?P<dataset>[\w-]+)/<id>$")

# What the ``id`` of the API's detail operations points to, by dataset: restricted objects first (the public API
# must answer 404 for them), public ones as variants.
_API_ROWS = {
    "organisations": ("org_a", {}),
    "survey-records": ("record_a", {"public": "record_public"}),
    "plan-versions": ("version_draft", {"public": "version_published"}),
    "actions": ("action_draft", {"public": "action"}),
    "indicators": ("indicator_draft", {"public": "indicator"}),
    "measurements": ("measurement_draft", {"public": "measurement"}),
    "processes": ("process_unpublished", {"public": "process"}),
    "ideas": ("idea_hidden", {"public": "idea", "unpublished": "idea_unpublished_process"}),
    "meetings": ("meeting_unpublished", {"public": "meeting"}),
    "documents": ("document_reserved_a", {"public": "document_public"}),
}


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _slug(name):
    return lambda w: {"slug": getattr(w, name).slug}


def _idea(name):
    return lambda w: {"slug": w.process.slug, "pk": getattr(w, name).pk}


def _version(name, code_of=None):
    def kwargs(w):
        values = {"version": getattr(w, name).slug}
        if code_of:
            values["code"] = getattr(w, code_of).code
        return values

    return kwargs


def _token(name):
    return lambda w: {"token": getattr(w, name).token}


# name → {variant: kwargs(world)}; the variant "" is the default. Patterns without arguments need no entry.
KWARGS: dict[str, dict[str, object]] = {
    "core:accessibility_feedback_handled": {"": _pk("accessibility_feedback")},
    "accounts:role_revoke": {"": lambda w: {"pk": w.role_holder.pk, "role": Role.FACILITATOR.value}},
    "account_confirm_email": {"": lambda w: {"key": "not-a-valid-key"}},
    "account_reset_password_from_key": {"": lambda w: {"uidb36": "1", "key": "not-a-valid-key"}},
    "stakeholders:detail": {"": lambda w: {"slug": w.org_a.slug}},
    "stakeholders:update": {"": lambda w: {"slug": w.org_a.slug}},
    "stakeholders:delete": {"": lambda w: {"slug": w.org_a.slug}},
    "stakeholders:membership_add": {"": lambda w: {"slug": w.org_a.slug}},
    "stakeholders:membership_remove": {"": lambda w: {"slug": w.org_a.slug, "pk": w.membership_a.pk}},
    "survey:record_detail": {"": _pk("record_a"), "public": _pk("record_public")},
    "survey:report": {"": _slug("survey_round"), "published": _slug("survey_round_published")},
    "survey:report_csv": {"": _slug("survey_round"), "published": _slug("survey_round_published")},
    "survey:round_detail": {"": _slug("survey_round")},
    "survey:round_update": {"": _slug("survey_round")},
    "survey:round_status": {"": _slug("survey_round")},
    "survey:round_invite": {"": _slug("survey_round")},
    "survey:import": {"": _slug("survey_round")},
    "survey:export": {"": lambda w: {"slug": w.survey_round.slug, "fmt": "csv"}},
    "survey:invitation_review": {"": _pk("invitation_b")},
    "survey:questionnaire": {"": _pk("invitation_a")},
    "survey:questionnaire_general": {"": _pk("invitation_a")},
    "survey:questionnaire_submit": {"": _pk("invitation_a")},
    "survey:record_create": {"": lambda w: {"pk": w.invitation_a.pk, "kind": "project"}},
    # "other_record": A's questionnaire with B's record in the address.
    "survey:record_update": {
        "": lambda w: {"pk": w.invitation_a.pk, "record_pk": w.record_a.pk},
        "other_record": lambda w: {"pk": w.invitation_a.pk, "record_pk": w.record_b.pk},
    },
    "survey:record_delete": {
        "": lambda w: {"pk": w.invitation_a.pk, "record_pk": w.record_a.pk},
        "other_record": lambda w: {"pk": w.invitation_a.pk, "record_pk": w.record_b.pk},
    },
    "plan:version": {"": _version("version_draft"), "published": _version("version_published")},
    "plan:action": {
        "": _version("version_draft", "action_draft"),
        "published": _version("version_published", "action"),
    },
    "plan:indicator": {
        "": _version("version_draft", "indicator_draft"),
        "published": _version("version_published", "indicator"),
    },
    "plan:version_edit": {"": _version("version_draft")},
    "plan:version_publish": {"": _version("version_draft")},
    "plan:action_create": {"": _version("version_draft")},
    "plan:action_edit": {"": _version("version_draft", "action_draft")},
    "plan:milestone_add": {"": _version("version_draft", "action_draft")},
    "plan:measurement_add": {"": _version("version_draft", "indicator_draft")},
    "participation:process": {"": _slug("process"), "unpublished": _slug("process_unpublished")},
    "participation:idea_list": {"": _slug("process"), "unpublished": _slug("process_unpublished")},
    "participation:idea_map": {"": _slug("process"), "unpublished": _slug("process_unpublished")},
    "participation:feedback_report": {"": _slug("process"), "unpublished": _slug("process_unpublished")},
    "participation:feedback_report_csv": {"": _slug("process"), "unpublished": _slug("process_unpublished")},
    "participation:process_follow": {"": _slug("process"), "unpublished": _slug("process_unpublished")},
    "participation:idea_create": {"": _slug("process"), "unpublished": _slug("process_unpublished")},
    "participation:idea_similar": {"": _slug("process"), "unpublished": _slug("process_unpublished")},
    "participation:idea": {
        "": _idea("idea"),
        "hidden": _idea("idea_hidden"),
        "unpublished": lambda w: {"slug": w.process_unpublished.slug, "pk": w.idea_unpublished_process.pk},
        # The published process in the address, an idea of the unpublished one.
        "mismatched": lambda w: {"slug": w.process.slug, "pk": w.idea_unpublished_process.pk},
    },
    "participation:idea_edit": {
        "": _idea("idea"),
        "untouched": _idea("idea_untouched"),
        "mismatched": lambda w: {"slug": w.process.slug, "pk": w.idea_unpublished_process.pk},
    },
    "participation:idea_withdraw": {"": _idea("idea")},
    "participation:idea_support": {"": _idea("idea")},
    "participation:idea_follow": {"": _idea("idea")},
    "participation:comment_create": {"": _idea("idea")},
    "participation:idea_report": {"": _idea("idea")},
    "participation:idea_answer": {"": _idea("idea")},
    "participation:idea_evaluate": {"": _idea("idea")},
    "participation:comment_edit": {"": _pk("comment")},
    "participation:comment_delete": {"": _pk("comment")},
    "participation:comment_report": {"": _pk("comment")},
    "participation:attachment": {"": _pk("idea_attachment"), "visible": _pk("idea_attachment_visible")},
    "participation:unsubscribe": {"": lambda w: {"token": w.notification_settings.unsubscribe_token}},
    "participation:process_edit": {"": _slug("process")},
    "participation:phase_create": {"": _slug("process")},
    "participation:phase_edit": {"": lambda w: {"slug": w.process.slug, "pk": w.phase.pk}},
    "participation:moderate_idea": {"": _pk("idea_hidden")},
    "participation:moderate_comment": {"": _pk("comment_hidden")},
    "participation:moderate_person": {"": _pk("blocked_person")},
    "meetings:tour": {"": _slug("tour"), "unpublished": _slug("tour_unpublished")},
    "meetings:tour_ics": {"": _slug("tour"), "unpublished": _slug("tour_unpublished")},
    "meetings:my_ics": {"": _token("calendar_feed")},
    "meetings:registration": {"": _token("registration")},
    "meetings:registration_confirm": {"": _token("registration")},
    "meetings:registration_cancel": {"": _token("registration")},
    "meetings:registration_ics": {"": _token("registration")},
    "meetings:registration_qr": {"": _token("registration")},
    "meetings:minutes_attachment": {"": _pk("minutes_attachment")},
    "meetings:meeting": {"": _slug("meeting"), "unpublished": _slug("meeting_unpublished")},
    "meetings:meeting_ics": {"": _slug("meeting"), "unpublished": _slug("meeting_unpublished")},
    "meetings:register": {"": _slug("meeting"), "unpublished": _slug("meeting_unpublished")},
    "meetings:report": {"": _slug("meeting"), "not_facilitated": _slug("meeting_other")},
    "meetings:checkin": {"": _slug("meeting"), "not_facilitated": _slug("meeting_other")},
    "meetings:attendance": {"": _slug("meeting"), "not_facilitated": _slug("meeting_other")},
    "meetings:attendance_csv": {"": _slug("meeting"), "not_facilitated": _slug("meeting_other")},
    "meetings:contributions": {
        "": lambda w: {"slug": w.meeting.slug, "pk": w.working_group.pk},
        "not_facilitated": lambda w: {"slug": w.meeting_other.slug, "pk": w.working_group_other.pk},
        # The facilitated meeting in the address, a group of the other meeting.
        "other_group": lambda w: {"slug": w.meeting.slug, "pk": w.working_group_other.pk},
    },
    "meetings:minutes": {
        "": lambda w: {"slug": w.meeting.slug, "pk": w.working_group.pk},
        "not_facilitated": lambda w: {"slug": w.meeting_other.slug, "pk": w.working_group_other.pk},
        # The facilitated meeting in the address, a group of the other meeting.
        "other_group": lambda w: {"slug": w.meeting.slug, "pk": w.working_group_other.pk},
    },
    "meetings:report_edit": {"": _slug("meeting"), "not_facilitated": _slug("meeting_other")},
    "documents:detail": {
        "": _pk("document_reserved_a"),
        "public": _pk("document_public"),
        "registered": _pk("document_registered"),
        "staff": _pk("document_staff"),
        "reader_group": _pk("document_readers_a"),
    },
    "documents:edit": {"": _pk("document_reserved_a")},
    "documents:version_create": {"": _pk("document_reserved_a")},
    "documents:download": {
        "": _pk("document_reserved_a"),
        "public": _pk("document_public"),
        "registered": _pk("document_registered"),
        "staff": _pk("document_staff"),
        "reader_group": _pk("document_readers_a"),
    },
    "documents:download_version": {"": lambda w: {"pk": w.document_reserved_a.pk, "number": 1}},
    "documents:download_log": {"": _pk("document_reserved_a")},
    "documents:news_detail": {"": _slug("news_draft"), "published": _slug("news_published")},
    "documents:news_edit": {"": _slug("news_draft")},
    "documents:news_publish": {"": _slug("news_draft")},
    "opendata:catalog": {"": lambda w: {"fmt": "ttl"}},
    "opendata:export": {"": lambda w: {"slug": "organisations", "fmt": "csv"}},
    "opendata:export_job": {"": _pk("export_job")},
    "opendata:export_file": {"": _pk("export_job")},
    "opendata:export_retry": {"": _pk("export_job")},
    "opendata:token_revoke": {"": _pk("api_token")},
    "api:indicator_measurements_list": {"": lambda w: {"code": w.indicator.code}},
    "api:indicator_measurements": {"": lambda w: {"code": w.indicator.code}},
    "api:_preflight_code": {"": lambda w: {"code": w.indicator.code}},
    "api:measurement_create": {"": lambda w: {"code": w.indicator.code}},
    "admin:app_list": {"": lambda w: {"app_label": "plan"}},
}


def variants_for(name: str, route: str = "") -> list[str]:
    """The variants a pattern can be filled with, the default ("") first."""
    if name in KWARGS:
        return list(KWARGS[name])
    match = _API_DETAIL.match(route)
    if match and match["dataset"] in _API_ROWS:
        return ["", *_API_ROWS[match["dataset"]][1]]
    return [""]


def _admin_kwargs(world: World, route: str, converters) -> dict | None:
    """An admin pattern of a model: the primary key of one of its rows (or "0" when the world has none)."""
    from django.apps import apps

    match = re.match(r"^admin/(\w+)/(\w+)/", route)
    if match is None:
        return None
    try:
        model = apps.get_model(match[1], match[2])
    except LookupError:
        return None
    row = model._default_manager.order_by("pk").first()
    values = {}
    for name in converters:
        values[name] = str(row.pk) if row is not None else "0"
    return values


def kwargs_for(world: World, name: str, route: str, converters, variant: str = "") -> dict | None:
    """The keyword arguments that fill the pattern ``name`` (its ``route`` and the names of its ``converters``,
    or of the named groups of a regular expression); ``None`` when the world does not know how to fill it."""
    names = list(converters)
    if name in KWARGS:
        builder = KWARGS[name].get(variant)
        return None if builder is None else builder(world)
    match = _API_DETAIL.match(route)
    if match and match["dataset"] in _API_ROWS:
        default, others = _API_ROWS[match["dataset"]]
        key = default if not variant else others.get(variant)
        return None if key is None else {"id": str(getattr(world, key).pk)}
    if variant:
        return None
    if not names:
        return {}
    if name == "admin:view_on_site":
        from django.contrib.contenttypes.models import ContentType

        organisation_type = ContentType.objects.get_for_model(type(world.org_a))
        return {"content_type_id": str(organisation_type.pk), "object_id": str(world.org_a.pk)}
    if route.startswith("admin/") and names == ["url"]:
        return {"url": "no-such-page/"}  # the admin's catch-all pattern
    if route.startswith("admin/"):
        return _admin_kwargs(world, route, names)
    return None
