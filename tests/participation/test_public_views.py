"""The public reading of participation: the processes, a process's page, its ideas as a list and on a map.

Assertions look at the objects a page lists (its context) and at user content and addresses in its HTML, never at
translated prose.
"""

import datetime
import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cittasmart.participation import maps
from cittasmart.participation.models import (
    Block,
    Follow,
    Idea,
    IdeaAnswer,
    Phase,
    ProcessAmbito,
    Support,
)
from cittasmart.participation.views_public import SEED_KEY
from tests.factories import (
    ActionFactory,
    IdeaFactory,
    OrganisationFactory,
    PlanVersionFactory,
    ProcessFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'
XSS_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


# --- Helpers --------------------------------------------------------------------------------------------


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def process_with(*phases: tuple[str, int, int], **fields):
    """A process with phases given as (kind, first day, last day) relative to today."""
    process = ProcessFactory(phase="", **fields)
    for kind, start, end in phases:
        Phase.objects.create(process=process, kind=kind, starts_on=days(start), ends_on=days(end))
    return process


def url(name: str, process) -> str:
    return reverse(f"participation:{name}", kwargs={"slug": process.slug})


def listed(response) -> list[int]:
    return [idea.pk for idea in response.context["page"].items]


def titles(response) -> set[str]:
    return {idea.title for idea in response.context["page"].items}


def answer(idea, outcome: str = "rejected", text: str = "Thank you.") -> IdeaAnswer:
    idea.status = "answered"
    idea.save()
    return IdeaAnswer.objects.create(idea=idea, outcome=outcome, text=text, text_html=f"<p>{text}</p>")


@pytest.fixture
def process(db):
    return process_with(("collecting", -10, 30), title="Prato digitale")


# --- Home -----------------------------------------------------------------------------------------------


@pytest.fixture
def by_timing(db):
    return {
        "open": process_with(("information", -30, -11), ("collecting", -10, 10), title="Open process"),
        "upcoming": process_with(("collecting", 5, 20), title="Upcoming process"),
        "past": process_with(("collecting", -40, -20), ("feedback", -19, -2), title="Past process"),
        "draft": process_with(("collecting", -10, 10), title="Draft process", is_published=False),
    }


def test_home_lists_the_published_processes_open_first(client, by_timing):
    response = client.get(reverse("participation:home"))
    assert response.status_code == 200
    assert [p.title for p in response.context["processes"]] == [
        "Open process",
        "Upcoming process",
        "Past process",
    ]
    assert "Draft process" not in response.content.decode()


@pytest.mark.parametrize("timing", ["open", "upcoming", "past"])
def test_home_tabs_filter_by_timing(client, by_timing, timing):
    response = client.get(reverse("participation:home"), {"timing": timing})
    assert [p.pk for p in response.context["processes"]] == [by_timing[timing].pk]
    content = response.content.decode()
    assert f'href="{reverse("participation:home")}?timing={timing}" aria-current="page"' in content


def test_home_ignores_an_unknown_timing(client, by_timing):
    response = client.get(reverse("participation:home"), {"timing": "<bogus>"})
    assert response.status_code == 200
    assert len(response.context["processes"]) == 3


def test_home_staff_see_unpublished_processes(client, plan_office, by_timing):
    client.force_login(plan_office)
    response = client.get(reverse("participation:home"))
    assert by_timing["draft"] in response.context["processes"]


def test_home_cards_show_organiser_domains_phase_and_public_idea_count(client, process):
    process.organiser = OrganisationFactory(name="Comune di Prato")
    process.save()
    ProcessAmbito.objects.create(process=process, ambito="mobility")
    IdeaFactory.create_batch(3, process=process)
    IdeaFactory(process=process, is_hidden=True)
    IdeaFactory(process=process, status="pending", published_at=None)
    response = client.get(reverse("participation:home"))
    card = response.context["processes"][0]
    assert card.idea_total == 3
    assert card.phase_now.kind == "collecting"
    content = response.content.decode()
    assert "Comune di Prato" in content
    assert "Smart Mobility" in content
    assert process.get_absolute_url() in content


# --- A process's page -----------------------------------------------------------------------------------


def test_process_page_shows_description_organiser_domains_plan_and_latest_ideas(client, process):
    version = PlanVersionFactory(title="Guidelines 2024")
    action = ActionFactory(version=version, code="PR-MOB1", title="Bike lanes")
    publish(version)
    draft_action = ActionFactory(version=PlanVersionFactory(), code="PR-DRAFT", title="Secret draft action")
    process.description_html = "<p>Tell us what the city needs.</p>"
    process.organiser = OrganisationFactory(name="Comune di Prato")
    process.plan_version = version
    process.save()
    process.actions.add(action, draft_action)
    ProcessAmbito.objects.create(process=process, ambito="ict")
    ideas = [IdeaFactory(process=process, title=f"Latest idea {i}") for i in range(7)]

    response = client.get(process.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "<p>Tell us what the city needs.</p>" in content
    assert "Comune di Prato" in content
    assert "Smart ICT Infrastructures" in content
    assert version.get_absolute_url() in content
    assert action.get_absolute_url() in content
    assert "Secret draft action" not in content  # a draft version's action is not shown to citizens
    # The five latest ideas, newest first, and the links to the list, the map and the feedback report.
    assert [i.pk for i in response.context["latest_ideas"]] == [i.pk for i in reversed(ideas)][:5]
    assert response.context["idea_total"] == 7
    for name in ("idea_list", "idea_map", "feedback_report"):
        assert url(name, process) in content


def test_process_page_timeline_marks_the_current_phase_and_what_it_allows(client):
    process = process_with(("information", -30, -11), ("collecting", -10, 10), ("evaluation", 11, 30))
    response = client.get(process.get_absolute_url())
    timeline = response.context["timeline"]
    assert [row["phase"].kind for row in timeline] == ["information", "collecting", "evaluation"]
    assert [row["is_current"] for row in timeline] == [False, True, False]
    assert [row["is_past"] for row in timeline] == [True, False, False]
    assert timeline[0]["allows"] == []
    assert len(timeline[1]["allows"]) == 4
    assert len(timeline[2]["allows"]) == 2
    assert response.content.decode().count('aria-current="step"') == 1


@pytest.mark.parametrize(
    ("who", "kind", "offered"),
    [
        ("citizen", "collecting", True),
        ("anonymous", "collecting", False),
        ("citizen", "evaluation", False),
        ("blocked", "collecting", False),
    ],
)
def test_propose_button_only_when_the_rules_allow_it(client, moderator, who, kind, offered):
    process = process_with((kind, -5, 5))
    if who != "anonymous":
        person = UserFactory()
        if who == "blocked":
            Block.objects.create(user=person, reason="Spam", blocked_by=moderator)
        client.force_login(person)
    response = client.get(process.get_absolute_url())
    assert response.context["may_propose"] is offered
    assert (url("idea_create", process) in response.content.decode()) is offered


def test_follow_form_posts_the_opposite_of_the_current_state(client, user, process):
    client.force_login(user)
    form = f'action="{url("process_follow", process)}"'
    content = client.get(process.get_absolute_url()).content.decode()
    assert form in content
    assert 'name="following" value="1"' in content
    Follow.objects.create(user=user, process=process)
    content = client.get(process.get_absolute_url()).content.decode()
    assert 'name="following" value="0"' in content


def test_anonymous_get_no_follow_form(client, process):
    content = client.get(process.get_absolute_url()).content.decode()
    assert url("process_follow", process) not in content


PUBLIC_PAGES = ["process", "idea_list", "idea_map", "feedback_report", "feedback_report_csv"]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_an_unpublished_process_is_404_for_citizens(client, name, who):
    process = process_with(("collecting", -5, 5), is_published=False)
    IdeaFactory(process=process)
    if who == "citizen":
        client.force_login(UserFactory())
    assert client.get(url(name, process)).status_code == 404


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_a_missing_process_is_404(client, name):
    assert client.get(reverse(f"participation:{name}", kwargs={"slug": "nope"})).status_code == 404


def test_staff_can_read_an_unpublished_process(client, plan_office):
    process = process_with(("collecting", -5, 5), is_published=False)
    client.force_login(plan_office)
    response = client.get(process.get_absolute_url())
    assert response.status_code == 200
    assert response.context["may_propose"] is False  # nobody proposes in an unpublished process


# --- The list of ideas: filters, sorts ------------------------------------------------------------------


@pytest.fixture
def varied(db):
    """A process whose ideas differ in each filtered property."""
    process = process_with(("information", -40, -11), ("collecting", -10, 30))
    early = Phase.objects.get(process=process, kind="information")
    now = timezone.now()
    ideas = {
        "bike": IdeaFactory(
            process=process,
            title="Bike sharing",
            body="Bikes at the station.",
            ambito="mobility",
            support_count=5,
            comment_count=1,
            published_at=now - datetime.timedelta(days=20),
        ),
        "wifi": IdeaFactory(
            process=process,
            title="Free wifi",
            body="Wifi in the squares.",
            ambito="ict",
            support_count=9,
            comment_count=0,
        ),
        "bins": IdeaFactory(
            process=process,
            title="Smart bins",
            body="Sensors in the bins.",
            ambito="environment",
            support_count=1,
            comment_count=7,
        ),
        "gone": IdeaFactory(
            process=process,
            title="Withdrawn bus idea",
            body="Buses at night.",
            ambito="mobility",
            status="withdrawn",
        ),
        "hidden": IdeaFactory(process=process, title="Hidden bike idea", is_hidden=True),
        "pending": IdeaFactory(
            process=process, title="Pending bike idea", status="pending", published_at=None
        ),
    }
    answer(ideas["wifi"], outcome="accepted")
    answer(ideas["bins"], outcome="rejected")
    # Created in this order: the newest is the last one.
    return {"process": process, "early": early, **ideas}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Bike sharing", "Free wifi", "Smart bins", "Withdrawn bus idea"}),
        ({"ambito": "mobility"}, {"Bike sharing", "Withdrawn bus idea"}),
        ({"state": "withdrawn"}, {"Withdrawn bus idea"}),
        ({"state": "answered"}, {"Free wifi", "Smart bins"}),
        ({"answer": "yes"}, {"Free wifi", "Smart bins"}),
        ({"answer": "no"}, {"Bike sharing", "Withdrawn bus idea"}),
        ({"outcome": "rejected"}, {"Smart bins"}),
        ({"q": "bike"}, {"Bike sharing"}),
        ({"q": "wifi squares"}, {"Free wifi"}),
        ({"ambito": "mobility", "answer": "no", "q": "bus"}, {"Withdrawn bus idea"}),
    ],
)
def test_filters(client, varied, params, expected):
    response = client.get(url("idea_list", varied["process"]), params)
    assert response.status_code == 200
    assert titles(response) == expected
    assert response.context["total"] == len(expected)


