from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cittasmart.accounts.models import User
from cittasmart.core.audit import log_action
from cittasmart.stakeholders.models import Membership, MembershipRole, Organisation
from cittasmart.stakeholders.validators import normalise_fiscal_code, normalise_ipa_code, normalise_vat_number

ORGANISATION_FIELDS = (
    "name",
    "category",
    "is_public_body",
    "is_host_entity",
    "ipa_code",
    "vat_number",
    "fiscal_code",
    "website",
    "description",
    "logo",
)


# Slugs that would be caught by other URLs of the organisations section, in any language.
RESERVED_SLUGS = {"new", "nuova"}


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:70] or "organisation"
    if base in RESERVED_SLUGS:
        base = f"{base}-organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(organisation: Organisation, fields: dict) -> dict:
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    changed = {}
    normalisers = {
        "ipa_code": normalise_ipa_code,
        "vat_number": normalise_vat_number,
        "fiscal_code": normalise_fiscal_code,
    }
    for name, value in fields.items():
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot store it: refuse, do not crash
            raise ValidationError({name: ProhibitNullCharactersValidator.message})
        if name in normalisers:
            value = normalisers[name](value)
        if name == "name":
            value = value.strip()
        if name == "logo" and value is False:  # the form's "clear" checkbox
            value = ""
        if getattr(organisation, name) != value:
            changed[name] = value
        setattr(organisation, name, value)
    return changed


def _save(organisation: Organisation) -> None:
    organisation.full_clean()
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:  # a concurrent write took the same name or IPA code
        raise ValidationError(_("An organisation with this name or IPA code already exists.")) from exc


@transaction.atomic
def organisation_create(*, actor, **fields) -> Organisation:
    organisation = Organisation()
    _apply(organisation, fields)
    organisation.slug = _unique_slug(organisation.name)
    _save(organisation)
    log_action(actor, "stakeholders.organisation.created", organisation)
    return organisation


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **fields) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = _apply(organisation, fields)
    if changed:
        _save(organisation)
        audit = {name: str(value) for name, value in changed.items() if name != "logo"}
        if "logo" in changed:
            audit["logo"] = "changed"
        log_action(actor, "stakeholders.organisation.updated", organisation, {"changed": audit})
    return organisation


@transaction.atomic
def organisation_delete(*, actor, organisation: Organisation) -> None:
    name, pk = organisation.name, organisation.pk
    try:
        with transaction.atomic():
            organisation.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _(
                "This organisation is referenced by other records (for example survey answers) and cannot be deleted."
            )
        ) from exc
    log_action(actor, "stakeholders.organisation.deleted", None, {"organisation_id": pk, "name": name})


@transaction.atomic
def membership_set(*, actor, organisation: Organisation, email: str, role: str) -> Membership:
    """Add the person with this e-mail to the organisation, or change their role if already a member."""
    if role not in MembershipRole.values:
        raise ValidationError(_("Choose a valid role."))
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise ValidationError(
            _("No active account has this e-mail address. Ask the person to sign up first.")
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if not created:
        if membership.role == role:
            return membership  # nothing changed: no write, no audit entry
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role", "updated_at"])
    log_action(
        actor,
        "stakeholders.membership.added" if created else "stakeholders.membership.changed",
        organisation,
        {"user_id": user.pk, "role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    organisation, user_id = membership.organisation, membership.user_id
    membership.delete()
    log_action(actor, "stakeholders.membership.removed", organisation, {"user_id": user_id})
