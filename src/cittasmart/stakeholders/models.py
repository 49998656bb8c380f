from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cittasmart.core.models import TimeStampedModel
from cittasmart.core.validators import validate_image_upload
from cittasmart.stakeholders.validators import validate_fiscal_code, validate_ipa_code, validate_vat_number


class OrganisationCategory(models.TextChoices):
    PUBLIC_BODY = "public_body", _("Public body")
    PARTICIPATED_COMPANY = "participated_company", _("Participated company")
    UNIVERSITY_RESEARCH = "university_research", _("University and research")
    ENTERPRISE = "enterprise", _("Enterprise or trade association")
    THIRD_SECTOR = "third_sector", _("Third sector")
    CITIZENS_GROUP = "citizens_group", _("Citizens' group")


class Organisation(TimeStampedModel):
    """A stakeholder organisation: the Comune, a participated company, a university, an association..."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    category = models.CharField(
        _("category"), max_length=30, choices=OrganisationCategory.choices, db_index=True
    )
    is_public_body = models.BooleanField(
        _("public body"),
        default=False,
        help_text=_("Part of the public administration (listed in the IPA index)."),
    )
    is_host_entity = models.BooleanField(
        _("runs this platform"),
        default=False,
        help_text=_(
            "The entity whose Smart City plan this is (for example the Comune). Only one organisation."
        ),
    )
    ipa_code = models.CharField(
        _("IPA code"),
        max_length=20,
        blank=True,
        validators=[validate_ipa_code],
        help_text=_("Code of the organisation in the index of public administrations (IPA)."),
    )
    vat_number = models.CharField(
        _("VAT number (partita IVA)"), max_length=11, blank=True, validators=[validate_vat_number]
    )
    fiscal_code = models.CharField(
        _("fiscal code (codice fiscale)"), max_length=16, blank=True, validators=[validate_fiscal_code]
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    logo = models.ImageField(
        _("logo"), upload_to="organisations/", blank=True, validators=[validate_image_upload]
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_name_ci_unique"),
            models.UniqueConstraint(
                fields=["ipa_code"], condition=~models.Q(ipa_code=""), name="organisation_ipa_code_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=OrganisationCategory.values),
                name="organisation_category_valid",
            ),
        ]
        indexes = [models.Index(Lower("name"), name="organisation_name_lower_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:detail", kwargs={"slug": self.slug})


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    REPRESENTATIVE = "representative", _("Representative")


class Membership(TimeStampedModel):
    """A person acting for an organisation. Representatives answer the survey for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class OwnerType(models.TextChoices):
    """How reports group organisations: the entity running the plan, its participated companies, all others."""

    HOST_ENTITY = "host_entity", _("The entity (Comune)")
    PARTICIPATED_COMPANY = "participated_company", _("Participated companies")
    OTHER = "other", _("Other organisations")


def owner_type_of(organisation: "Organisation") -> str:
    if organisation.is_host_entity:
        return OwnerType.HOST_ENTITY
    if organisation.category == OrganisationCategory.PARTICIPATED_COMPANY:
        return OwnerType.PARTICIPATED_COMPANY
    return OwnerType.OTHER
