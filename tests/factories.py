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
