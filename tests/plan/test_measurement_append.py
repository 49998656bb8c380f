"""``measurement_append``: the feed appends to the current published version and mirrors into the draft."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cittasmart.core.models import AuditEntry
from cittasmart.plan import services
from cittasmart.plan.models import Indicator, Measurement
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    OrganisationFactory,
    PlanFactory,
    PlanVersionFactory,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return OrganisationFactory(name="ARPAT")


@pytest.fixture
def published(source):
    version = PlanVersionFactory(plan=PlanFactory(), slug="2017")
    indicator = IndicatorFactory(version=version, code="IND-1", source_organisation=source)
    MeasurementFactory(
        indicator=indicator, period="2017", period_end=datetime.date(2017, 12, 31), value=5, is_baseline=True
    )
    MeasurementFactory(
        indicator=indicator, period="2025", period_end=datetime.date(2025, 12, 31), value=None, target=20
    )
    return publish(version)


def append(source, **fields):
    values = {
        "actor": None,
        "organisation": source,
        "indicator_code": "IND-1",
        "period": "2021",
        "period_end": datetime.date(2021, 12, 31),
        "value": Decimal("12.5"),
    }
    values.update(fields)
    return services.measurement_append(**values)


def snapshot(indicator):
    return list(
        Measurement.objects.filter(indicator=indicator)
        .order_by("pk")
        .values_list("pk", "period", "value", "target", "is_baseline", "updated_at")
    )


def test_appends_to_the_current_version_without_touching_its_rows(published, source):
    indicator = published.indicators.get()
    before = snapshot(indicator)

    measurement = append(source, quality="administrative", source_text="Sensori", note="Dato provvisorio")

    assert measurement.indicator == indicator and measurement.pk
    assert (measurement.value, measurement.quality, measurement.source) == (
        Decimal("12.5"),
        "administrative",
        "Sensori",
    )
    assert not measurement.is_baseline and measurement.target is None
    assert snapshot(indicator)[: len(before)] == before
    assert indicator.measurements.count() == 3
    entry = AuditEntry.objects.get(code="plan.measurement.received")
    assert entry.object_id == str(indicator.pk) and entry.data["period"] == "2021"


def test_mirrored_into_the_draft_with_the_same_key(published, source, plan_office):
    draft = services.version_create(actor=plan_office, plan=published.plan, kind="update", title="2022")

    measurement = append(source)

    copy = Measurement.objects.get(indicator__version=draft, period="2021")
    assert copy.key == measurement.key and copy.value == measurement.value
    assert copy.indicator.key == measurement.indicator.key
    assert Measurement.objects.filter(period="2021").count() == 2


def test_the_draft_keeps_its_own_measurement_of_the_period(published, source, plan_office):
    draft = services.version_create(actor=plan_office, plan=published.plan, kind="update", title="2022")
    draft_indicator = draft.indicators.get()
    services.measurement_save(
        actor=plan_office, indicator=draft_indicator, period="2021", period_end="2021-12-31", value=99
    )

    append(source)

    assert draft_indicator.measurements.get(period="2021").value == 99
    assert published.indicators.get().measurements.get(period="2021").value == Decimal("12.5")


def test_a_draft_without_the_indicator_gets_nothing(published, source, plan_office):
    draft = services.version_create(actor=plan_office, plan=published.plan, kind="update", title="2022")
    draft.indicators.get().delete()

    append(source)

    assert not Measurement.objects.filter(indicator__version=draft).exists()


def test_only_the_source_organisation_may_append(published):
    with pytest.raises(PermissionDenied):
        append(OrganisationFactory())
    with pytest.raises(PermissionDenied):
        append(None)
    assert not Measurement.objects.filter(period="2021").exists()
    assert not AuditEntry.objects.filter(code="plan.measurement.received").exists()


def test_an_indicator_only_in_the_draft_is_not_found(published, source, plan_office):
    draft = services.version_create(actor=plan_office, plan=published.plan, kind="update", title="2022")
    IndicatorFactory(version=draft, code="IND-NEW", source_organisation=source)
    with pytest.raises(Indicator.DoesNotExist):
        append(source, indicator_code="IND-NEW")
    with pytest.raises(Indicator.DoesNotExist):
        append(source, indicator_code="NOPE")


def test_no_published_version_means_no_indicator(source):
    version = PlanVersionFactory(plan=PlanFactory())
    IndicatorFactory(version=version, code="IND-1", source_organisation=source)
    with pytest.raises(Indicator.DoesNotExist):
        append(source)


def test_a_measured_period_is_a_conflict(published, source):
    append(source)
    with pytest.raises(services.MeasurementConflict):
        append(source, value=Decimal("13"))
    # Also a period holding only a target.
    with pytest.raises(services.MeasurementConflict):
        append(source, period="2025", period_end=datetime.date(2025, 12, 31))
    assert published.indicators.get().measurements.get(period="2021").value == Decimal("12.5")


def test_invalid_values_are_refused(published, source):
    with pytest.raises(ValidationError) as excinfo:
        append(source, value=Decimal("1.23456"), quality="nonsense")
    assert {"value", "quality"} <= set(excinfo.value.message_dict)
    assert not Measurement.objects.filter(period="2021").exists()


def test_the_model_still_refuses_other_writes_to_a_published_version(published, source):
    measurement = append(source)
    measurement = Measurement.objects.get(pk=measurement.pk)
    measurement.value = 1
    with pytest.raises(ValidationError):
        measurement.save()