def test_phase_filter_lists_the_ideas_published_during_that_phase(client, varied):
    response = client.get(url("idea_list", varied["process"]), {"phase": varied["early"].pk})
    assert titles(response) == {"Bike sharing"}


@pytest.mark.parametrize(
    "params",
    [
        {"ambito": "<nope>"},
        {"state": "hidden"},
        {"phase": "abc"},
        {"phase": "999999"},
        {"answer": "maybe"},
        {"outcome": "x"},
        {"sort": "drop table"},
        {"q": "x" * 500},
        {"q": "nul\x00byte"},
    ],
)
def test_bad_filters_are_reported_and_ignored_never_a_500(client, varied, params):
    response = client.get(url("idea_list", varied["process"]), params)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_a_phase_of_another_process_is_not_accepted(client, varied):
    other = process_with(("collecting", -40, -11))
    response = client.get(url("idea_list", varied["process"]), {"phase": other.phases.get().pk})
    assert response.context["form"].errors
    assert len(listed(response)) == 4


def test_hidden_and_others_pending_ideas_are_not_listed_but_the_authors_own_pending_one_is(client, varied):
    client.force_login(varied["pending"].author)
    response = client.get(url("idea_list", varied["process"]))
    assert "Pending bike idea" in titles(response)
    assert "Hidden bike idea" not in titles(response)
    client.force_login(UserFactory())
    assert "Pending bike idea" not in titles(client.get(url("idea_list", varied["process"])))


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Withdrawn bus idea", "Smart bins", "Free wifi", "Bike sharing"]),
        ("supported", ["Free wifi", "Bike sharing", "Smart bins", "Withdrawn bus idea"]),
        ("commented", ["Smart bins", "Bike sharing", "Withdrawn bus idea", "Free wifi"]),
    ],
)
def test_sorts(client, varied, sort, expected):
    response = client.get(url("idea_list", varied["process"]), {"sort": sort})
    assert [idea.title for idea in response.context["page"].items] == expected


