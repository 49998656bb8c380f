"""The plan office through the test client: versions, actions, milestones, measurements, publication, gaps."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cittasmart.plan.models import Action, Measurement, Milestone, PlanVersion, VersionStatus
from tests.factories import (
    ActionFactory,
    IndicatorFactory,
    MeasurementFactory,
    PlanFactory,
    PlanVersionFactory,
    SurveyRecordFactory,
    publish,
)
from tests.helpers import template_names


@pytest.fixture
def published(db):
    """A published version with one action (with ambito) and one indicator with a baseline."""
    version = PlanVersionFactory(plan=PlanFactory(title="Prato Smart City"), slug="2017", title="Linee guida")
    action = ActionFactory(
        version=version, code="PR-V4", title="Piste ciclabili", status="approved", budget=1000
    )
    action.ambiti.create(ambito="mobility")
    indicator = IndicatorFactory(version=version, code="MOB-1", name="Km di piste ciclabili")
    MeasurementFactory(
        indicator=indicator, period="2016", period_end=datetime.date(2016, 12, 31), value=40, is_baseline=True
    )
    return publish(version)


def _login(client, user):
    client.force_login(user)
    return client


def _action_post(action: Action, **changes) -> dict:
    data = {
        "code": action.code,
        "kind": action.kind,
        "title": action.title,
        "description": action.description,
        "status": action.status,
        "budget": "" if action.budget is None else str(action.budget),
        "ambiti": [a.ambito for a in action.ambiti.all()],
    }
    data.update(changes)
    return data


def test_staff_journey_new_version_edit_publish(client, plan_office, published):
    _login(client, plan_office)
    response = client.get(reverse("plan:manage"))
    assert response.status_code == 200
    assert "Linee guida" in response.content.decode()

    response = client.post(
        reverse("plan:version_create"),
        {"kind": "update", "title": "Nota di aggiornamento 2019", "slug": "2019", "summary": ""},
    )
    assert response.status_code == 302
    draft = PlanVersion.objects.get(slug="2019")
    assert draft.status == VersionStatus.DRAFT
    assert draft.based_on == published
    assert list(draft.actions.values_list("code", flat=True)) == ["PR-V4"]

    # The draft is invisible to the public, visible to the plan office's pages.
    assert (
        client.get(reverse("plan:action_edit", kwargs={"version": "2019", "code": "PR-V4"})).status_code
        == 200
    )

    action = draft.actions.get(code="PR-V4")
    url = reverse("plan:action_edit", kwargs={"version": "2019", "code": "PR-V4"})
    response = client.post(url, _action_post(action, status="in_progress", budget="250000.00"))
    assert response.status_code == 302, response.content.decode()
    action.refresh_from_db()
    assert action.status == "in_progress"
    assert action.budget == Decimal("250000.00")
    assert list(action.ambiti.values_list("ambito", flat=True)) == ["mobility"]

    response = client.post(
        reverse("plan:milestone_add", kwargs={"version": "2019", "code": "PR-V4"}),
        {"milestone-title": "Gara aggiudicata", "milestone-due": "2019-10-31"},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(action=action)
    assert milestone.due == datetime.date(2019, 10, 31) and not milestone.done
    response = client.post(
        reverse("plan:milestone_add", kwargs={"version": "2019", "code": "PR-V4"}),
        {"toggle": str(milestone.pk), "done": "1"},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done

    indicator = draft.indicators.get(code="MOB-1")
    response = client.post(
        reverse("plan:measurement_add", kwargs={"version": "2019", "code": "MOB-1"}),
        {"period": "2018", "period_end": "2018-12-31", "value": "52.5", "quality": "administrative"},
    )
    assert response.status_code == 302, response.content.decode()
    measurement = indicator.measurements.get(period="2018")
    assert measurement.value == Decimal("52.5")
    assert measurement.entered_by == plan_office

    response = client.get(reverse("plan:version_publish", kwargs={"version": "2019"}))
    assert response.status_code == 200
    response = client.post(reverse("plan:version_publish", kwargs={"version": "2019"}))
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.is_published
    from cittasmart.plan.selectors import current_version

    assert current_version() == draft

    # The old version is unchanged.
    old = published.actions.get(code="PR-V4")
    assert old.status == "approved" and old.budget == Decimal("1000")
    assert not old.milestones.exists()
    assert list(published.indicators.get().measurements.values_list("period", flat=True)) == ["2016"]

    # Anonymous visitors: the management pages send them to log in.
    client.logout()
    response = client.get(reverse("plan:manage"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_publish_confirmation_shows_what_changed(client, plan_office, published):
    _login(client, plan_office)
    client.post(reverse("plan:version_create"), {"kind": "update", "title": "Nota 2019", "slug": "2019"})
    draft = PlanVersion.objects.get(slug="2019")
    ActionFactory(version=draft, code="PR-TRA8", kind="transversal", title="Smart Living Labs")
    response = client.get(reverse("plan:version_publish", kwargs={"version": "2019"}))
    assert response.status_code == 200
    assert "Smart Living Labs" in response.content.decode()
    assert "plan/_diff_body.html" in template_names(response)
    assert not PlanVersion.objects.get(pk=draft.pk).is_published


def test_create_first_version_creates_the_plan(client, plan_office, db):
    _login(client, plan_office)
    response = client.post(
        reverse("plan:version_create"), {"kind": "preliminary", "title": "Schema", "slug": "2016"}
    )
    assert response.status_code == 302
    version = PlanVersion.objects.get()
    assert version.slug == "2016" and version.status == VersionStatus.DRAFT


@pytest.mark.parametrize("fixture", ["user", "member", "moderator"])
def test_only_staff_manage(client, request, fixture, published):
    _login(client, request.getfixturevalue(fixture))
    draft = PlanVersionFactory(plan=published.plan, slug="2019", number=published.number + 1)
    ActionFactory(version=draft, code="PR-V4")
    for url in [
        reverse("plan:manage"),
        reverse("plan:version_create"),
        reverse("plan:survey_gaps"),
        reverse("plan:action_create", kwargs={"version": "2019"}),
        reverse("plan:action_edit", kwargs={"version": "2019", "code": "PR-V4"}),
        reverse("plan:version_publish", kwargs={"version": "2019"}),
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("plan:version_publish", kwargs={"version": "2019"}))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.is_published
    assert client.get(reverse("plan:version", kwargs={"version": "2019"})).status_code == 404


def test_administrator_may_manage(client, administrator, published):
    _login(client, administrator)
    assert client.get(reverse("plan:manage")).status_code == 200


def test_bad_input_gives_400_with_errors(client, plan_office, published):
    _login(client, plan_office)
    response = client.post(reverse("plan:version_create"), {"kind": "nonsense", "title": "", "slug": "2017"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"kind", "title", "slug"}
    assert PlanVersion.objects.count() == 1

    client.post(reverse("plan:version_create"), {"kind": "update", "title": "Nota 2019", "slug": "2019"})
    draft = PlanVersion.objects.get(slug="2019")
    ActionFactory(version=draft, code="PR-V5", title="Other")
    action = draft.actions.get(code="PR-V4")
    url = reverse("plan:action_edit", kwargs={"version": "2019", "code": "PR-V4"})
    response = client.post(url, _action_post(action, code="PR-V5", budget="-3", status="nonsense"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"code", "budget", "status"}
    response = client.post(url, _action_post(action, progress_override="40", progress_reason=""))
    assert response.status_code == 400
    assert "progress_reason" in response.context["form"].errors
    action.refresh_from_db()
    assert action.code == "PR-V4" and action.budget == Decimal("1000")

    response = client.post(
        reverse("plan:milestone_add", kwargs={"version": "2019", "code": "PR-V4"}),
        {"milestone-title": "", "milestone-due": "x"},
    )
    assert response.status_code == 400
    assert not Milestone.objects.filter(action=action).exists()

    murl = reverse("plan:measurement_add", kwargs={"version": "2019", "code": "MOB-1"})
    response = client.post(murl, {"period": "2016", "period_end": "2016-12-31", "value": "41"})
    assert response.status_code == 400
    assert "period" in response.context["form"].errors
    response = client.post(murl, {"period": "2020", "period_end": "2020-12-31"})
    assert response.status_code == 400
    assert draft.indicators.get().measurements.count() == 1


def test_action_create_suggests_code(client, plan_office, published):
    _login(client, plan_office)
    client.post(reverse("plan:version_create"), {"kind": "update", "title": "Nota 2019", "slug": "2019"})
    url = reverse("plan:action_create", kwargs={"version": "2019"})
    response = client.get(url + "?kind=transversal")
    assert response.status_code == 200
    assert response.context["form"].initial["code"] == "PR-TRA1"
    records = [SurveyRecordFactory(reference_ambito="ict") for _ in range(2)]
    SurveyRecordFactory(reference_ambito="ict", is_validated=False)
    response = client.post(
        url,
        {
            "code": "",
            "kind": "vertical",
            "title": "Nuova azione",
            "status": "proposed",
            "ambiti": ["ict", "mobility"],
            "survey_records": [r.pk for r in records],
        },
    )
    assert response.status_code == 302, response.content.decode()
    action = PlanVersion.objects.get(slug="2019").actions.get(title="Nuova azione")
    assert action.code == "PR-V5"
    assert set(action.survey_records.all()) == set(records)
    assert sorted(action.ambiti.values_list("ambito", flat=True)) == ["ict", "mobility"]
    # The edit page offers the linked and the validated records of the action's domains, not the others.
    response = client.get(reverse("plan:action_edit", kwargs={"version": "2019", "code": "PR-V5"}))
    offered = {value for value, _label in response.context["form"].fields["survey_records"].choices}
    assert offered == {r.pk for r in records}


def test_unvalidated_record_refused(client, plan_office, published):
    _login(client, plan_office)
    client.post(reverse("plan:version_create"), {"kind": "update", "title": "Nota 2019", "slug": "2019"})
    record = SurveyRecordFactory(is_validated=False)
    action = PlanVersion.objects.get(slug="2019").actions.get()
    url = reverse("plan:action_edit", kwargs={"version": "2019", "code": "PR-V4"})
    response = client.post(url, _action_post(action, survey_records=[record.pk]))
    assert response.status_code == 400
    assert "survey_records" in response.context["form"].errors


def test_editing_a_published_version_is_refused(client, plan_office, published):
    _login(client, plan_office)
    action = published.actions.get()
    url = reverse("plan:action_edit", kwargs={"version": "2017", "code": "PR-V4"})
    response = client.post(url, _action_post(action, status="dropped"))
    assert response.status_code == 302
    assert response["Location"] == reverse("plan:manage")
    assert client.get(url).status_code == 302
    for name, kwargs, data in [
        ("version_edit", {"version": "2017"}, {"kind": "guidelines", "title": "Changed"}),
        ("version_publish", {"version": "2017"}, {}),
        ("action_create", {"version": "2017"}, {"kind": "vertical", "title": "X", "status": "proposed"}),
        ("milestone_add", {"version": "2017", "code": "PR-V4"}, {"milestone-title": "M"}),
        (
            "measurement_add",
            {"version": "2017", "code": "MOB-1"},
            {"period": "2019", "period_end": "2019-12-31", "value": "1"},
        ),
    ]:
        assert client.post(reverse(f"plan:{name}", kwargs=kwargs), data).status_code == 302, name
    action.refresh_from_db()
    published.refresh_from_db()
    assert action.status == "approved"
    assert published.title == "Linee guida"
    assert published.actions.count() == 1
    assert not Milestone.objects.exists()
    assert Measurement.objects.count() == 1


def test_second_draft_not_created(client, plan_office, published):
    _login(client, plan_office)
    client.post(reverse("plan:version_create"), {"kind": "update", "title": "Nota 2019", "slug": "2019"})
    response = client.post(
        reverse("plan:version_create"), {"kind": "update", "title": "Nota 2020", "slug": "2020"}
    )
    assert response.status_code == 302
    assert PlanVersion.objects.filter(status=VersionStatus.DRAFT).count() == 1


def test_version_edit_saves_the_approval_act(client, plan_office, published):
    _login(client, plan_office)
    client.post(reverse("plan:version_create"), {"kind": "update", "title": "Nota 2019", "slug": "2019"})
    url = reverse("plan:version_edit", kwargs={"version": "2019"})
    response = client.post(
        url,
        {
            "kind": "update",
            "title": "Nota di aggiornamento 2019",
            "approval_body": "Consiglio comunale",
            "approval_date": "2019-06-30",
            "documents": "Nota | https://example.org/nota.pdf",
        },
    )
    assert response.status_code == 302
    draft = PlanVersion.objects.get(slug="2019")
    assert draft.approval_body == "Consiglio comunale"
    assert draft.approval_date == datetime.date(2019, 6, 30)
    response = client.post(url, {"kind": "update", "title": "", "approval_date": "yesterday"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"title", "approval_date"}


def test_survey_gaps(client, plan_office, published, django_assert_max_num_queries):
    linked = SurveyRecordFactory(reference_ambito="mobility")
    version = PlanVersion.objects.get(pk=published.pk)
    Action.survey_records.through.objects.create(action=version.actions.get(), surveyrecord=linked)
    unlinked = [SurveyRecordFactory(reference_ambito="ict") for _ in range(3)]
    SurveyRecordFactory(reference_ambito="environment", is_validated=False)
    _login(client, plan_office)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("plan:survey_gaps"))
    assert response.status_code == 200
    assert {r.pk for r in response.context["page"].object_list} == {r.pk for r in unlinked}
    assert [row["ambito"].value for row in response.context["gaps"]] == ["ict"]
    for _ in range(30):
        SurveyRecordFactory(reference_ambito="people")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("plan:survey_gaps") + "?page=2")
    assert response.status_code == 200
    assert sorted(row["ambito"].value for row in response.context["gaps"]) == ["ict", "people"]
    assert response.context["page"].paginator.count == 33


def test_manage_query_count_bounded(client, plan_office, published, django_assert_max_num_queries):
    _login(client, plan_office)
    client.post(reverse("plan:version_create"), {"kind": "update", "title": "Nota 2019", "slug": "2019"})
    draft = PlanVersion.objects.get(slug="2019")
    for n in range(10, 25):
        ActionFactory(version=draft, code=f"PR-V{n}")
        IndicatorFactory(version=draft, code=f"IND-{n}")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("plan:manage"))
    assert response.status_code == 200
    assert len(response.context["actions"]) == 16


def test_action_edit_query_count_bounded(client, plan_office, published, django_assert_max_num_queries):
    _login(client, plan_office)
    client.post(reverse("plan:version_create"), {"kind": "update", "title": "Nota 2019", "slug": "2019"})
    action = PlanVersion.objects.get(slug="2019").actions.get()
    url = reverse("plan:action_edit", kwargs={"version": "2019", "code": "PR-V4"})
    for n in range(12):
        Milestone.objects.create(action=action, title=f"Milestone {n}")
        action.survey_records.add(SurveyRecordFactory(reference_ambito="mobility"))
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["milestones"]) == 12
    assert response.context["progress"] == 0


@pytest.mark.parametrize("toggle", ["²", "①", "9" * 5000])
def test_a_milestone_toggle_that_is_not_a_number_is_a_404(client, plan_office, published, toggle):
    # str.isdigit() accepts "²" and "①", which int() refuses: the filter on the key raised ValueError (a 500).
    _login(client, plan_office)
    client.post(reverse("plan:version_create"), {"kind": "update", "title": "Nota 2019", "slug": "2019"})
    action = PlanVersion.objects.get(slug="2019").actions.get(code="PR-V4")
    Milestone.objects.create(action=action, title="Gara")

    response = client.post(
        reverse("plan:milestone_add", kwargs={"version": "2019", "code": "PR-V4"}),
        {"toggle": toggle, "done": "1"},
    )

    assert response.status_code == 404
    assert not Milestone.objects.get(action=action).done
