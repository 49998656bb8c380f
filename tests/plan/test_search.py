"""Plan actions in the site search: by code, title and description, only from the versions the person may see."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext

from cittasmart.plan.search import search_actions
from tests.factories import ActionFactory, PlanFactory, PlanVersionFactory, UserFactory, publish

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL=postgres://…"
)


def titles(section) -> list[str]:
    return [hit.title for hit in section.hits]


def search(query: str, user=None, limit: int = 10):
    return search_actions(query=query, user=user or AnonymousUser(), limit=limit)


@pytest.fixture
def plan(db):
    return PlanFactory()


@pytest.fixture
def versions(plan):
    """A published version (2017) and the draft of the next one, each with its copy of the bike lane action."""
    published = PlanVersionFactory(plan=plan, title="Schema preliminare", slug="2017")
    bike_lane = ActionFactory(
        version=published, code="MOB-01", title="Ciclovia del Bisenzio", description="Dieci chilometri."
    )
    ActionFactory(version=published, code="ENE-01", title="Lampioni a LED", description="Lungo la ciclovia.")
    ActionFactory(version=published, code="DIG-01", title="Fibra nelle scuole", description="Banda larga.")
    publish(published)
    draft = PlanVersionFactory(plan=plan, title="Linee attuative", slug="2019")
    ActionFactory(
        version=draft,
        key=bike_lane.key,
        code="MOB-01",
        title="Ciclovia del Bisenzio",
        description="Venti chilometri.",
    )
    return {"published": published, "draft": draft}


def action_url(version: str, code: str) -> str:
    return reverse("plan:action", kwargs={"version": version, "code": code})


def test_the_public_finds_actions_of_published_versions_only(versions, client):
    section = search("ciclovia")

    assert sorted(titles(section)) == ["Ciclovia del Bisenzio", "Lampioni a LED"]
    assert section.total == 2
    assert {hit.url for hit in section.hits} == {action_url("2017", "MOB-01"), action_url("2017", "ENE-01")}
    for hit in section.hits:
        assert client.get(hit.url).status_code == 200
    assert search("ciclovia", user=UserFactory()).total == 2
    assert search("venti").hits == []  # only in the draft


def test_the_plan_office_finds_the_drafts_copy_of_an_action(versions, plan_office, client):
    [hit] = search("bisenzio", user=plan_office).hits

    assert hit.url == action_url("2019", "MOB-01")
    assert f"Linee attuative ({gettext('Draft')})" in hit.summary
    assert search("venti", user=plan_office).total == 1
    assert search("dieci", user=plan_office).total == 0  # the text of the older copy
    client.force_login(plan_office)
    assert client.get(hit.url).status_code == 200


def test_an_action_kept_in_several_versions_is_found_once_in_the_newest(plan):
    first = PlanVersionFactory(plan=plan, slug="2017")
    kept = ActionFactory(version=first, code="MOB-01", title="Ciclovia del Bisenzio")
    ActionFactory(version=first, code="MOB-02", title="Ciclovia della Val di Bisenzio")  # dropped later
    publish(first)
    second = PlanVersionFactory(plan=plan, slug="2019")
    ActionFactory(version=second, key=kept.key, code="MOB-01", title="Ciclovia del Bisenzio")
    publish(second)

    section = search("ciclovia")

    assert [hit.url for hit in section.hits] == [action_url("2019", "MOB-01"), action_url("2017", "MOB-02")]
    assert section.total == 2


def test_actions_are_found_by_code_and_the_summary_says_what_they_are(versions):
    [hit] = search("DIG-01").hits

    assert hit.title == "Fibra nelle scuole"
    assert hit.summary.startswith(f"{gettext('Action')} DIG-01 · Schema preliminare · {gettext('Approved')}.")
    assert "Banda larga." in hit.summary


def test_the_section_counts_beyond_the_limit(versions):
    section = search("ciclovia", limit=1)

    assert len(section.hits) == 1
    assert section.total == 2
    assert section.more_url == reverse("plan:home")


def test_without_a_plan_nothing_is_found(db):
    section = search("ciclovia")

    assert section.hits == [] and section.total == 0


@on_postgres
@pytest.mark.postgres
def test_on_postgresql_other_word_forms_match_and_titles_come_first(plan):
    version = PlanVersionFactory(plan=plan)
    ActionFactory(version=version, code="A-01", title="Sensori", description="Per le piste ciclabili.")
    ActionFactory(version=version, code="A-02", title="Pista ciclabile", description="In centro.")
    publish(version)

    # By code alone A-01 would come first: its match is only in the description.
    assert titles(search("ciclabili")) == ["Pista ciclabile", "Sensori"]