def test_cards_show_author_state_outcome_counts_place_and_my_support(client, user, varied):
    bike = varied["bike"]
    bike.organisation = OrganisationFactory(name="FIAB Prato")
    bike.place_name = "Piazza del Duomo"
    bike.save()
    Support.objects.create(idea=bike, user=user)
    client.force_login(user)
    response = client.get(url("idea_list", varied["process"]))
    items = {idea.title: idea for idea in response.context["page"].items}
    assert items["Bike sharing"].supported_by_me is True
    assert items["Free wifi"].supported_by_me is False
    content = response.content.decode()
    assert "FIAB Prato" in content
    assert bike.author.public_name in content
    assert "Piazza del Duomo" in content
    assert "Smart Mobility" in content


# --- Random order and cursor pages ----------------------------------------------------------------------


@pytest.fixture
def many(process):
    now = timezone.now()
    author = UserFactory()
    Idea.objects.bulk_create(
        [
            Idea(
                process=process,
                title=f"Idea {i:03d}",
                body="Generated.",
                author=author,
                status="published",
                published_at=now,
                # Ties in the counters: pages must still not repeat or skip an idea.
                support_count=i % 4,
                comment_count=i % 3,
            )
            for i in range(47)
        ]
    )
    return process


def with_seed(client, seed: int):
    session = client.session
    session[SEED_KEY] = seed
    session.save()


