import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from cittasmart.plan.models import ActionAmbito, Milestone
from tests.factories import (
    ActionFactory,
    IndicatorFactory,
    MeasurementFactory,
    OrganisationFactory,
    PlanFactory,
    PlanVersionFactory,
    SurveyRecordFactory,
    publish,
)


@pytest.fixture(autouse=True)
def _english():
    """English addresses (/en/...) so that the pages answer in English, whatever the catalogue holds."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def plan(db):
    return PlanFactory(title="Prato Smart City")


@pytest.fixture
def v2017(plan):
    version = PlanVersionFactory(
        plan=plan,
        number=1,
        slug="2017",
        title="Guidelines 2017",
        summary="The approved guidelines.",
        approval_body="City Council",
        approval_act_type="Resolution",
        approval_act_number="63",
        approval_date=datetime.date(2017, 7, 21),
        documents="Resolution text | https://example.org/resolution.pdf",
    )
    action = ActionFactory(
        version=version, code="PR-V1", title="Squares and public spaces", status="approved"
    )
    ActionAmbito.objects.create(action=action, ambito="living")
    return publish(version, datetime.date(2017, 7, 21))


@pytest.fixture
def v2019(v2017):
    version = PlanVersionFactory(
        plan=v2017.plan, number=2, slug="2019", kind="update", title="Update note 2019"
    )
    version.based_on = v2017
    version.save()
    old = v2017.actions.get()
    action = ActionFactory(
        version=version, key=old.key, code="PR-V1", title="Squares and public spaces", status="in_progress"
    )
    ActionAmbito.objects.create(action=action, ambito="living")
    return publish(version, datetime.date(2019, 3, 1))


@pytest.fixture
def draft(v2019):
    version = PlanVersionFactory(
        plan=v2019.plan, number=3, slug="2020", kind="update", title="Secret draft 2020"
    )
    ActionFactory(version=version, code="PR-V7", title="Draft-only action")
    return version


# --- Plan home and versions -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_without_a_plan_says_so(client):
    response = client.get(reverse("plan:home"))
    assert response.status_code == 200
    assert "No version of the plan has been published yet." in response.content.decode()


@pytest.mark.django_db
def test_home_with_only_a_draft_does_not_show_it_to_the_public(client, plan):
    PlanVersionFactory(plan=plan, title="Secret draft")
    body = client.get(reverse("plan:home")).content.decode()
    assert "No version of the plan has been published yet." in body and "Secret draft" not in body


@pytest.mark.django_db
def test_home_shows_the_newest_published_version(client, draft):
    response = client.get(reverse("plan:home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Update note 2019" in body and "Secret draft" not in body and "Draft-only action" not in body
    assert "Squares and public spaces" in body and "In progress" in body
    assert reverse("plan:action", kwargs={"version": "2019", "code": "PR-V1"}) in body
    for name in ("plan:timeline", "plan:dashboard", "plan:governance"):
        assert reverse(name) in body


@pytest.mark.django_db
def test_home_groups_actions_by_kind_on_request(client, v2017):
    body = client.get(reverse("plan:home"), {"group": "kind"}).content.decode()
    assert "Vertical (sector project)" in body


@pytest.mark.django_db
def test_versions_have_stable_addresses_and_old_ones_point_to_the_current(client, v2019):
    url = reverse("plan:version", kwargs={"version": "2017"})
    assert url.endswith("/v/2017/")
    body = client.get(url).content.decode()
    assert (
        "Guidelines 2017" in body and "City Council" in body and "https://example.org/resolution.pdf" in body
    )
    assert "This is not the current version of the plan" in body
    assert reverse("plan:version", kwargs={"version": "2019"}) in body
    current = client.get(reverse("plan:version", kwargs={"version": "2019"})).content.decode()
    assert "This is not the current version of the plan" not in current


@pytest.mark.django_db
def test_drafts_are_404_to_the_public_and_visible_to_staff(client, draft, user, plan_office):
    version_url = reverse("plan:version", kwargs={"version": "2020"})
    action_url = reverse("plan:action", kwargs={"version": "2020", "code": "PR-V7"})
    assert client.get(version_url).status_code == 404
    assert client.get(action_url).status_code == 404
    client.force_login(user)
    assert client.get(version_url).status_code == 404
    assert client.get(action_url).status_code == 404
    client.force_login(plan_office)
    response = client.get(version_url)
    assert response.status_code == 200 and "only staff can see it" in response.content.decode()
    assert client.get(action_url).status_code == 200


@pytest.mark.django_db
def test_unknown_version_or_action_is_404(client, v2017):
    assert client.get(reverse("plan:version", kwargs={"version": "1999"})).status_code == 404
    assert client.get(reverse("plan:action", kwargs={"version": "2017", "code": "PR-V99"})).status_code == 404


# --- Action -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_action_page_shows_everything_and_only_the_survey_records_the_user_may_see(client, plan, plan_office):
    version = PlanVersionFactory(plan=plan, slug="2017")
    responsible = OrganisationFactory(name="ASM Ambiente")
    partner = OrganisationFactory(name="Estracom")
    public = SurveyRecordFactory(title="Public project")
    reserved = SurveyRecordFactory(title="Reserved project", visibility="reserved")
    unvalidated = SurveyRecordFactory(title="Unvalidated project", is_validated=False)
    action = ActionFactory(
        version=version,
        code="PR-TRA1",
        kind="transversal",
        title="5G trial",
        description="A pre-commercial 5G network.",
        responsible=responsible,
        budget=1500000,
        horizon="medium",
    )
    action.partners.add(partner)
    action.survey_records.add(public, reserved, unvalidated)
    ActionAmbito.objects.create(action=action, ambito="ict")
    Milestone.objects.create(action=action, title="Network live", done=True)
    Milestone.objects.create(action=action, title="Evaluation", done=False)
    indicator = IndicatorFactory(version=version, action=action, code="HOTSPOTS", name="Hotspots")
    MeasurementFactory(indicator=indicator, period="2017", value=12, is_baseline=True)
    publish(version)

    url = reverse("plan:action", kwargs={"version": "2017", "code": "PR-TRA1"})
    body = client.get(url).content.decode()
    for text in (
        "5G trial",
        "A pre-commercial 5G network.",
        "ASM Ambiente",
        "Estracom",
        "Smart ICT Infrastructures",
        "Network live",
        "50%",
        "HOTSPOTS",
        "Public project",
        reverse("survey:record_detail", kwargs={"pk": public.pk}),
    ):
        assert text in body, text
    assert "Reserved project" not in body and "Unvalidated project" not in body

    client.force_login(plan_office)
    body = client.get(url).content.decode()
    assert "Reserved project" in body and "Unvalidated project" in body


@pytest.mark.django_db
def test_action_of_an_old_version_links_to_the_same_action_in_the_current_one(client, v2019):
    body = client.get(reverse("plan:action", kwargs={"version": "2017", "code": "PR-V1"})).content.decode()
    assert "Read it in the current version" in body
    assert reverse("plan:action", kwargs={"version": "2019", "code": "PR-V1"}) in body


# --- Timeline and diff ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_timeline_lists_published_versions_and_links_to_what_changed(client, draft, plan_office):
    body = client.get(reverse("plan:timeline")).content.decode()
    assert body.index("Guidelines 2017") < body.index("Update note 2019")
    assert "Secret draft 2020" not in body
    assert reverse("plan:diff") + "?from=2017&amp;to=2019" in body
    assert "Resolution" in body and "https://example.org/resolution.pdf" in body
    client.force_login(plan_office)
    assert "Secret draft 2020" in client.get(reverse("plan:timeline")).content.decode()


@pytest.mark.django_db
def test_diff_defaults_to_previous_and_current(client, draft):
    response = client.get(reverse("plan:diff"))
    assert response.status_code == 200
    assert response.context["old"].slug == "2017" and response.context["new"].slug == "2019"
    change = response.context["diff"].action_change("PR-V1")
    assert [(f.old, f.new) for f in change.fields if f.name == "status"] == [("Approved", "In progress")]
    assert "<h2" in response.content.decode()


@pytest.mark.django_db
def test_diff_between_chosen_versions(client, draft):
    response = client.get(reverse("plan:diff"), {"from": "2019", "to": "2017"})
    assert response.status_code == 200
    assert response.context["old"].slug == "2019" and response.context["new"].slug == "2017"
    body = response.content.decode()
    assert 'name="from"' in body and 'name="to"' in body


@pytest.mark.django_db
def test_diff_with_unknown_or_draft_versions_is_404_to_the_public(client, draft, plan_office):
    assert client.get(reverse("plan:diff"), {"from": "2017", "to": "nope"}).status_code == 404
    assert client.get(reverse("plan:diff"), {"from": "2020", "to": "2019"}).status_code == 404
    client.force_login(plan_office)
    response = client.get(reverse("plan:diff"), {"from": "2019", "to": "2020"})
    assert response.status_code == 200
    assert [a.code for a in response.context["diff"].actions_added] == ["PR-V7"]


@pytest.mark.django_db
def test_diff_of_a_version_with_itself_says_so(client, v2019):
    response = client.get(reverse("plan:diff"), {"from": "2019", "to": "2019"})
    assert response.status_code == 200
    assert response.context["same"] and response.context["diff"] is None
    assert 'role="alert"' in response.content.decode()


@pytest.mark.django_db
def test_diff_without_versions(client, db):
    response = client.get(reverse("plan:diff"))
    assert response.status_code == 200 and response.context["diff"] is None


# --- Query counts -----------------------------------------------------------------------------------------


def _version_with(plan, n: int):
    version = PlanVersionFactory(plan=plan, slug="big")
    body = None
    for i in range(n):
        action = ActionFactory(
            version=version, code=f"PR-V{i + 1}", responsible=OrganisationFactory(), governance_body=body
        )
        ActionAmbito.objects.create(action=action, ambito="mobility")
        ActionAmbito.objects.create(action=action, ambito="ict")
        action.partners.add(OrganisationFactory())
        action.survey_records.add(SurveyRecordFactory())
        for j in range(3):
            Milestone.objects.create(action=action, title=f"M{j}", done=bool(j % 2))
        indicator = IndicatorFactory(version=version, action=action if i == 0 else None, code=f"I{i}")
        for year in range(3):
            MeasurementFactory(indicator=indicator, period=str(2015 + year), value=year)
    first = version.actions.get(code="PR-V1")
    for k in range(n):
        Milestone.objects.create(action=first, title=f"Extra {k}")
        first.partners.add(OrganisationFactory())
        first.survey_records.add(SurveyRecordFactory())
        indicator = IndicatorFactory(version=version, action=first, code=f"A{k}")
        MeasurementFactory(indicator=indicator, period="2020", value=k)
    return publish(version)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [5, 50])
def test_plan_home_queries_do_not_grow_with_actions(client, plan, n, django_assert_max_num_queries):
    _version_with(plan, n)
    # Same bound for 5 and 50 actions (each with domains, milestones, partners, records, indicators); one query
    # is the library's documents linked to the version.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("plan:home"))
    assert response.status_code == 200
    assert len(response.context["actions"]) == n


@pytest.mark.django_db
@pytest.mark.parametrize("n", [5, 50])
def test_action_detail_queries_do_not_grow_with_milestones_and_measurements(
    client, plan, member, n, django_assert_max_num_queries
):
    _version_with(plan, n)
    client.force_login(member)
    # Same bound for 5 and 50 milestones, partners, survey records, indicators and measurements (and one for the
    # unread notifications badge of the header, one for the ideas from participation that fed the action).
    with django_assert_max_num_queries(18):
        response = client.get(reverse("plan:action", kwargs={"version": "big", "code": "PR-V1"}))
    assert response.status_code == 200
    assert len(response.context["survey_records"]) == n + 1


@pytest.mark.django_db
def test_every_page_answers_in_the_default_language_too(client, v2019):
    translation.activate("it")
    for url in (
        reverse("plan:home"),
        reverse("plan:version", kwargs={"version": "2017"}),
        reverse("plan:action", kwargs={"version": "2017", "code": "PR-V1"}),
        reverse("plan:timeline"),
        reverse("plan:diff"),
    ):
        assert not url.startswith("/en/")
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="it">' in response.content.decode()
