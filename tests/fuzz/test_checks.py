"""The checks of the fuzz tests catch what they are meant to catch (a fuzz test that cannot fail proves nothing)."""

import pytest
from django.db.models import F
from django.utils import timezone

from cittasmart.participation.models import Idea
from cittasmart.stakeholders.models import Organisation
from tests.factories import IdeaFactory, OrganisationFactory
from tests.fuzz import checks, strategies
from tests.fuzz.htmlforms import Field, fields_posting_to

pytestmark = pytest.mark.django_db


def test_a_new_row_is_a_changed_table_and_a_session_is_not(client, user):
    before = checks.snapshot()
    client.force_login(user)
    assert checks.changed_tables(before, checks.snapshot()) == {}
    OrganisationFactory()
    assert "stakeholders_organisation" in checks.changed_tables(before, checks.snapshot())


def test_a_nul_character_or_an_invalid_row_written_by_a_success_is_a_problem(is_postgres):
    before, since = checks.snapshot(), timezone.now()
    if not is_postgres:  # PostgreSQL cannot store it at all
        OrganisationFactory(name="Estra\x00")
    Organisation.objects.create(name="No address", slug="", category="enterprise")

    problems = checks.coherence_problems(before, since)

    assert any("NUL in name" in problem for problem in problems) != is_postgres
    assert any("'slug'" in problem for problem in problems)


def test_a_counter_that_does_not_match_its_rows_is_a_problem():
    idea = IdeaFactory()
    assert checks.counter_problems() == []
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
    assert checks.counter_problems() == [f"idea {idea.pk}: counters 1/0, rows 0/0"]


def test_the_form_reader_finds_fields_values_and_traps():
    html = """
    <form method="get" action="/search/"><input name="q"></form>
    <form method="post" action="/save/?next=/x/">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="title" value="Piano" maxlength="20" required>
      <input type="number" name="year" min="2000" max="2100" required>
      <input name="website" tabindex="-1">
      <select name="kind"><option value="">---</option><option value="a" selected>A</option><option>b</option></select>
      <select name="tags" multiple><option value="1">1</option><option value="2">2</option></select>
      <textarea name="body">
Testo</textarea>
      <button name="op" value="save">Save</button><button name="op" value="publish">Publish</button>
    </form>
    """
    fields = fields_posting_to(html, "/page/", "/save/")

    assert set(fields) == {"csrfmiddlewaretoken", "title", "year", "website", "kind", "tags", "body", "op"}
    assert fields["kind"].values == ["a", "", "b"] and fields["tags"].multiple
    assert fields["body"].values == ["Testo"] and fields["op"].values == ["save", "publish"]
    assert fields_posting_to(html, "/page/", "/search/") is None  # a GET form
    unchanged = strategies.unchanged_submission(fields)
    assert unchanged["title"] == "Piano" and unchanged["kind"] == "a" and unchanged["op"] == "save"
    assert unchanged["website"] == "" and unchanged["year"] == "2021"


def test_plausible_values_keep_to_the_limits_of_the_input():
    short = Field(name="code", kind="text", max_length=5, required=True)
    assert all(len(v) <= 5 for v in strategies.plausible_values(short))
    year = Field(name="year", kind="number", minimum="2000", maximum="2030", required=True)
    assert set(strategies.plausible_values(year)) == {"2021", "2000", "2030"}
