"""The public catalogue of survey records: visibility, filters, sort, map, detail page, landing page, search."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cittasmart.core.registry import navigation, search_providers
from cittasmart.survey import catalogue
from cittasmart.survey.models import (
    FundingSource,
    RecordImpact,
    RecordKind,
    RecordPartner,
    RecordStatus,
    RoundStatus,
    SurveyRecord,
    Visibility,
)
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    SurveyRecordFactory,
    SurveyRoundFactory,
)
from tests.helpers import italian

CATALOGUE = reverse("survey:catalogue")


def detail_url(record) -> str:
    return reverse("survey:record_detail", kwargs={"pk": record.pk})


def titles(response) -> list[str]:
    return [record.title for record in response.context["page"]]


@pytest.fixture
def survey_round(db):
    return SurveyRoundFactory(
        title="Indagine di prova", slug="indagine-di-prova", status=RoundStatus.PUBLISHED
    )


@pytest.fixture
def host(db):
    return OrganisationFactory(name="Comune di Esempio", category="public_body", is_host_entity=True)


@pytest.fixture
def company(db):
    return OrganisationFactory(name="Acqua Esempio S.p.A.", slug="acqua-esempio")


@pytest.fixture
def university(db):
    return OrganisationFactory(name="Università di Esempio", category="university_research")


@pytest.fixture
def records(survey_round, host, company, university):
    """One record of each kind the visibility rules tell apart."""
    return {
        "public": SurveyRecordFactory(round=survey_round, owner=company, title="Public water sensors"),
        "reserved": SurveyRecordFactory(
            round=survey_round, owner=company, title="Reserved leak study", visibility=Visibility.RESERVED
        ),
        "draft": SurveyRecordFactory(
            round=survey_round, owner=company, title="Draft not validated", is_validated=False
        ),
        "other_reserved": SurveyRecordFactory(
            round=survey_round, owner=university, title="University reserved", visibility=Visibility.RESERVED
        ),
        "host": SurveyRecordFactory(round=survey_round, owner=host, title="Host public portal"),
    }


# --- Who sees what --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_list_shows_only_validated_public_records(client, records):
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    assert sorted(titles(response)) == ["Host public portal", "Public water sensors"]
    assert "Reserved leak study" not in response.text
    # The "include reserved" box is not offered, and asking for it anyway changes nothing.
    assert 'name="reserved"' not in response.text
    assert sorted(titles(client.get(CATALOGUE, {"reserved": "on"}))) == [
        "Host public portal",
        "Public water sensors",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["reserved", "draft", "other_reserved"])
def test_hidden_records_answer_404_to_anonymous_and_citizens(client, user, records, key):
    assert client.get(detail_url(records[key])).status_code == 404
    client.force_login(user)
    assert client.get(detail_url(records[key])).status_code == 404
    assert client.get(detail_url(records["public"])).status_code == 200


@pytest.mark.django_db
def test_missing_record_answers_404(client, records):
    assert client.get(reverse("survey:record_detail", kwargs={"pk": 999999})).status_code == 404


@pytest.mark.django_db
def test_staff_see_every_record_when_they_ask(client, plan_office, records):
    client.force_login(plan_office)
    response = client.get(CATALOGUE)
    assert 'name="reserved"' in response.text
    assert sorted(titles(response)) == ["Host public portal", "Public water sensors"]
    response = client.get(CATALOGUE, {"reserved": "on"})
    assert len(titles(response)) == 5
    for record in records.values():
        assert client.get(detail_url(record)).status_code == 200


@pytest.mark.django_db
def test_members_see_their_own_organisations_hidden_records_only(client, records, company):
    member = MembershipFactory(organisation=company).user
    client.force_login(member)
    response = client.get(CATALOGUE, {"reserved": "on"})
    assert sorted(titles(response)) == [
        "Draft not validated",
        "Host public portal",
        "Public water sensors",
        "Reserved leak study",
    ]
    assert client.get(detail_url(records["reserved"])).status_code == 200
    assert client.get(detail_url(records["draft"])).status_code == 200
    assert client.get(detail_url(records["other_reserved"])).status_code == 404


@pytest.mark.django_db
def test_detail_does_not_link_to_an_earlier_record_the_visitor_may_not_see(client, survey_round, company):
    earlier_round = SurveyRoundFactory(year=2017, status=RoundStatus.PUBLISHED)
    hidden = SurveyRecordFactory(
        round=earlier_round, owner=company, title="Hidden first version", visibility=Visibility.RESERVED
    )
    later = SurveyRecordFactory(round=survey_round, owner=company, title="Public update", update_of=hidden)
    response = client.get(detail_url(later))
    assert response.status_code == 200
    assert "Hidden first version" not in response.text
    assert detail_url(hidden) not in response.text
    response = client.get(detail_url(hidden))
    assert response.status_code == 404


# --- Filters, sort, bad input ---------------------------------------------------------------------------


@pytest.fixture
def varied(survey_round, host, company, university):
    older = SurveyRoundFactory(
        title="Older round", slug="older-round", year=2017, status=RoundStatus.PUBLISHED
    )
    made = {
        "bus": SurveyRecordFactory(
            round=survey_round,
            owner=company,
            title="Electric buses",
            description="Zero-emission fleet.",
            reference_ambito="mobility",
            status=RecordStatus.COMPLETED,
            audience_citizens=True,
            budget=Decimal("500000"),
        ),
        "meters": SurveyRecordFactory(
            round=older,
            owner=company,
            title="Smart water meters",
            reference_ambito="environment",
            status=RecordStatus.IN_PROGRESS,
            audience_businesses=True,
            budget=Decimal("900000"),
        ),
        "portal": SurveyRecordFactory(
            round=survey_round,
            owner=host,
            title="Open data portal",
            reference_ambito="governance",
            kind=RecordKind.IDEA,
            status=RecordStatus.IDEA,
            audience_schools=True,
        ),
        "lab": SurveyRecordFactory(
            round=survey_round,
            owner=university,
            title="Living lab",
            description="A lab about traffic and buses.",
            reference_ambito="people",
            status=RecordStatus.PLANNED,
            audience_internal=True,
            budget=Decimal("10000"),
        ),
    }
    RecordImpact.objects.create(record=made["meters"], ambito="mobility")
    return made


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Electric buses", "Living lab", "Open data portal", "Smart water meters"]),
        ({"ambito": "mobility"}, ["Electric buses"]),
        ({"ambito": "mobility", "impact": "on"}, ["Electric buses", "Smart water meters"]),
        ({"owner": "acqua-esempio"}, ["Electric buses", "Smart water meters"]),
        ({"owner_type": "host_entity"}, ["Open data portal"]),
        ({"owner_type": "participated_company"}, ["Electric buses", "Smart water meters"]),
        ({"owner_type": "other"}, ["Living lab"]),
        ({"status": "completed"}, ["Electric buses"]),
        ({"audience": "citizens"}, ["Electric buses"]),
        ({"audience": "businesses"}, ["Smart water meters"]),
        ({"audience": "schools"}, ["Open data portal"]),
        ({"audience": "internal"}, ["Living lab"]),
        ({"kind": "idea"}, ["Open data portal"]),
        ({"round": "older-round"}, ["Smart water meters"]),
        ({"q": "buses"}, ["Electric buses", "Living lab"]),
        ({"q": "ZERO-emission"}, ["Electric buses"]),
        ({"q": "buses", "owner_type": "participated_company"}, ["Electric buses"]),
    ],
)
def test_filters(client, varied, params, expected):
    response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    assert titles(response) == expected
    assert not response.context["form"].errors


@pytest.mark.django_db
def test_sorts(client, varied):
    assert titles(client.get(CATALOGUE, {"sort": "budget"})) == [
        "Smart water meters",
        "Electric buses",
        "Living lab",
        "Open data portal",  # no budget: last
    ]
    assert titles(client.get(CATALOGUE, {"sort": "newest"}))[-1] == "Smart water meters"
    assert titles(client.get(CATALOGUE, {"sort": "title"}))[0] == "Electric buses"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"ambito": "atlantis"},
        {"owner": "no-such-organisation"},
        {"owner_type": "pirates"},
        {"status": "<script>"},
        {"audience": "martians"},
        {"kind": "poem"},
        {"round": "no-such-round"},
        {"sort": "chaos"},
        {"page": "many"},
        {"page": "99999"},
        {"q": "x" * 500},
        {"impact": "maybe", "reserved": "on"},
    ],
)
def test_bad_filters_are_reported_and_ignored_never_a_500(client, varied, params):
    response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    assert "<script>" not in response.text
    if set(params) - {"page", "impact", "reserved"}:
        assert response.context["form"].errors
        assert italian("Some filters were not understood and have been ignored:") in response.text
    if "q" not in params:
        assert len(titles(response)) == 4 or params.get("page") == "99999"


@pytest.mark.django_db
def test_a_draft_round_is_not_offered_to_the_public(client, plan_office, varied):
    SurveyRoundFactory(title="Secret draft round", slug="secret-draft", status=RoundStatus.DRAFT)
    assert "Secret draft round" not in client.get(CATALOGUE).text
    assert client.get(CATALOGUE, {"round": "secret-draft"}).context["form"].errors
    client.force_login(plan_office)
    assert "Secret draft round" in client.get(CATALOGUE).text


@pytest.mark.django_db
def test_the_owner_filter_lists_only_organisations_with_visible_records(client, records, university):
    response = client.get(CATALOGUE)
    assert "Acqua Esempio S.p.A." in response.text
    # The university owns only a reserved record: naming it would hint that the record exists.
    assert "Università di Esempio" not in response.text


@pytest.mark.django_db
def test_htmx_gets_only_the_results(client, varied):
    response = client.get(CATALOGUE, {"ambito": "mobility"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Electric buses" in response.text
    assert 'id="filters-title"' not in response.text
    assert "HX-Request" in response["Vary"]
    full = client.get(CATALOGUE)
    assert (
        'hx-get="' in full.text and 'hx-target="#results"' in full.text and 'hx-push-url="true"' in full.text
    )
    assert full.text.count('id="results"') == 1


@pytest.mark.django_db
def test_pagination_keeps_the_filters(client, survey_round, company):
    for i in range(25):
        SurveyRecordFactory(
            round=survey_round, owner=company, title=f"Record {i:02d}", reference_ambito="ict"
        )
    response = client.get(CATALOGUE, {"ambito": "ict"})
    assert len(titles(response)) == 20
    assert "ambito=ict&amp;page=2" in response.text
    assert len(titles(client.get(CATALOGUE, {"ambito": "ict", "page": 2}))) == 5


# --- Map ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_map_draws_the_located_records_of_the_filter_without_third_parties(client, survey_round, company):
    north = SurveyRecordFactory(
        round=survey_round,
        owner=company,
        title="North point",
        latitude=Decimal("43.900000"),
        longitude=Decimal("11.100000"),
    )
    east = SurveyRecordFactory(
        round=survey_round,
        owner=company,
        title="East point",
        latitude=Decimal("43.870000"),
        longitude=Decimal("11.140000"),
    )
    SurveyRecordFactory(round=survey_round, owner=company, title="Nowhere")
    SurveyRecordFactory(
        round=survey_round,
        owner=company,
        title="Hidden point",
        visibility=Visibility.RESERVED,
        latitude=Decimal("43.880000"),
        longitude=Decimal("11.000000"),
    )
    response = client.get(CATALOGUE)
    html = response.text
    assert "<svg" in html and "<circle" in html
    assert f'<a class="cs-map-point" href="{detail_url(north)}" tabindex="0"><title>North point' in html
    assert html.count("<circle") == 2
    assert "Hidden point" not in html
    # No tile server, no third-party script or style.
    assert (
        "tile" not in html.lower() and "leaflet" not in html.lower() and "openstreetmap" not in html.lower()
    )
    # The table equivalent lists the same records.
    assert "<caption>" in html and html.count(f'href="{detail_url(east)}"') >= 3
    located = response.context["map"]
    points = {p.title: p for p in located.points}
    assert points["North point"].y < points["East point"].y
    assert points["East point"].x > points["North point"].x
    for p in located.points:
        assert 0 <= p.x <= located.width and 0 <= p.y <= located.height
    # The map follows the filter.
    assert "<circle" not in client.get(CATALOGUE, {"q": "Nowhere"}).text


# --- Detail page ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_shows_every_field(client, survey_round, company, host):
    earlier_round = SurveyRoundFactory(title="Survey 2017", year=2017, status=RoundStatus.PUBLISHED)
    first = SurveyRecordFactory(round=earlier_round, owner=company, title="Leak detection v1")
    record = SurveyRecordFactory(
        round=survey_round,
        owner=company,
        title="Leak detection",
        description="Acoustic sensors on the water network.",
        reference_ambito="environment",
        audience_citizens=True,
        audience_businesses=True,
        budget=Decimal("123456.78"),
        cup="B41H17000010005",
        latitude=Decimal("43.880000"),
        longitude=Decimal("11.100000"),
        links="https://example.org/leaks\njavascript:alert(1)",
        update_of=first,
        is_demo=True,
    )
    later_round = SurveyRoundFactory(title="Survey 2023", year=2023, status=RoundStatus.PUBLISHED)
    SurveyRecordFactory(round=later_round, owner=company, title="Leak detection v3", update_of=record)
    RecordImpact.objects.create(record=record, ambito="living")
    RecordPartner.objects.create(record=record, organisation=host, role="funder")
    RecordPartner.objects.create(record=record, name="Sensor maker", role="supplier")
    FundingSource.objects.create(record=record, type="eu", programme="Horizon", amount=Decimal("100000"))
    FundingSource.objects.create(record=record, type="own", amount=Decimal("23456.78"))
    html = client.get(detail_url(record)).text
    for text in [
        "Leak detection",
        "Acoustic sensors on the water network.",
        "Acqua Esempio S.p.A.",
        "Indagine di prova",
        "B41H17000010005",
        "Comune di Esempio",
        "Sensor maker",
        "Horizon",
        "Leak detection v1",
        "Leak detection v3",
        italian("Smart Environment"),
        italian("Smart Living"),
        italian("Funder"),
        italian("Supplier"),
        italian("European Union"),
        italian("Own funds"),
        italian("Demo content"),
    ]:
        assert text in html, text
    audiences = ", ".join(italian(a) for a in ("citizens", "businesses"))
    assert audiences[0].upper() + audiences[1:] in html
    assert '<a href="https://example.org/leaks" rel="nofollow ugc noopener">' in html
    assert 'href="javascript:' not in html
    assert detail_url(first) in html


# --- Query counts do not grow with the data -------------------------------------------------------------


def _bulk_records(n: int, survey_round, owners) -> None:
    records = SurveyRecord.objects.bulk_create(
        [
            SurveyRecord(
                round=survey_round,
                owner=owners[i % len(owners)],
                kind=RecordKind.PROJECT if i % 3 else RecordKind.IDEA,
                title=f"Bulk record {i:04d}",
                description="Generated for the query count test.",
                reference_ambito=["mobility", "environment", "ict"][i % 3],
                status=RecordStatus.IN_PROGRESS,
                audience_citizens=True,
                budget=Decimal(i * 1000),
                # Four in five are located: with 1,000 records the map holds more than it draws.
                latitude=Decimal("43.88") + Decimal(i % 50) / 1000 if i % 5 else None,
                longitude=Decimal("11.10") + Decimal(i % 70) / 1000 if i % 5 else None,
                is_validated=True,
            )
            for i in range(n)
        ]
    )
    RecordImpact.objects.bulk_create(
        [RecordImpact(record=r, ambito="living") for r in records[: n // 2] if r.reference_ambito != "living"]
    )


# Session, user, roles and memberships, the owner and round choices (and their lookups), the count, the page,
# the map (plus a count when it is truncated), the unread notifications badge of the header: fixed, whatever the
# number of records.
LIST_QUERIES = 12
DETAIL_QUERIES = 9


@pytest.mark.django_db
@pytest.mark.parametrize("n", [10, 1000])
@pytest.mark.parametrize("who", ["anonymous", "plan_office", "member"])
def test_query_counts_do_not_grow(
    client, django_assert_max_num_queries, request, survey_round, host, company, n, who
):
    _bulk_records(n, survey_round, [host, company])
    if who == "member":
        client.force_login(MembershipFactory(organisation=company).user)
    elif who == "plan_office":
        client.force_login(request.getfixturevalue("plan_office"))
    params = {
        "ambito": "environment",
        "impact": "on",
        "owner_type": "participated_company",
        "owner": company.slug,
        "status": "in_progress",
        "audience": "citizens",
        "kind": "project",
        "round": survey_round.slug,
        "q": "bulk",
        "sort": "budget",
        "reserved": "on",
        "page": "2",
    }
    client.get(reverse("core:home"))  # site settings are created and cached on the first page ever served
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert titles(response)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(CATALOGUE, {"sort": "newest"})
    assert len(titles(response)) == min(n, 20)
    assert response.context["map"].truncated == (n == 1000)
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(CATALOGUE, {"sort": "newest"}, headers={"HX-Request": "true"})
    record = SurveyRecord.objects.filter(round=survey_round).order_by("pk").first()
    FundingSource.objects.create(record=record, type="own", amount=Decimal(1))
    RecordPartner.objects.create(record=record, organisation=company, role="partner")
    SurveyRecordFactory(round=SurveyRoundFactory(year=2024), owner=host, update_of=record)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        assert client.get(detail_url(record)).status_code == 200


# --- Landing page, navigation, site search --------------------------------------------------------------


@pytest.mark.django_db
def test_home_lists_published_rounds_with_counts_and_links(client, survey_round, company):
    SurveyRoundFactory(title="Round still open", status=RoundStatus.OPEN)
    SurveyRecordFactory(round=survey_round, owner=company, kind=RecordKind.PROJECT)
    SurveyRecordFactory(round=survey_round, owner=company, kind=RecordKind.IDEA, status=RecordStatus.IDEA)
    SurveyRecordFactory(round=survey_round, owner=company, is_validated=False)
    conductor = OrganisationFactory(name="Research Centre")
    survey_round.conducted_by.add(conductor)
    response = client.get(reverse("survey:home"))
    assert response.status_code == 200
    html = response.text
    assert "Indagine di prova" in html
    assert "Round still open" not in html
    assert "Research Centre" in html
    assert reverse("survey:report", kwargs={"slug": survey_round.slug}) in html
    assert CATALOGUE in html
    shown = response.context["rounds"][0]
    assert (shown.record_count, shown.project_count, shown.idea_count) == (2, 1, 1)
    assert reverse("survey:my_invitations") not in html
    assert reverse("survey:round_list") not in html


@pytest.mark.django_db
def test_home_links_respondents_and_staff_to_their_pages(client, plan_office, organisation, member):
    InvitationFactory(organisation=organisation)
    client.force_login(member)
    html = client.get(reverse("survey:home")).text
    assert reverse("survey:my_invitations") in html
    assert reverse("survey:round_list") not in html
    client.force_login(plan_office)
    html = client.get(reverse("survey:home")).text
    assert reverse("survey:round_list") in html


def test_survey_is_in_the_main_navigation():
    assert "survey:home" in [item.url_name for item in navigation()]


@pytest.mark.django_db
def test_site_search_finds_only_what_the_user_may_see(plan_office, records):
    from django.contrib.auth.models import AnonymousUser

    assert catalogue.search_records in list(search_providers())
    section = catalogue.search_records(query="public", user=AnonymousUser(), limit=10)
    assert sorted(hit.title for hit in section.hits) == ["Host public portal", "Public water sensors"]
    assert section.total == 2
    section = catalogue.search_records(query="reserved", user=AnonymousUser(), limit=10)
    assert section.hits == []
    section = catalogue.search_records(query="reserved", user=plan_office, limit=10)
    assert sorted(hit.title for hit in section.hits) == ["Reserved leak study", "University reserved"]
    assert "reserved=on" in section.more_url
    section = catalogue.search_records(query="public", user=AnonymousUser(), limit=1)
    assert len(section.hits) == 1 and section.total == 2


@pytest.mark.django_db
def test_site_search_page_shows_survey_records(client, records):
    response = client.get(reverse("core:search"), {"q": "water"})
    assert "Public water sensors" in response.text
    assert "Reserved leak study" not in client.get(reverse("core:search"), {"q": "leak"}).text
