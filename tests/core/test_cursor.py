"""``keyset_page``: walking the pages visits every row once, in order, whatever the ties; a cursor that was not made
by us (garbage, tampered, of another ordering) gives the first page, never an error."""

import base64
import datetime
import json

import pytest
from django.utils import timezone

from cittasmart.core.cursor import keyset_page
from cittasmart.participation.models import Idea, Phase
from tests.factories import IdeaFactory, ProcessFactory

pytestmark = pytest.mark.django_db


def walk(queryset, ordering, size):
    """Every page from the first to the last; the rows in the order visited."""
    seen, cursor, pages = [], "", 0
    while True:
        page = keyset_page(queryset, ordering=ordering, cursor=cursor, size=size)
        assert page.is_first is (cursor == "")
        assert len(page.items) <= size
        seen += page.items
        pages += 1
        assert pages < 1000, "the cursor does not advance"
        if not page.has_next:
            assert len(page.items) <= size
            return seen, pages
        assert len(page.items) == size
        cursor = page.next_cursor


def python_order(rows, ordering):
    """The expected order, computed in Python from the rows' values."""
    result = list(rows)
    for field, descending in reversed(ordering):
        result.sort(key=lambda row, f=field: getattr(row, f), reverse=descending)
    return result


@pytest.fixture
def ideas():
    """25 ideas whose supports, comments and creation times are heavily tied."""
    process = ProcessFactory()
    rows = IdeaFactory.create_batch(25, process=process)
    moments = [timezone.now() - datetime.timedelta(hours=h) for h in (1, 2, 3)]
    for index, idea in enumerate(rows):
        Idea.objects.filter(pk=idea.pk).update(
            support_count=index % 3, comment_count=(index * 7) % 4, created_at=moments[index % 3]
        )
    return Idea.objects.filter(process=process)


ORDERINGS = [
    [("support_count", True), ("id", True)],
    [("support_count", False), ("id", False)],
    [("support_count", True), ("id", False)],
    [("comment_count", False), ("support_count", True), ("id", True)],
    [("created_at", True), ("id", True)],
    [("created_at", False), ("id", False)],
    [("created_at", True), ("support_count", False), ("id", True)],
    [("id", True)],
]


@pytest.mark.parametrize("ordering", ORDERINGS, ids=lambda o: ",".join(("-" if d else "") + f for f, d in o))
@pytest.mark.parametrize("size", [1, 2, 3, 7, 25, 100])
def test_walking_the_pages_visits_every_row_once_in_order(ideas, ordering, size):
    seen, pages = walk(ideas, ordering, size)

    assert [row.pk for row in seen] == [row.pk for row in python_order(ideas, ordering)]
    assert len({row.pk for row in seen}) == ideas.count() == 25
    assert pages == max(1, -(-25 // size))


def test_a_page_of_exactly_the_remaining_rows_is_the_last(ideas):
    page = keyset_page(ideas, ordering=[("id", False)], size=25)

    assert len(page.items) == 25
    assert not page.has_next
    assert page.next_cursor == ""


def test_empty_queryset_gives_one_empty_first_page():
    page = keyset_page(Idea.objects.none(), ordering=[("created_at", True), ("id", True)])

    assert page.items == [] and page.is_first and not page.has_next


def test_date_fields_page_too():
    process = ProcessFactory(phase="")
    start = datetime.date(2024, 1, 1)
    for index in range(12):
        day = start + datetime.timedelta(days=index // 4)  # four phases start on each day
        Phase.objects.create(process=process, kind="information", starts_on=day, ends_on=day)
    phases = Phase.objects.filter(process=process)

    for ordering in ([("starts_on", True), ("id", True)], [("starts_on", False), ("id", False)]):
        seen, _pages = walk(phases, ordering, 5)
        assert [p.pk for p in seen] == [p.pk for p in python_order(phases, ordering)]


def test_rows_added_before_the_cursor_do_not_repeat_rows(ideas):
    ordering = [("created_at", True), ("id", True)]
    first = keyset_page(ideas, ordering=ordering, size=10)
    IdeaFactory(process=first.items[0].process)  # newer than everything: lands before the cursor

    second = keyset_page(ideas, ordering=ordering, cursor=first.next_cursor, size=10)

    assert not {i.pk for i in first.items} & {i.pk for i in second.items}
    assert second.items[0].created_at <= first.items[-1].created_at


def encode(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


TAMPERED = [
    "x",
    "!!!",
    "%%%%",
    "ZZZZ",
    "=",
    "\x00",
    "é",
    "a" * 5000,
    encode("not a list"),
    encode({"a": 1}),
    encode([]),
    encode([1]),
    encode([1, 2, 3]),
    encode([None, 1]),
    encode([True, 1]),
    encode([[1], 1]),
    encode([{"a": 1}, 1]),
    base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    base64.urlsafe_b64encode(b"[1, 2").decode(),
]

# Well-formed cursors whose values do not fit the fields: a person editing the URL can make them.
WRONG_TYPES = [
    encode(["garbage", 1]),
    encode(["", 1]),
    encode(["2024-13-45T00:00:00", 1]),
    encode(["2024-01-01T00:00:00+00:00", "abc"]),
    encode([1.5, 1]),
]
OUT_OF_RANGE = [
    encode(["2999-01-01T00:00:00+00:00", 10**30]),
    encode(["2999-01-01T00:00:00+00:00", -(10**30)]),
    encode(["2999-01-01T00:00:00+00:00", 1e308]),
]


@pytest.mark.parametrize("cursor", TAMPERED)
def test_garbage_cursors_give_the_first_page(ideas, cursor):
    ordering = [("created_at", True), ("id", True)]
    first = keyset_page(ideas, ordering=ordering, size=5)

    page = keyset_page(ideas, ordering=ordering, cursor=cursor, size=5)

    assert page.is_first
    assert [i.pk for i in page.items] == [i.pk for i in first.items]


@pytest.mark.parametrize("cursor", WRONG_TYPES)
def test_cursors_with_values_of_the_wrong_type_give_the_first_page(ideas, cursor):
    ordering = [("created_at", True), ("id", True)]
    first = keyset_page(ideas, ordering=ordering, size=5)

    page = keyset_page(ideas, ordering=ordering, cursor=cursor, size=5)

    assert page.is_first
    assert [i.pk for i in page.items] == [i.pk for i in first.items]


@pytest.mark.parametrize("cursor", OUT_OF_RANGE)
def test_numbers_out_of_range_are_not_an_error(ideas, cursor):
    ordering = [("created_at", True), ("id", True)]

    page = keyset_page(ideas, ordering=ordering, cursor=cursor, size=5)

    # A date in the future: every row is "after" it by date; the id is never compared for them.
    assert [i.pk for i in page.items] == [i.pk for i in keyset_page(ideas, ordering=ordering, size=5).items]


def test_a_cursor_of_another_ordering_is_not_an_error(ideas):
    by_support = keyset_page(ideas, ordering=[("support_count", True), ("id", True)], size=5)

    page = keyset_page(
        ideas,
        ordering=[("support_count", True), ("comment_count", True), ("id", True)],
        cursor=by_support.next_cursor,
        size=5,
    )

    assert page.is_first


def test_the_cursor_is_opaque_and_url_safe(ideas):
    page = keyset_page(ideas, ordering=[("created_at", True), ("id", True)], size=5)

    assert page.next_cursor
    assert set(page.next_cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
