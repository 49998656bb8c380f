"""The survey report: exact figures on a small hand-built round, the page, the CSV, permissions, query bounds."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cittasmart.core.ambiti import AMBITI
from cittasmart.core.roles import Role
from cittasmart.core.services import site_settings_get
from cittasmart.core.spreadsheet import neutralise
from cittasmart.stakeholders.models import OrganisationCategory
from cittasmart.survey.models import (
    FundingSource,
    RecordImpact,
    RecordKind,
    RecordStatus,
    RoundStatus,
    SurveyRecord,
)
from cittasmart.survey.report import round_report
from tests.factories import OrganisationFactory, SurveyRecordFactory, SurveyRoundFactory, UserFactory

PROJECT, IDEA = RecordKind.PROJECT, RecordKind.IDEA
SLUGS = [a.slug for a in AMBITI]


def english_url(name: str, slug: str) -> str:
    with translation.override("en"):
        return reverse(name, kwargs={"slug": slug})


def record(survey_round, owner, kind, ambito, *, impacts=(), funding=(), **fields):
    defaults = {
        "title": f"{owner.name} {ambito} {kind}",
        "description": "",
        "status": RecordStatus.IN_PROGRESS if kind == PROJECT else RecordStatus.IDEA,
    }
    obj = SurveyRecordFactory(
        round=survey_round, owner=owner, kind=kind, reference_ambito=ambito, **{**defaults, **fields}
    )
    for impact in impacts:
        RecordImpact.objects.create(record=obj, ambito=impact)
    for funding_type, amount in funding:
        FundingSource.objects.create(record=obj, type=funding_type, amount=Decimal(amount))
    return obj


@pytest.fixture
def dataset(db):
    """Two rounds (and an older one) built by hand; the comments give what each record must count as."""
    comune = OrganisationFactory(
        name="Comune di Test", is_host_entity=True, category=OrganisationCategory.PUBLIC_BODY
    )
    alpha = OrganisationFactory(name="Alpha Servizi", category=OrganisationCategory.PARTICIPATED_COMPANY)
    beta = OrganisationFactory(name="=Beta", category=OrganisationCategory.PARTICIPATED_COMPANY)
    gamma = OrganisationFactory(name="Gamma University", category=OrganisationCategory.UNIVERSITY_RESEARCH)

    oldest = SurveyRoundFactory(title="Round 2014", year=2014, status=RoundStatus.PUBLISHED)
    previous = SurveyRoundFactory(
        title="Round 2016", year=2016, status=RoundStatus.PUBLISHED, previous_round=oldest
    )
    current = SurveyRoundFactory(
        title="Round 2021", year=2021, status=RoundStatus.PUBLISHED, previous_round=previous
    )

    g_older = record(oldest, gamma, PROJECT, "people")
    p_a1 = record(previous, alpha, PROJECT, "mobility", title="Smart parking", budget=Decimal(5000))
    p_a2 = record(
        previous,
        alpha,
        PROJECT,
        "environment",
        title="Waste sensors",
        description="Fill-level sensors.",
        budget=Decimal(2000),
        planned_start=date(2020, 1, 1),
    )
    p_b1 = record(previous, beta, IDEA, "environment")  # dropped: its only update is not validated
    record(previous, comune, PROJECT, "living")  # dropped: no update at all
    record(previous, gamma, PROJECT, "ict", is_validated=False)  # not counted in the previous round

    # This round: 6 validated records (4 projects, 2 ideas) and one not validated.
    record(  # new; host entity project in mobility, with impact on environment and ICT
        current,
        comune,
        PROJECT,
        "mobility",
        impacts=["environment", "ict"],
        funding=[("eu", "600"), ("municipal", "400")],
        audience_citizens=True,
        audience_internal=True,
        budget=Decimal(1000),
        cup="B51H17000010004",
    )
    record(current, comune, IDEA, "ict", impacts=["governance"], audience_citizens=True)  # new
    record(  # updated with changes (status)
        current,
        alpha,
        PROJECT,
        "mobility",
        impacts=["ict"],
        funding=[("own", "5000")],
        title="Smart parking",
        status=RecordStatus.COMPLETED,
        audience_businesses=True,
        budget=Decimal(5000),
        cup="B51H17000010005",
        update_of=p_a1,
    )
    a2 = record(  # updated, unchanged (null dates equal null dates); an impact on its own ambito too
        current,
        alpha,
        PROJECT,
        "environment",
        title="Waste sensors",
        description="Fill-level sensors.",
        budget=Decimal(2000),
        planned_start=date(2020, 1, 1),
        audience_citizens=True,
        audience_schools=True,
        update_of=p_a2,
    )
    RecordImpact.objects.create(record=a2, ambito="environment")
    record(  # new; no audience
        current,
        beta,
        IDEA,
        "environment",
        impacts=["mobility"],
        funding=[("regional", "100"), ("regional", "50"), ("private", "200")],
        status=RecordStatus.PLANNED,
        budget=Decimal(300),
    )
    record(  # update of a record two rounds back
        current,
        gamma,
        PROJECT,
        "people",
        impacts=["ict"],
        status=RecordStatus.SUSPENDED,
        audience_schools=True,
        update_of=g_older,
    )
    record(  # not validated: counted nowhere
        current,
        alpha,
        PROJECT,
        "ict",
        impacts=["governance"],
        funding=[("eu", "999")],
        budget=Decimal(999),
        audience_citizens=True,
        is_validated=False,
        update_of=p_b1,
    )
    return {"current": current, "previous": previous, "oldest": oldest}


# --- Figures ------------------------------------------------------------------------------------------------


def test_totals_by_kind_and_owner_type(dataset):
    report = round_report(survey_round=dataset["current"])
    totals = report.totals
    assert report.records == 6
    assert (totals.projects.total, totals.ideas.total) == (4, 2)
    assert totals.projects.values == [1, 2, 1]  # host entity, participated companies, other
    assert totals.ideas.values == [1, 1, 0]
    assert totals.records.values == [2, 3, 1]
    assert totals.organisations == 4


def test_per_ambito_by_owner_type_with_impacts_from_other_ambiti(dataset):
    rows = {row.ambito.slug: row for row in round_report(survey_round=dataset["current"]).per_ambito}
    assert list(rows) == SLUGS
    figures = {
        slug: (row.projects.values, row.ideas.values, row.impact_projects, row.impact_ideas)
        for slug, row in rows.items()
    }
    assert figures == {
        "governance": ([0, 0, 0], [0, 0, 0], 0, 1),  # the Comune's ICT idea; the unvalidated one is left out
        "economy": ([0, 0, 0], [0, 0, 0], 0, 0),
        "mobility": ([1, 1, 0], [0, 0, 0], 0, 1),  # Beta's environment idea
        "environment": ([0, 1, 0], [0, 1, 0], 1, 0),  # the Comune's mobility project, not a2's own impact
        "people": ([0, 0, 1], [0, 0, 0], 0, 0),
        "living": ([0, 0, 0], [0, 0, 0], 0, 0),
        "ict": ([0, 0, 0], [1, 0, 0], 3, 0),  # two mobility projects and one people project
    }
    assert rows["ict"].impact_total == 3


def test_reference_by_impact_matrix(dataset):
    report = round_report(survey_round=dataset["current"])
    cells = {
        (row.ambito.slug, impact): value
        for row in report.matrix
        for impact, value in zip(SLUGS, row.cells, strict=True)
        if value
    }
    assert cells == {
        ("mobility", "environment"): 1,
        ("mobility", "ict"): 2,
        ("ict", "governance"): 1,
        ("environment", "mobility"): 1,
        ("environment", "environment"): 1,  # shown in the matrix, never counted as "from other ambiti"
        ("people", "ict"): 1,
    }
    assert [row.ambito.slug for row in report.matrix] == SLUGS
    assert dict(zip(SLUGS, report.matrix_column_totals, strict=True)) == {
        "governance": 1,
        "economy": 0,
        "mobility": 1,
        "environment": 2,
        "people": 0,
        "living": 0,
        "ict": 3,
    }


def test_audience_status_budget_and_funding(dataset):
    report = round_report(survey_round=dataset["current"])
    assert {s.key: s.count for s in report.audience} == {
        "citizens": 3,
        "businesses": 1,
        "schools": 2,
        "internal": 1,
    }
    assert {s.key: s.percent for s in report.audience}["citizens"] == 50
    assert report.records_without_audience == 1
    assert {s.key: s.count for s in report.status} == {
        "idea": 1,
        "planned": 1,
        "in_progress": 2,
        "completed": 1,
        "suspended": 1,
    }
    assert report.budget_total == Decimal(8300)
    assert report.records_with_budget == 4
    assert report.records_with_cup == 2
    assert {row.key: (row.amount, row.sources, row.records) for row in report.funding} == {
        "eu": (Decimal(600), 1, 1),
        "national": (Decimal(0), 0, 0),
        "pnrr": (Decimal(0), 0, 0),
        "regional": (Decimal(150), 2, 1),
        "municipal": (Decimal(400), 1, 1),
        "own": (Decimal(5000), 1, 1),
        "private": (Decimal(200), 1, 1),
    }
    assert report.funding_total == Decimal(6350)


def test_per_organisation_summary(dataset):
    report = round_report(survey_round=dataset["current"])
    assert {
        row.name: (row.owner_type, row.projects, row.ideas, row.total, row.budget)
        for row in report.organisations
    } == {
        "=Beta": ("participated_company", 0, 1, 1, Decimal(300)),
        "Alpha Servizi": ("participated_company", 2, 0, 2, Decimal(7000)),
        "Comune di Test": ("host_entity", 1, 1, 2, Decimal(1000)),
        "Gamma University": ("other", 1, 0, 1, None),
    }


def test_comparison_with_the_previous_round(dataset):
    comparison = round_report(survey_round=dataset["current"]).comparison
    assert comparison.previous_round == dataset["previous"]
    assert (comparison.organisations, comparison.previous_organisations) == (4, 3)
    total = comparison.total
    assert (total.updated, total.updated_changed, total.unchanged) == (2, 1, 1)
    assert (total.new, total.dropped, total.updated_older) == (3, 2, 1)
    assert total.previous_records == 4
    assert total.records == comparison.records == 6
    rows = {row.key: row for row in comparison.per_ambito}
    figures = {
        slug: (row.previous_records, row.updated, row.unchanged, row.new, row.dropped, row.updated_older)
        for slug, row in rows.items()
        if row.previous_records or row.records
    }
    assert figures == {
        "mobility": (1, 1, 0, 1, 0, 0),
        "environment": (2, 1, 1, 1, 1, 0),
        "living": (1, 0, 0, 0, 1, 0),
        "people": (0, 0, 0, 0, 0, 1),
        "ict": (0, 0, 0, 1, 0, 0),
    }
    assert [row.key for row in comparison.leading_ambiti] == ["mobility", "environment"]


def test_any_compared_field_makes_an_update_changed(dataset):
    current = dataset["current"]
    unchanged = SurveyRecord.objects.get(round=current, title="Waste sensors")
    for field, value in [
        ("description", "Other text."),
        ("budget", None),
        ("planned_start", None),
        ("actual_end", date(2022, 1, 1)),
        ("reference_ambito", "living"),
    ]:
        before = getattr(unchanged, field)
        SurveyRecord.objects.filter(pk=unchanged.pk).update(**{field: value})
        assert round_report(survey_round=current).comparison.total.unchanged == 0, field
        SurveyRecord.objects.filter(pk=unchanged.pk).update(**{field: before})
    assert round_report(survey_round=current).comparison.total.unchanged == 1


def test_first_round_has_no_comparison_and_an_empty_round_is_all_zeros(db):
    report = round_report(survey_round=SurveyRoundFactory())
    assert report.comparison is None
    assert report.records == 0
    assert report.budget_total == Decimal(0)
    assert all(row.total == 0 for row in report.matrix)


# --- The page -----------------------------------------------------------------------------------------------


def report_article(response) -> str:
    html = response.content.decode()
    return html[html.index('<article class="cs-report">') : html.index("</article>")]


def test_published_report_is_public_and_states_the_figures_plainly(client, dataset):
    response = client.get(english_url("survey:report", dataset["current"].slug))
    assert response.status_code == 200
    html = report_article(response)
    assert "6 items: 4 projects and 2 ideas." in html
    assert (
        "By owner: 3 from participated companies, 2 from the entity (Comune), 1 from other organisations."
        in html
    )
    assert (
        "6 items in this round: 2 updated from the previous round (1 with changes, 1 unchanged) and 3 new."
        in html
    )
    assert "1 more item updates an item of an earlier round." in html
    assert "2 of the 4 items of the previous round were not updated in this round (dropped)." in html
    assert (
        "Organisations interviewed (owners of at least one item): 4 in this round, 3 in the previous round."
        in html
    )
    assert "Total budget: € 8,300, stated by 4 items." in html
    assert "2 items have a CUP" in html
    assert html.count("&#x27;=Beta") == 0 and "=Beta" in html  # the page shows the name as it is
    assert f'href="{english_url("survey:report", dataset["previous"].slug)}"' in html  # published: linked


def test_every_chart_is_an_svg_image_followed_by_its_table(client, dataset):
    html = report_article(client.get(english_url("survey:report", dataset["current"].slug)))
    charts = html.split("<svg viewBox=")[1:]
    assert len(charts) == 4  # per ambito, audience, status, funding
    for chart in charts:
        head = chart[: chart.index(">")]
        assert 'role="img"' in head and 'aria-label="' in head
        assert "<title>" in chart
        after = chart[chart.index("</svg>") :]
        next_table, next_chart = after.index("<table"), after.find("<svg")
        assert next_chart == -1 or next_table < next_chart
    assert html.count("<caption") == 8
    assert 'scope="row"' in html and 'scope="col"' in html
    assert 'style="' not in html  # the Content Security Policy allows no inline style here
    assert 'href="/en/survey/rounds/' in html and "report.csv" in html


def test_chart_geometry_is_not_localised(client, dataset):
    """Italian writes 12,5: SVG attributes must keep the dot whatever the language of the page."""
    response = client.get(reverse("survey:report", kwargs={"slug": dataset["current"].slug}))  # Italian
    html = report_article(response)
    values = re.findall(r'\s(?:x|y|width|height)="([^"]*)"', html)
    assert values and all(re.fullmatch(r"\d+(\.\d+)?", value) for value in values)
    assert all(
        re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", box) for box in re.findall(r'viewBox="([^"]*)"', html)
    )


@pytest.mark.parametrize("status", [RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED])
def test_unpublished_round_report_is_for_the_plan_office_only(client, db, status):
    survey_round = SurveyRoundFactory(status=status)
    SurveyRecordFactory(round=survey_round)
    for name in ("survey:report", "survey:report_csv"):
        url = english_url(name, survey_round.slug)
        assert client.get(url).status_code == 404
        client.force_login(UserFactory())
        assert client.get(url).status_code == 404
        client.force_login(UserFactory(roles=[Role.PLAN_OFFICE]))
        assert client.get(url).status_code == 200
        client.logout()
    client.force_login(UserFactory(roles=[Role.PLAN_OFFICE]))
    assert (
        "only the plan office can see this report"
        in client.get(english_url("survey:report", survey_round.slug)).content.decode()
    )


def test_comparison_with_an_unpublished_previous_round_is_for_the_plan_office_only(client, dataset):
    """A published round after a draft one: the public must not read the draft's figures through the comparison."""
    dataset["previous"].status = RoundStatus.CLOSED
    dataset["previous"].save()
    page = english_url("survey:report", dataset["current"].slug)
    data = english_url("survey:report_csv", dataset["current"].slug)
    html = report_article(client.get(page))
    assert "No comparison with a previous round is available." in html
    assert "Round 2016" not in html and "items in this round" not in html
    assert not [row for row in csv_table(client.get(data)) if row[0] == "comparison"]
    client.force_login(UserFactory(roles=[Role.PLAN_OFFICE]))
    assert "6 items in this round" in report_article(client.get(page))
    assert ["comparison", "all", "dropped", "2"] in csv_table(client.get(data))