def test_random_order_is_stable_for_a_visitor(client, many):
    first = listed(client.get(url("idea_list", many), {"sort": "random"}))
    seed = client.session[SEED_KEY]
    assert isinstance(seed, int)
    again = listed(client.get(url("idea_list", many), {"sort": "random"}))
    assert first == again
    assert client.session[SEED_KEY] == seed
    # Really shuffled, whatever the seed: neither the order of the ids nor its reverse.
    for small_seed in (1, 2, 3):
        with_seed(client, small_seed)
        order = listed(client.get(url("idea_list", many), {"sort": "random"}))
        assert order not in (sorted(order), sorted(order, reverse=True))


def test_random_order_differs_with_another_seed(client, many):
    with_seed(client, 11)
    one = listed(client.get(url("idea_list", many), {"sort": "random"}))
    with_seed(client, 987654)
    other = listed(client.get(url("idea_list", many), {"sort": "random"}))
    assert one != other
    newest = listed(client.get(url("idea_list", many), {"sort": "newest"}))
    assert one != newest


def test_the_seed_is_not_stored_for_other_orders(client, many):
    client.get(url("idea_list", many), {"sort": "supported"})
    assert SEED_KEY not in client.session


def walk(client, address: str, params: dict) -> list[int]:
    """Follow the "Next page" links from the first page to the last; return every idea listed."""
    first_page_link = f'href="?{escape(urlencode(params))}"'
    seen: list[int] = []
    response = client.get(address, params)
    for _ in range(10):
        seen.extend(listed(response))
        if not response.context["page"].has_next:
            return seen
        match = re.search(r'href="\?([^"]*cursor=[^"]*)"', response.content.decode())
        assert match, "the page has a next-page link"
        response = client.get(f"{address}?{unescape(match.group(1))}")
        assert response.context["page"].is_first is False
        assert first_page_link in response.content.decode()
    raise AssertionError("too many pages")


