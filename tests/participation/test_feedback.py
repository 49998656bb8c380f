"""The feedback report of a process: its counts, its page and its CSV file."""

import csv
import io

import pytest
from django.urls import reverse

from cittasmart.participation import feedback, services
from cittasmart.participation.models import Idea, IdeaAnswer
from tests.factories import (
    ActionFactory,
    IdeaFactory,
    PlanVersionFactory,
    ProcessFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions(db):
    version = PlanVersionFactory()
    mob = ActionFactory(version=version, code="PR-MOB1", title="Bike lanes")
    ict = ActionFactory(version=version, code="PR-ICT2", title="Open data")
    publish(version)
    return mob, ict


@pytest.fixture
def report_data(plan_office, moderator, actions):
    """A collecting process (which allows answers) with ideas in every standing, answered by the services."""
    mob, ict = actions
    process = ProcessFactory(title="Prato digitale")
    ideas = {
        "bikes": IdeaFactory(process=process, title="Bikes", ambito="mobility"),
        "lanes": IdeaFactory(process=process, title="Lanes", ambito="mobility"),
        "sensors": IdeaFactory(process=process, title="Sensors", ambito="environment"),
        "bus": IdeaFactory(process=process, title="Night bus", ambito="mobility"),
        "misc": IdeaFactory(process=process, title="Something", ambito="", status="evaluating"),
        "gone": IdeaFactory(process=process, title="Withdrawn idea", ambito="mobility", status="withdrawn"),
        "hidden": IdeaFactory(process=process, title="Hidden idea", ambito="mobility"),
        "pending": IdeaFactory(
            process=process, title="Pending idea", ambito="mobility", status="pending", published_at=None
        ),
    }
    services.answer_save(
        actor=plan_office,
        idea=ideas["bikes"],
        outcome="accepted",
        text="Yes: see **PR-MOB1**.\n\nThe lanes start in spring.",
        actions=[mob, ict],
    )
    services.answer_save(
        actor=plan_office, idea=ideas["lanes"], outcome="accepted", text="Covered.", actions=[mob]
    )
    services.answer_save(actor=plan_office, idea=ideas["sensors"], outcome="rejected", text="Not now.")
    services.content_hide(actor=moderator, idea=ideas["hidden"], reason="Spam")
    IdeaFactory(process=ProcessFactory(), title="Other process idea", ambito="mobility")
    return process, ideas


def test_counts_by_outcome_and_domain(report_data):
    process, _ideas = report_data
    report = feedback.feedback_report(process)
    assert (report.totals.answered, report.totals.not_answered, report.totals.withdrawn) == (3, 2, 1)
    assert report.totals.total == 6
    assert {row.key: row.count for row in report.by_outcome} == {
        "accepted": 2,
        "partial": 0,
        "planned": 0,
        "rejected": 1,
    }
    rows = {row.key or "none": row for row in report.by_ambito}
    assert (rows["mobility"].answered, rows["mobility"].not_answered, rows["mobility"].withdrawn) == (2, 1, 1)
    assert (rows["environment"].answered, rows["environment"].total) == (1, 1)
    assert rows["none"].not_answered == 1
    assert rows["ict"].total == 0
    assert sum(row.total for row in report.by_ambito) == report.totals.total


def test_no_domain_row_only_when_needed():
    process = ProcessFactory()
    IdeaFactory(process=process, ambito="ict")
    report = feedback.feedback_report(process)
    assert len(report.by_ambito) == 7
    assert all(row.key for row in report.by_ambito)


def test_plain_text():
    assert feedback.plain_text(
        "<p>One <strong>bold</strong> &amp; more</p>\n<ul><li>a</li><li>b</li></ul>"
    ) == ("One bold & more\na\nb")
    assert feedback.plain_text("") == ""


def test_page_shows_counts_and_every_public_idea(client, report_data):
    process, ideas = report_data
    response = client.get(reverse("participation:feedback_report", kwargs={"slug": process.slug}))
    assert response.status_code == 200
    listed = {idea.title for idea in response.context["page"]}
    assert listed == {"Bikes", "Lanes", "Sensors", "Night bus", "Something", "Withdrawn idea"}
    content = response.content.decode()
    assert "Hidden idea" not in content
    assert "Pending idea" not in content
    assert "Other process idea" not in content
    bikes = ideas["bikes"].answer.actions.get(code="PR-MOB1")
    assert bikes.get_absolute_url() in content
    assert "<caption>" in content and 'scope="col"' in content and 'scope="row"' in content
    assert reverse("participation:feedback_report_csv", kwargs={"slug": process.slug}) in content


def test_page_and_csv_are_404_for_an_unpublished_process(client, user):
    process = ProcessFactory(is_published=False)
    client.force_login(user)
    for name in ("feedback_report", "feedback_report_csv"):
        assert client.get(reverse(f"participation:{name}", kwargs={"slug": process.slug})).status_code == 404


def read_csv(response) -> tuple[str, list[dict]]:
    raw = b"".join(response.streaming_content).decode("utf-8")
    return raw, list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"))))


def test_csv_rows(client, report_data):
    process, ideas = report_data
    response = client.get(reverse("participation:feedback_report_csv", kwargs={"slug": process.slug}))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="feedback-{process.slug}.csv"'
    raw, rows = read_csv(response)
    assert raw.startswith("\ufeff")
    assert list(rows[0].keys()) == list(feedback.CSV_HEADER)
    by_title = {row["title"]: row for row in rows}
    assert set(by_title) == {"Bikes", "Lanes", "Sensors", "Night bus", "Something", "Withdrawn idea"}
    bikes = by_title["Bikes"]
    assert bikes["id"] == str(ideas["bikes"].pk)
    assert bikes["state"] == "answered"
    assert bikes["outcome"] == "accepted"
    assert bikes["ambito"] == "mobility"
    assert (
        bikes["answer"] == "Yes: see PR-MOB1.\nThe lanes start in spring."
    )  # plain text, no Markdown or HTML
    assert bikes["actions"] == "PR-ICT2; PR-MOB1"
    assert bikes["url"] == "http://testserver" + ideas["bikes"].get_absolute_url()
    assert bikes["author"] == ideas["bikes"].author.public_name
    assert by_title["Night bus"]["outcome"] == "" and by_title["Night bus"]["answer"] == ""
    assert by_title["Withdrawn idea"]["state"] == "withdrawn"


def test_csv_neutralises_formula_cells(client, plan_office):
    process = ProcessFactory()
    author = UserFactory(display_name="@evil")
    idea = IdeaFactory(process=process, title='=HYPERLINK("http://evil.example","x")', author=author)
    IdeaFactory(process=process, title="-12.5")  # a plain number stays as it is
    services.answer_save(actor=plan_office, idea=idea, outcome="rejected", text="+cmd|' /C calc'!A0")
    IdeaFactory(process=process, title="=HIDDEN()", is_hidden=True)
    response = client.get(reverse("participation:feedback_report_csv", kwargs={"slug": process.slug}))
    _raw, rows = read_csv(response)
    titles = [row["title"] for row in rows]
    assert titles == ['\'=HYPERLINK("http://evil.example","x")', "-12.5"]
    assert rows[0]["answer"] == "'+cmd|' /C calc'!A0"
    assert rows[0]["author"] == "'@evil"


def test_csv_queries_do_not_grow_with_the_ideas(client, django_assert_max_num_queries, actions):
    process = ProcessFactory()
    author = UserFactory()
    ideas = Idea.objects.bulk_create(
        [
            Idea(process=process, title=f"Idea {i}", body="x", author=author, status="answered")
            for i in range(300)
        ]
    )
    answers = IdeaAnswer.objects.bulk_create(
        [IdeaAnswer(idea=idea, outcome="accepted", text="ok", text_html="<p>ok</p>") for idea in ideas]
    )
    through = IdeaAnswer.actions.through
    through.objects.bulk_create([through(ideaanswer=a, action=actions[0]) for a in answers])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("participation:feedback_report_csv", kwargs={"slug": process.slug}))
        _raw, rows = read_csv(response)
    assert len(rows) == 300
    assert {row["actions"] for row in rows} == {"PR-MOB1"}


def test_titles_are_escaped_in_the_page(client):
    process = ProcessFactory()
    IdeaFactory(process=process, title="<script>alert(1)</script>")
    content = client.get(
        reverse("participation:feedback_report", kwargs={"slug": process.slug})
    ).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