def test_missing_round_is_404(client, db):
    assert client.get(english_url("survey:report", "no-such-round")).status_code == 404
    assert client.get(english_url("survey:report_csv", "no-such-round")).status_code == 404


def test_report_answers_get_only(client, dataset):
    assert client.post(english_url("survey:report", dataset["current"].slug)).status_code == 405


# --- CSV ----------------------------------------------------------------------------------------------------


def csv_table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_holds_every_section_with_neutralised_cells(client, dataset):
    response = client.get(english_url("survey:report_csv", dataset["current"].slug))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="report-' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = csv_table(response)
    assert rows[0] == ["section", "label", "key", "value"]
    cells = {(section, label, key): value for section, label, key, value in rows[1:]}
    expected = {
        ("totals", "all", "total"): "6",
        ("totals", "project", "total"): "4",
        ("totals", "idea", "total"): "2",
        ("totals", "all", "participated_company"): "3",
        ("totals", "all", "host_entity"): "2",
        ("totals", "all", "organisations"): "4",
        ("ambito", "mobility", "projects_host_entity"): "1",
        ("ambito", "mobility", "projects_participated_company"): "1",
        ("ambito", "ict", "impact_from_other_ambiti"): "3",
        ("ambito", "governance", "impact_ideas_from_other_ambiti"): "1",
        ("matrix", "mobility", "ict"): "2",
        ("matrix", "environment", "environment"): "1",
        ("audience", "citizens", "records"): "3",
        ("audience", "none", "records"): "1",
        ("status", "in_progress", "records"): "2",
        ("budget", "all", "total"): "8300.00",
        ("budget", "all", "records_with_cup"): "2",
        ("funding", "regional", "amount"): "150.00",
        ("funding", "regional", "sources"): "2",
        ("funding", "pnrr", "amount"): "0.00",
        ("organisation", "'=Beta", "ideas"): "1",  # neutralised: a spreadsheet would run "=Beta"
        ("organisation", "Alpha Servizi", "budget"): "7000.00",
        ("organisation", "Gamma University", "budget"): "",
        ("comparison", "all", "updated"): "2",
        ("comparison", "all", "updated_with_changes"): "1",
        ("comparison", "all", "unchanged"): "1",
        ("comparison", "all", "new"): "3",
        ("comparison", "all", "dropped"): "2",
        ("comparison", "all", "organisations"): "4",
        ("comparison", "all", "previous_organisations"): "3",
        ("comparison", "environment", "dropped"): "1",
    }
    assert {key: cells.get(key) for key in expected} == expected
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert {row[0] for row in rows[1:]} == {
        "round",
        "totals",
        "ambito",
        "matrix",
        "audience",
        "status",
        "budget",
        "funding",
        "organisation",
        "comparison",
    }


