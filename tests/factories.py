import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from cittasmart.accounts.models import User
from cittasmart.core.roles import Role
from cittasmart.stakeholders.models import Membership, MembershipRole, Organisation, OrganisationCategory

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """A verified primary e-mail unless ``verified=False``."""
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        for role in extracted or []:
            obj.groups.add(Group.objects.get_or_create(name=Role(role).value)[0])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    category = OrganisationCategory.PARTICIPATED_COMPANY
    description = "An organisation taking part in the plan."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.MEMBER


# --- Survey ---------------------------------------------------------------------------------------------
from cittasmart.survey.models import (  # noqa: E402
    Invitation,
    RecordKind,
    RecordStatus,
    RoundStatus,
    SurveyRecord,
    SurveyRound,
)


class SurveyRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyRound

    title = factory.Sequence(lambda n: f"Survey round {n}")
    slug = factory.Sequence(lambda n: f"survey-round-{n}")
    year = 2021
    status = RoundStatus.OPEN


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    round = factory.SubFactory(SurveyRoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class SurveyRecordFactory(factory.django.DjangoModelFactory):
    """A validated public project by default; pass invitation=… to attach it to a questionnaire."""

    class Meta:
        model = SurveyRecord

    round = factory.SubFactory(SurveyRoundFactory)
    owner = factory.SubFactory(OrganisationFactory)
    kind = RecordKind.PROJECT
    title = factory.Sequence(lambda n: f"Project {n}")
    description = "A smart-city project."
    reference_ambito = "mobility"
    status = RecordStatus.IN_PROGRESS
    is_validated = True


# --- Plan -----------------------------------------------------------------------------------------------
import datetime  # noqa: E402

from cittasmart.plan.models import (  # noqa: E402
    Action,
    GovernanceBody,
    GovernanceBodyKind,
    Indicator,
    Measurement,
    Plan,
    PlanVersion,
)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    title = "Smart City Plan"


class PlanVersionFactory(factory.django.DjangoModelFactory):
    """A DRAFT version (children can only be written into drafts); call ``publish(version)`` afterwards."""

    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"v{n + 1}")
    kind = "guidelines"
    title = factory.Sequence(lambda n: f"Guidelines {n + 1}")


def publish(version: PlanVersion, on: datetime.date | None = None) -> PlanVersion:
    PlanVersion.objects.filter(pk=version.pk).update(
        status="published", published_on=on or datetime.date(2017, 7, 21)
    )
    version.refresh_from_db()
    return version


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    version = factory.SubFactory(PlanVersionFactory)
    code = factory.Sequence(lambda n: f"PR-V{n + 1}")
    kind = "vertical"
    title = factory.Sequence(lambda n: f"Action {n + 1}")
    status = "approved"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    version = factory.SubFactory(PlanVersionFactory)
    code = factory.Sequence(lambda n: f"IND-{n + 1}")
    name = factory.Sequence(lambda n: f"Indicator {n + 1}")
    unit = "km"
    logic_type = "output"


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    period = factory.Sequence(lambda n: str(2015 + n))
    period_end = factory.Sequence(lambda n: datetime.date(2015 + n, 12, 31))
    value = 10


class GovernanceBodyKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GovernanceBodyKind
        django_get_or_create = ("name",)

    name = "Steering board"


class GovernanceBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GovernanceBody

    name = factory.Sequence(lambda n: f"Body {n + 1}")
    slug = factory.Sequence(lambda n: f"body-{n + 1}")
    kind = factory.SubFactory(GovernanceBodyKindFactory)


# --- Participation --------------------------------------------------------------------------------------
from django.utils.timezone import now as django_timezone_now  # noqa: E402

from cittasmart.participation.models import Comment, Idea, Phase, Process  # noqa: E402


class ProcessFactory(factory.django.DjangoModelFactory):
    """A published process with one phase around today: ``phase="evaluation"`` chooses its kind, ``phase=""``
    adds no phase."""

    class Meta:
        model = Process
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Process {n + 1}")
    slug = factory.Sequence(lambda n: f"process-{n + 1}")
    summary = "A participatory process."
    is_published = True

    @factory.post_generation
    def phase(obj, create, extracted, **kwargs):
        kind = "collecting" if extracted is None else extracted
        if create and kind:
            today = datetime.date.today()
            Phase.objects.create(
                process=obj,
                kind=kind,
                starts_on=today - datetime.timedelta(days=10),
                ends_on=today + datetime.timedelta(days=30),
            )


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    process = factory.SubFactory(ProcessFactory, phase="")
    kind = "collecting"
    starts_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    process = factory.SubFactory(ProcessFactory)
    title = factory.Sequence(lambda n: f"Idea {n + 1}")
    body = "A shared bike station next to the train station."
    body_html = "<p>A shared bike station next to the train station.</p>"
    author = factory.SubFactory(UserFactory)
    status = "published"
    published_at = factory.LazyFunction(django_timezone_now)


class CommentFactory(factory.django.DjangoModelFactory):
    """A published comment; remember that ``Idea.comment_count`` is kept by the services, not by this factory."""

    class Meta:
        model = Comment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(UserFactory)
    body = "I agree, and the station needs shelter from the rain."


# --- Meetings -------------------------------------------------------------------------------------------
from django.utils import timezone as django_timezone  # noqa: E402

from cittasmart.meetings.models import (  # noqa: E402
    Meeting,
    Registration,
    RegistrationStatus,
    Theme,
    Tour,
    WorkingGroup,
)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n + 1}")
    slug = factory.Sequence(lambda n: f"theme-{n + 1}")


class TourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tour

    title = factory.Sequence(lambda n: f"Tour {n + 1}")
    slug = factory.Sequence(lambda n: f"tour-{n + 1}")
    summary = "A series of open meetings."
    is_published = True


class MeetingFactory(factory.django.DjangoModelFactory):
    """A published meeting in ten days, open to registration, without a capacity limit unless given."""

    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Meeting {n + 1}")
    slug = factory.Sequence(lambda n: f"meeting-{n + 1}")
    summary = "An open meeting in working groups."
    venue_name = "Museo del Tessuto"
    address = "Via Puccetti 3"
    municipality = "Prato"
    territory = "Prato"
    starts_at = factory.LazyFunction(
        lambda: (
            django_timezone.now().replace(hour=7, minute=30, second=0, microsecond=0)
            + datetime.timedelta(days=10)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=4))
    is_published = True


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    theme = factory.SubFactory(ThemeFactory)

    @factory.post_generation
    def facilitators(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.facilitators.add(*extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration (written directly: seats are not checked; use the services to test seats)."""

    class Meta:
        model = Registration

    meeting = factory.SubFactory(MeetingFactory)
    name = factory.Sequence(lambda n: f"Participant {n + 1}")
    email = factory.Sequence(lambda n: f"participant{n + 1}@example.org")
    status = RegistrationStatus.CONFIRMED
    queued_at = factory.LazyFunction(django_timezone.now)
    confirmed_at = factory.LazyFunction(django_timezone.now)
