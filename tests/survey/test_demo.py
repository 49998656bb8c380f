"""The survey part of the Prato demo: the published totals, the 2021 update, idempotency."""

import time

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from cittasmart.core.registry import demo_loaders
from cittasmart.stakeholders.models import OrganisationCategory
from cittasmart.survey import demo
from cittasmart.survey.models import (
    FundingSource,
    Invitation,
    InvitationEvent,
    RecordImpact,
    RecordKind,
    RecordPartner,
    RecordRevision,
    RoundStatus,
    SurveyRecord,
    SurveyRound,
)
from cittasmart.survey.report import round_report

SURVEY_MODELS = [
    SurveyRound,
    SurveyRecord,
    RecordImpact,
    RecordPartner,
    FundingSource,
    RecordRevision,
    Invitation,
    InvitationEvent,
]


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in SURVEY_MODELS}
    counts["conducted_by"] = SurveyRound.conducted_by.through.objects.count()
    return counts


@pytest.fixture
def demo_rounds(db):
    call_command("load_demo", quiet_accounts=True)
    first = SurveyRound.objects.get(title="Indagine 2016/2017")
    second = SurveyRound.objects.get(title="Aggiornamento febbraio 2021")
    return first, second


def test_first_round_matches_the_published_totals(demo_rounds):
    first, _second = demo_rounds
    records = SurveyRecord.objects.filter(round=first)
    assert first.year == 2017
    assert first.status == RoundStatus.PUBLISHED
    assert first.is_demo
    assert sorted(first.conducted_by.values_list("name", flat=True)) == sorted([demo.CISPEL, demo.PIN])
    assert records.count() == 150
    assert records.filter(is_validated=True).count() == 150
    assert records.filter(kind=RecordKind.PROJECT).count() == 98
    assert records.filter(kind=RecordKind.IDEA).count() == 52
    assert records.filter(owner__is_host_entity=True).count() == 39
    assert (
        records.filter(
            owner__is_host_entity=False, owner__category=OrganisationCategory.PARTICIPATED_COMPANY
        ).count()
        == 111
    )


def test_first_round_ict_section_matches_the_published_finding(demo_rounds):
    # DOMAIN.md: "19 projects in all, 2 initiatives in design, and 4 projects from other ambiti with impact on ICT".
    first, _second = demo_rounds
    report = round_report(survey_round=first)
    ict = next(row for row in report.per_ambito if row.ambito.slug == "ict")
    assert ict.projects.total == 19
    assert ict.ideas.total == 2
    assert ict.impact_projects == 4
    assert ict.impact_ideas == 0
    assert ict.impact_total == 4
    # The other published totals, through the same computation.
    assert report.records == 150
    assert report.totals.projects.total == 98
    assert report.totals.ideas.total == 52
    assert report.totals.records.host_entity == 39
    assert report.totals.records.participated_company == 111
    assert report.totals.records.other == 0
    # The impact column of the matrix agrees: only the 4 projects of other ambiti, no ICT record on itself.
    ict_column = [a.slug for a in report.ambiti].index("ict")
    assert report.matrix_column_totals[ict_column] == 4


def test_ict_figures_are_fixed_by_the_generation_not_by_chance():
    first, _second = demo.build_specs()
    ict = [spec for spec in first if spec.fields["reference_ambito"] == "ict"]
    assert sum(spec.fields["kind"] == RecordKind.PROJECT for spec in ict) == demo.ICT_PROJECTS == 19
    assert sum(spec.fields["kind"] == RecordKind.IDEA for spec in ict) == demo.ICT_IDEAS == 2
    on_ict = [
        spec for spec in first if spec.fields["reference_ambito"] != "ict" and "ict" in spec.impact_ambiti
    ]
    assert len(on_ict) == demo.ICT_IMPACT_PROJECTS == 4
    assert all(spec.fields["kind"] == RecordKind.PROJECT for spec in on_ict)


def test_first_round_is_spread_over_every_ambito_with_details(demo_rounds):
    first, _second = demo_rounds
    records = SurveyRecord.objects.filter(round=first)
    per_ambito = dict(records.values_list("reference_ambito").annotate(n=Count("id")).order_by())
    assert len(per_ambito) == 7
    assert min(per_ambito.values()) >= 5
    assert RecordImpact.objects.filter(record__round=first).exists()
    assert FundingSource.objects.filter(record__round=first).values("type").distinct().count() >= 3
    assert RecordPartner.objects.filter(record__round=first).exists()
    assert records.filter(budget__isnull=False).count() > 75
    assert records.values("status").distinct().count() == 5
    assert (
        records.filter(audience_businesses=True).exists() and records.filter(audience_schools=True).exists()
    )
    located = records.filter(latitude__isnull=False)
    assert located.count() >= 5
    for latitude, longitude in located.values_list("latitude", "longitude"):
        assert 43.8 < float(latitude) < 43.95 and 11.0 < float(longitude) < 11.2


def test_update_round_matches_the_published_facts(demo_rounds):
    first, second = demo_rounds
    records = SurveyRecord.objects.filter(round=second)
    assert second.year == 2021
    assert second.previous_round == first
    assert second.status == RoundStatus.PUBLISHED
    assert records.count() == 133
    assert records.filter(is_validated=True).count() == 133
    updates = records.filter(update_of__isnull=False)
    assert updates.count() == 99
    assert not updates.exclude(update_of__round=first).exists()
    assert not updates.exclude(owner=F("update_of__owner")).exists()
    new = records.filter(update_of__isnull=True)
    assert new.count() == 34
    assert records.values("owner").distinct().count() == 10
    assert not records.exclude(owner__category=OrganisationCategory.PARTICIPATED_COMPANY).exists()
    environment_or_mobility = new.filter(reference_ambito__in=["environment", "mobility"]).count()
    assert environment_or_mobility > 34 / 2
    # Updates move on: some change status, some stay as they were.
    changed = sum(1 for r in updates.select_related("update_of") if r.status != r.update_of.status)
    assert 0 < changed < 99


def test_every_demo_record_is_marked_as_an_example(demo_rounds):
    records = SurveyRecord.objects.filter(round__in=demo_rounds)
    assert not records.filter(is_demo=False).exists()
    assert not records.exclude(description__startswith="Esempio dimostrativo.").exists()
    assert all(r.is_demo for r in demo_rounds)


def test_a_second_run_changes_nothing(demo_rounds):
    before = _counts()
    survey_loader = next(loader for loader in demo_loaders() if loader is demo.load)
    assert survey_loader() == 0
    call_command("load_demo", quiet_accounts=True)
    assert _counts() == before


def test_generation_is_deterministic():
    first_a, second_a = demo.build_specs()
    first_b, second_b = demo.build_specs()
    assert first_a == first_b
    assert second_a == second_b
    assert len({spec.title for spec in first_a}) == 150
    assert len({spec.title for spec in second_a}) == 133


@pytest.mark.django_db
def test_the_whole_demo_loads_quickly():
    started = time.perf_counter()
    call_command("load_demo", quiet_accounts=True)
    assert time.perf_counter() - started < 20
