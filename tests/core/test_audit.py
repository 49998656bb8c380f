"""The audit log: ``log_action`` records who did what to which object."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from cittasmart.core.audit import log_action
from cittasmart.core.models import AuditEntry
from cittasmart.stakeholders.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_log_action_records_actor_code_object_and_data(plan_office):
    organisation = OrganisationFactory(name="Estra S.p.A.")

    entry = log_action(
        plan_office, "stakeholders.organisation.updated", organisation, {"changed": {"name": "X"}}
    )

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == plan_office
    assert stored.code == "stakeholders.organisation.updated"
    assert stored.content_type == ContentType.objects.get_for_model(Organisation)
    assert stored.object_id == str(organisation.pk)
    assert stored.object_repr == "Estra S.p.A."
    assert stored.data == {"changed": {"name": "X"}}
    assert stored.created_at is not None


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_actions_of_the_system_or_of_anonymous_visitors_have_no_actor(actor):
    entry = log_action(actor, "core.site_settings.updated")

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor is None
    assert stored.content_type is None
    assert stored.object_id == ""
    assert stored.object_repr == ""
    assert stored.data == {}


def test_the_object_description_is_kept_even_after_the_object_is_gone(plan_office):
    organisation = OrganisationFactory(name="Consiag Servizi Comuni S.r.l.")
    entry = log_action(plan_office, "stakeholders.organisation.updated", organisation)

    organisation.delete()

    entry.refresh_from_db()
    assert entry.object_repr == "Consiag Servizi Comuni S.r.l."
    assert entry.object_id.isdigit()


def test_long_object_descriptions_are_cut_to_fit(plan_office):
    organisation = OrganisationFactory(name="N" * 200, description="")
    organisation.name = "N" * 300  # not saved: only its description goes into the entry

    entry = log_action(plan_office, "stakeholders.organisation.updated", organisation)

    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "N" * 255


def test_data_may_hold_dates_and_decimals(plan_office):
    entry = log_action(
        plan_office,
        "plan.indicator.measured",
        None,
        {"on": datetime.date(2021, 2, 1), "value": Decimal("12.50")},
    )

    assert AuditEntry.objects.get(pk=entry.pk).data == {"on": "2021-02-01", "value": "12.50"}


def test_an_invalid_code_is_refused_and_nothing_is_written(plan_office):
    with pytest.raises(ValidationError):
        log_action(plan_office, "x" * 101)
    with pytest.raises(ValidationError):
        log_action(plan_office, "")

    assert not AuditEntry.objects.exists()


def test_entries_are_listed_newest_first(plan_office):
    first = log_action(plan_office, "a.b.first")
    second = log_action(plan_office, "a.b.second")

    assert list(AuditEntry.objects.all()) == [second, first]


def test_deleting_the_actor_keeps_the_entry(plan_office):
    entry = log_action(plan_office, "a.b.c")

    plan_office.delete()

    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.code == "a.b.c"