@pytest.mark.parametrize("sort", ["newest", "supported", "commented", "random"])
def test_cursor_pages_cover_every_idea_once(client, many, sort):
    seen = walk(client, url("idea_list", many), {"sort": sort})
    assert len(seen) == 47
    assert set(seen) == set(Idea.objects.filter(process=many).values_list("pk", flat=True))


def test_cursor_pages_keep_the_filters(client, many):
    seen = walk(client, url("idea_list", many), {"sort": "supported", "q": "Idea 0"})
    assert len(seen) == 47  # "Idea 0xx": every one matches
    seen = walk(client, url("idea_list", many), {"sort": "supported", "q": "Idea 01"})
    assert len(seen) == len(set(seen)) == 11  # 001 and 010–019


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "!!!", "W10", "WyJ4IiwieSJd", "WzEsMiwzXQ", "eyJhIjoxfQ", "WyIyMDI0LTEzLTQ1IiwxXQ", "\x00"],
)
def test_an_invalid_cursor_gives_the_first_page(client, many, cursor):
    first = listed(client.get(url("idea_list", many)))
    response = client.get(url("idea_list", many), {"cursor": cursor})
    assert response.status_code == 200
    assert listed(response) == first
    assert response.context["page"].is_first


def test_htmx_gets_only_the_results(client, varied):
    response = client.get(
        url("idea_list", varied["process"]), {"ambito": "ict"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="filters-title"' not in content
    assert "Free wifi" in content
    assert "Bike sharing" not in content
    assert "HX-Request" in response["Vary"]


def test_without_htmx_the_whole_page(client, varied):
    response = client.get(url("idea_list", varied["process"]))
    assert "<html" in response.content.decode()
    assert 'id="filters-title"' in response.content.decode()


# --- The map --------------------------------------------------------------------------------------------


def test_map_draws_located_ideas_as_links_and_lists_them(client, process):
    located = [
        IdeaFactory(
            process=process,
            title=f"Located {i}",
            latitude=Decimal("43.88") + Decimal(i) / 100,
            longitude=Decimal("11.09") + Decimal(i) / 100,
            place_name=f"Place {i}",
            ambito="mobility" if i else "ict",
        )
        for i in range(3)
    ]
    IdeaFactory(process=process, title="Nowhere")
    IdeaFactory(process=process, title="Hidden located", latitude=43.9, longitude=11.1, is_hidden=True)
    response = client.get(url("idea_map", process))
    assert response.status_code == 200
    the_map = response.context["map"]
    assert {p.title for p in the_map.points} == {i.title for i in located}
    content = response.content.decode()
    for idea in located:
        # A keyboard-focusable link with an accessible name, and the same idea in the list below.
        assert (
            f'<a class="cs-map-point" href="{idea.get_absolute_url()}" tabindex="0"><title>{idea.title}'
            in content
        )
        assert f'<li><a href="{idea.get_absolute_url()}">{idea.title}</a>' in content
    assert "Nowhere" not in content
    assert "Hidden located" not in content
    for point in the_map.points:
        assert 0 < point.x < the_map.width
        assert 0 < point.y < the_map.height
    # Nothing is fetched from elsewhere: the only absolute address in the drawing is the SVG namespace.
    svg = content[
        content.index('<svg class="cs-map"') : content.index("</svg>", content.index('<svg class="cs-map"'))
    ]
    assert re.findall(r"https?://[^\"' ]+", svg) == ["http://www.w3.org/2000/svg"]
    # The filters of the list apply to the map.
    response = client.get(url("idea_map", process), {"ambito": "ict"})
    assert [p.title for p in response.context["map"].points] == ["Located 0"]


def test_map_with_no_located_idea_renders(client, process):
    IdeaFactory(process=process)
    response = client.get(url("idea_map", process))
    assert response.status_code == 200
    assert response.context["map"].points == []
    assert '<svg class="cs-map"' not in response.content.decode()


def test_map_leaves_a_margin_around_the_ideas():
    ideas = [
        IdeaFactory.build(pk=n, process=ProcessFactory.build(slug="p"), latitude=lat, longitude=lon)
        for n, (lat, lon) in enumerate([(43.85, 11.05), (43.90, 11.12)], start=1)
    ]
    the_map = maps.idea_map(ideas)
    south_west, north_east = the_map.points
    # With the 8% margin no marker sits on the padding line of the drawing.
    assert south_west.x > 24 + 10 and north_east.y > 24 + 10
    assert north_east.x < the_map.width - 24 - 10 and south_west.y < the_map.height - 24 - 10


# --- Query counts ---------------------------------------------------------------------------------------


def bulk_ideas(process, n: int, *, supporter) -> None:
    now = timezone.now()
    authors = [UserFactory() for _ in range(3)]
    organisation = OrganisationFactory()
    ideas = Idea.objects.bulk_create(
        [
            Idea(
                process=process,
                title=f"Bulk idea {i:04d}",
                body="Generated for the query count test.",
                author=authors[i % 3],
                organisation=organisation if i % 4 == 0 else None,
                ambito=["mobility", "ict", "living"][i % 3],
                status="answered" if i % 5 == 0 else "published",
                published_at=now,
                support_count=i % 7,
                comment_count=i % 5,
                place_name=f"Place {i}",
                latitude=Decimal("43.86") + Decimal(i % 50) / 1000 if i % 3 else None,
                longitude=Decimal("11.08") + Decimal(i % 70) / 1000 if i % 3 else None,
            )
            for i in range(n)
        ]
    )
    IdeaAnswer.objects.bulk_create(
        [IdeaAnswer(idea=idea, outcome="rejected", text="No.", text_html="<p>No.</p>") for idea in ideas[::5]]
    )
    Support.objects.bulk_create([Support(idea=idea, user=supporter) for idea in ideas[::2]])


HOME_QUERIES = 10
PAGE_QUERIES = 14


@pytest.mark.parametrize("n", [10, 1000])
@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_query_counts_do_not_grow_with_the_ideas(client, django_assert_max_num_queries, process, n, who):
    version = PlanVersionFactory()
    process.actions.add(ActionFactory(version=version), ActionFactory(version=version))
    publish(version)
    ProcessAmbito.objects.create(process=process, ambito="mobility")
    supporter = UserFactory()
    bulk_ideas(process, n, supporter=supporter)
    for _ in range(3):
        process_with(("collecting", -3, 3))
    if who == "citizen":
        client.force_login(supporter)
    client.get(reverse("core:home"))  # site settings are created and cached on the first page ever served
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get(reverse("participation:home")).status_code == 200
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(process.get_absolute_url()).status_code == 200
    params = {"ambito": "mobility", "answer": "no", "q": "bulk", "sort": "supported"}
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url("idea_list", process), params)
    assert len(listed(response)) == min(20, response.context["total"])
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url("idea_list", process) + "?cursor=" + response.context["page"].next_cursor)
    assert response.status_code == 200
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(url("idea_list", process), {"sort": "random"}).status_code == 200
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(url("idea_list", process), headers={"HX-Request": "true"}).status_code == 200
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url("idea_map", process))
    assert response.context["truncated"] == (n == 1000)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(url("feedback_report", process)).status_code == 200


# --- Escaping -------------------------------------------------------------------------------------------


def test_user_content_is_escaped_in_every_page(client, process):
    process.title = XSS
    process.summary = XSS
    process.save()
    idea = IdeaFactory(
        process=process,
        title=XSS,
        place_name=XSS,
        latitude=43.88,
        longitude=11.1,
        author=UserFactory(display_name=XSS),
    )
    answer(idea, text=XSS)
    IdeaAnswer.objects.filter(idea=idea).update(
        text_html=f"<p>{XSS_ESCAPED}</p>"
    )  # as render_markdown leaves it
    pages = [
        reverse("participation:home"),
        process.get_absolute_url(),
        url("idea_list", process),
        url("idea_map", process),
        url("feedback_report", process),
    ]
    for address in pages:
        content = client.get(address).content.decode()
        assert "<script>alert" not in content, address
        assert XSS_ESCAPED in content, address
