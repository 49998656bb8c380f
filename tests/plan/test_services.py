import pytest
from django.core.exceptions import ValidationError

from cittasmart.plan import services
from cittasmart.plan.models import Action, Measurement, PlanVersion
from tests.factories import (
    ActionFactory,
    IndicatorFactory,
    MeasurementFactory,
    PlanFactory,
    PlanVersionFactory,
    publish,
)


@pytest.fixture
def published(db):
    version = PlanVersionFactory(plan=PlanFactory())
    action = ActionFactory(version=version, code="PR-V1", budget=1000)
    indicator = IndicatorFactory(version=version, action=action)
    MeasurementFactory(indicator=indicator, period="2017", is_baseline=True)
    return publish(version)


@pytest.mark.django_db
def test_a_published_version_cannot_be_changed(published, plan_office):
    action = published.actions.get()
    with pytest.raises(ValidationError):
        services.action_save(actor=plan_office, version=published, action=action, status="completed")
    with pytest.raises(ValidationError):
        services.version_update(actor=plan_office, version=published, title="Changed")
    with pytest.raises(ValidationError):
        services.measurement_save(
            actor=plan_office,
            indicator=published.indicators.get(),
            period="2018",
            period_end="2018-12-31",
            value=1,
        )
    # Even a direct save is refused by the model.
    action.status = "completed"
    with pytest.raises(ValidationError):
        action.save()
    assert Action.objects.get(pk=action.pk).status == "approved"


@pytest.mark.django_db
def test_new_version_is_a_copy_that_keeps_keys_and_leaves_the_old_one_unchanged(published, plan_office):
    draft = services.version_create(
        actor=plan_office, plan=published.plan, kind="update", title="Update 2019", slug="2019"
    )
    assert draft.status == "draft" and draft.based_on == published and draft.number == published.number + 1
    old_action, new_action = published.actions.get(), draft.actions.get()
    assert new_action.pk != old_action.pk and new_action.key == old_action.key and new_action.code == "PR-V1"
    new_indicator = draft.indicators.get()
    assert new_indicator.action == new_action
    assert new_indicator.measurements.get().key == published.indicators.get().measurements.get().key

    services.action_save(
        actor=plan_office, version=draft, action=new_action, status="in_progress", budget=2000
    )
    services.measurement_save(
        actor=plan_office, indicator=new_indicator, period="2018", period_end="2018-12-31", value=12
    )
    assert published.actions.get().status == "approved" and published.actions.get().budget == 1000
    assert Measurement.objects.filter(indicator__version=published).count() == 1


@pytest.mark.django_db
def test_only_one_draft_at_a_time(published, plan_office):
    services.version_create(actor=plan_office, plan=published.plan, kind="update", title="A", slug="a")
    with pytest.raises(ValidationError):
        services.version_create(actor=plan_office, plan=published.plan, kind="update", title="B", slug="b")
    assert PlanVersion.objects.count() == 2


@pytest.mark.django_db
def test_codes_are_unique_per_version_and_suggested(plan_office):
    version = PlanVersionFactory()
    first = services.action_save(actor=plan_office, version=version, kind="vertical", title="Squares")
    second = services.action_save(actor=plan_office, version=version, kind="transversal", title="5G")
    third = services.action_save(actor=plan_office, version=version, kind="vertical", title="Cycle lanes")
    assert [first.code, second.code, third.code] == ["PR-V1", "PR-TRA1", "PR-V2"]
    with pytest.raises(ValidationError) as error:
        services.action_save(actor=plan_office, version=version, kind="vertical", title="Dup", code="pr-v1")
    assert "code" in error.value.message_dict
    assert version.actions.count() == 3
    # The same code in another version is fine.
    publish(version)
    other = services.version_create(
        actor=plan_office, plan=version.plan, kind="update", title="Next", slug="next"
    )
    assert other.actions.filter(code="PR-V1").exists()


@pytest.mark.django_db
def test_progress_from_milestones_or_set_with_a_reason(plan_office):
    version = PlanVersionFactory()
    action = services.action_save(actor=plan_office, version=version, kind="vertical", title="Squares")
    assert services.action_progress(action) is None
    services.milestone_save(actor=plan_office, action=action, title="Design", done=True)
    services.milestone_save(actor=plan_office, action=action, title="Works")
    assert services.action_progress(action) == 50
    with pytest.raises(ValidationError):
        services.action_save(actor=plan_office, version=version, action=action, progress_override=80)
    action = services.action_save(
        actor=plan_office, version=version, action=action, progress_override=80, progress_reason="Works ahead"
    )
    assert services.action_progress(action) == 80


@pytest.mark.django_db
def test_measurement_period_and_baseline_are_unique(plan_office):
    indicator = IndicatorFactory()
    services.measurement_save(
        actor=plan_office,
        indicator=indicator,
        period="2017",
        period_end="2017-12-31",
        value=5,
        is_baseline=True,
    )
    with pytest.raises(ValidationError):
        services.measurement_save(
            actor=plan_office, indicator=indicator, period="2017", period_end="2017-12-31", value=6
        )
    with pytest.raises(ValidationError):
        services.measurement_save(
            actor=plan_office,
            indicator=indicator,
            period="2018",
            period_end="2018-12-31",
            value=6,
            is_baseline=True,
        )
    assert indicator.measurements.count() == 1
