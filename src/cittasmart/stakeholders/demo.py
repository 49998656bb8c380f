"""The organisations of the Prato demo (public facts) and the demo accounts' memberships."""

from cittasmart.core.demo import prato
from cittasmart.stakeholders.models import Membership, Organisation
from cittasmart.stakeholders.services import membership_set, organisation_create, organisation_update

# The host entity's code in the index of public administrations (IPA): the DCAT-AP_IT catalogue needs it.
HOST_IPA_CODE = "c_g999"


def load() -> int:
    changes = 0
    for name, category, is_public_body, description in prato.ORGANISATIONS:
        is_host_entity = name == prato.HOST_ENTITY
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            extra = {"ipa_code": HOST_IPA_CODE} if is_host_entity and not _ipa_taken() else {}
            organisation_create(
                actor=None,
                name=name,
                category=category,
                is_public_body=is_public_body,
                is_host_entity=is_host_entity,
                description=description,
                **extra,
            )
            changes += 1
            continue
        fields = {}
        if organisation.is_host_entity != is_host_entity:
            fields["is_host_entity"] = is_host_entity
        if is_host_entity and not organisation.ipa_code and not _ipa_taken():
            fields["ipa_code"] = HOST_IPA_CODE
        if fields:
            organisation_update(actor=None, organisation=organisation, **fields)
            changes += 1
    for local, _name, _role, membership, _shows in prato.ACCOUNTS:
        if membership is None:
            continue
        email = f"{local}@{prato.DEMO_DOMAIN}"
        organisation = Organisation.objects.get(name=membership[0])
        exists = Membership.objects.filter(user__email=email, organisation=organisation, role=membership[1])
        if not exists.exists():
            membership_set(actor=None, organisation=organisation, email=email, role=membership[1])
            changes += 1
    return changes


def _ipa_taken() -> bool:
    # An IPA code is unique: if another organisation already holds it, the demo leaves things as they are.
    return Organisation.objects.filter(ipa_code=HOST_IPA_CODE).exists()
