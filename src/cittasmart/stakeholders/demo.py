"""The organisations of the Prato demo (public facts) and the demo accounts' memberships."""

from cittasmart.core.demo import prato
from cittasmart.stakeholders.models import Membership, Organisation
from cittasmart.stakeholders.services import membership_set, organisation_create, organisation_update


def load() -> int:
    changes = 0
    for name, category, is_public_body, description in prato.ORGANISATIONS:
        is_host_entity = name == prato.HOST_ENTITY
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            organisation_create(
                actor=None,
                name=name,
                category=category,
                is_public_body=is_public_body,
                is_host_entity=is_host_entity,
                description=description,
            )
            changes += 1
        elif organisation.is_host_entity != is_host_entity:
            organisation_update(actor=None, organisation=organisation, is_host_entity=is_host_entity)
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