def test_csv_neutralises_a_round_title_that_looks_like_a_formula(client, db):
    survey_round = SurveyRoundFactory(title="@SUM(A1:A9)", status=RoundStatus.PUBLISHED)
    rows = csv_table(client.get(english_url("survey:report_csv", survey_round.slug)))
    assert ["round", survey_round.slug, "title", "'@SUM(A1:A9)"] in rows


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+39 055", "'+39 055"),
        ("-2", "-2"),  # a plain number stays a number
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("Comune di Prato", "Comune di Prato"),
        ("12.50", "12.50"),
        ("", ""),
    ],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


# --- Queries do not grow with the records -------------------------------------------------------------------

# The round and its previous one (2), the report's aggregates (9), and for a signed-in user the session, the
# user and the roles (3); plus one to spare.
REPORT_QUERY_BOUND = 15


def bulk_round(n: int):
    """A published round of ``n`` records (projects and ideas over every ambito and several owners), each with
    impacts and a funding source, updating the records of a previous round of the same size."""
    owners = [
        OrganisationFactory(is_host_entity=True, category=OrganisationCategory.PUBLIC_BODY),
        *OrganisationFactory.create_batch(4),
        OrganisationFactory(category=OrganisationCategory.ENTERPRISE),
    ]
    previous = SurveyRoundFactory(status=RoundStatus.PUBLISHED)
    current = SurveyRoundFactory(status=RoundStatus.PUBLISHED, previous_round=previous)

    def build(survey_round, updates=None):
        records = SurveyRecord.objects.bulk_create(
            SurveyRecord(
                round=survey_round,
                owner=owners[i % len(owners)],
                kind=PROJECT if i % 3 else IDEA,
                title=f"Record {i}",
                reference_ambito=SLUGS[i % len(SLUGS)],
                status=RecordStatus.values[i % len(RecordStatus.values)],
                audience_citizens=bool(i % 2),
                budget=Decimal(i * 100),
                is_validated=True,
                update_of=updates[i] if updates and i % 4 else None,
            )
            for i in range(n)
        )
        RecordImpact.objects.bulk_create(
            RecordImpact(record=r, ambito=SLUGS[(i + 1) % len(SLUGS)]) for i, r in enumerate(records)
        )
        FundingSource.objects.bulk_create(
            FundingSource(record=r, type="eu" if i % 2 else "own", amount=Decimal(50))
            for i, r in enumerate(records)
        )
        return records

    build(current, updates=build(previous))
    site_settings_get()  # cached for an hour in production: its first creation is not the report's cost
    return current


@pytest.mark.parametrize("n", [10, 1000])
@pytest.mark.parametrize("who", ["anonymous", "plan_office"])
def test_report_query_count_does_not_grow_with_records(client, db, django_assert_max_num_queries, n, who):
    survey_round = bulk_round(n)
    if who == "plan_office":
        client.force_login(UserFactory(roles=[Role.PLAN_OFFICE]))
    url = english_url("survey:report", survey_round.slug)
    with django_assert_max_num_queries(REPORT_QUERY_BOUND):
        response = client.get(url)
    assert response.status_code == 200
    assert f"{n} items in this round" in response.content.decode()
    with django_assert_max_num_queries(REPORT_QUERY_BOUND):
        assert client.get(english_url("survey:report_csv", survey_round.slug)).status_code == 200


def test_report_query_count_is_the_same_for_10_and_1000_records(client, db):
    counts = []
    for n in (10, 1000):
        url = english_url("survey:report", bulk_round(n).slug)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
