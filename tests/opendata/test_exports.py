"""The CSV, JSON and XLSX files of every public dataset: lossless round trips, formulas neutralised, rows read
lazily (constant memory), nothing that is not public, and the synchronous download views."""

import csv
import datetime
import io
import itertools
import json
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cittasmart.core.spreadsheet import unneutralise
from cittasmart.documents.models import AccessLevel, Document, DocumentCategory
from cittasmart.opendata import exports
from cittasmart.opendata.datasets import DATASETS, dataset_get, json_value, text_value
from cittasmart.survey.models import RecordImpact
from tests.factories import (
    ActionFactory,
    IdeaFactory,
    IndicatorFactory,
    MeasurementFactory,
    MeetingFactory,
    OrganisationFactory,
    PlanVersionFactory,
    ProcessFactory,
    SurveyRecordFactory,
    UserFactory,
    publish,
)

# Text that a spreadsheet would take for a formula, plus quotes, line breaks, accents, commas and emoji.
TRICKY = [
    "=SUM(A1)",
    "+39 055 123456",
    "-x",
    "@cmd",
    'He said "hello", then left',
    "first line\nsecond line\r\nthird",
    "Città, è già più",
    "🚲 bike sharing 🌳",
    "'=already quoted",
    "\tindented",
]
FORMULAS = ("=SUM(A1)", "+39 055 123456", "-x", "@cmd")


def tricky(n: int) -> str:
    return TRICKY[n % len(TRICKY)]


@pytest.fixture
def public_data(db):
    """A couple of public rows in every dataset, with tricky text wherever there is text."""
    organisations = [OrganisationFactory(name=tricky(n), description=tricky(n + 1)) for n in range(2)]
    for n, organisation in enumerate(organisations):
        record = SurveyRecordFactory(owner=organisation, title=tricky(n + 2), description=tricky(n + 3))
        RecordImpact.objects.create(record=record, ambito="environment")
    version = PlanVersionFactory(title=tricky(4), summary=tricky(5))
    for n in range(2):
        action = ActionFactory(
            version=version, title=tricky(n + 6), description=tricky(n), budget=Decimal("1234.50")
        )
        action.partners.add(*organisations)
        indicator = IndicatorFactory(version=version, action=action, name=tricky(n + 7), source=tricky(n + 8))
        MeasurementFactory(indicator=indicator, value=Decimal("-12.5"), note=tricky(n + 9), source=tricky(n))
    publish(version)
    process = ProcessFactory(title=tricky(1), summary=tricky(2))
    for n in range(2):
        IdeaFactory(process=process, title=tricky(n + 3), body=tricky(n + 4), latitude=Decimal("43.88"))
        MeetingFactory(title=tricky(n + 5), summary=tricky(n + 6))
    category, _created = DocumentCategory.objects.get_or_create(slug="verbali", defaults={"name": "Verbali"})
    for n in range(2):
        Document.objects.create(title=tricky(n + 7), description=tricky(n + 8), category=category)


def dataset_rows(dataset):
    return list(dataset.iter_rows())


def read_csv(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text[1:], newline=""))
    return [{unneutralise(k): unneutralise(v) for k, v in row.items()} for row in reader]


def read_xlsx(content: bytes) -> tuple[list, list[list]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def expected_xlsx(value):
    """What openpyxl reads back for a value written by the exporter."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    # XML reads every line break as "\n": a carriage return does not survive in an XLSX file.
    return text_value(value).replace("\r\n", "\n").replace("\r", "\n") or None


def normal_xlsx(value):
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


# --- Round trips ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.slug)
def test_csv_round_trip(public_data, dataset):
    rows = dataset_rows(dataset)
    assert rows, f"the fixture made no public row of {dataset.slug}"
    text = "".join(exports.csv_lines(dataset, iter(rows)))
    names = [column.name for column in dataset.columns]
    assert text.splitlines()[0] == "\ufeff" + ",".join(names)
    assert read_csv(text) == [{name: text_value(row[name]) for name in names} for row in rows]


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.slug)
def test_json_round_trip(public_data, dataset):
    rows = dataset_rows(dataset)
    assert rows
    data = json.loads("".join(exports.json_chunks(dataset, iter(rows))))
    names = [column.name for column in dataset.columns]
    assert data == [{name: json_value(row[name]) for name in names} for row in rows]
    assert all(list(item) == names for item in data)


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.slug)
def test_xlsx_round_trip(public_data, dataset):
    rows = dataset_rows(dataset)
    assert rows
    target = io.BytesIO()
    exports.write_xlsx(dataset, iter(rows), target)
    header, cells = read_xlsx(target.getvalue())
    names = [column.name for column in dataset.columns]
    assert header == names
    read_back = [[unneutralise(c) if isinstance(c, str) else normal_xlsx(c) for c in line] for line in cells]
    assert read_back == [[normal_xlsx(expected_xlsx(row[name])) for name in names] for row in rows]


def test_formulas_are_neutralised_in_csv_and_xlsx(public_data):
    dataset = dataset_get("organisations")
    rows = dataset_rows(dataset)
    text = "".join(exports.csv_lines(dataset, iter(rows)))
    raw = list(csv.reader(io.StringIO(text[1:], newline="")))
    cells = [cell for line in raw for cell in line]
    target = io.BytesIO()
    exports.write_xlsx(dataset, iter(rows), target)
    xlsx_cells = [c for line in read_xlsx(target.getvalue())[1] for c in line if isinstance(c, str)]
    for formula in FORMULAS[:2]:  # the organisations' names
        assert formula not in cells and "'" + formula in cells
        assert formula not in xlsx_cells and "'" + formula in xlsx_cells
    # No cell of either file starts a formula.
    assert not [c for c in cells + xlsx_cells if c[:1] in ("=", "+", "@")]
    # And openpyxl stored no formula cell.
    sheet = openpyxl.load_workbook(io.BytesIO(target.getvalue())).active
    assert not [cell for line in sheet.iter_rows() for cell in line if cell.data_type == "f"]


def test_xlsx_cells_are_typed(public_data):
    dataset = dataset_get("measurements")
    target = io.BytesIO()
    exports.write_xlsx(dataset, dataset.iter_rows(), target)
    header, cells = read_xlsx(target.getvalue())
    row = dict(zip(header, cells[0], strict=True))
    assert row["value"] == -12.5 and row["id"] == int(row["id"])
    assert isinstance(row["period_end"], datetime.datetime)  # a date cell
    assert isinstance(row["updated_at"], datetime.datetime)
    assert row["is_baseline"] is False


def test_control_characters_do_not_break_or_unlock_the_xlsx(db):
    dataset = dataset_get("organisations")
    row = {column.name: None for column in dataset.columns}
    row.update(id=1, name="\x01=SUM(A1)", description="bell\x07 and null\x00")
    target = io.BytesIO()
    exports.write_xlsx(dataset, [row], target)
    header, cells = read_xlsx(target.getvalue())
    values = dict(zip(header, cells[0], strict=False))  # a read-only sheet drops the empty cells at the end
    assert values["name"] == "'=SUM(A1)"
    assert values["description"] == "bell and null"


def test_json_is_valid_with_no_rows(db):
    for dataset in DATASETS:
        assert json.loads("".join(exports.json_chunks(dataset, iter(())))) == []
        lines = list(exports.csv_lines(dataset, iter(())))
        assert len(lines) == 1


# --- Streaming: rows are read lazily -------------------------------------------------------------------------


class CountingRows:
    """A generator of synthetic measurement rows that counts how many it has produced."""

    def __init__(self, total: int):
        self.total = total
        self.produced = 0

    def __iter__(self):
        updated = timezone.now()
        for n in range(self.total):
            self.produced += 1
            yield {
                "id": n + 1,
                "key": f"k{n}",
                "version": "v1",
                "indicator": "IND-1",
                "period": str(2000 + n % 30),
                "period_end": datetime.date(2020, 12, 31),
                "value": Decimal(n) / 4,
                "is_baseline": n == 0,
                "target": None,
                "quality": None,
                "source": "=HYPERLINK()" if n % 1000 == 0 else "Istat",
                "note": "",
                "updated_at": updated,
            }


def test_csv_of_200000_rows_streams_without_reading_all_rows():
    dataset = dataset_get("measurements")
    rows = CountingRows(200_000)
    lines = exports.csv_lines(dataset, iter(rows))
    first = list(itertools.islice(lines, 5))
    assert len(first) == 5
    assert rows.produced <= 4  # the header and four rows: nothing read ahead
    # The view joins lines into bigger pieces, lazily too.
    counted = CountingRows(200_000)
    pieces = exports.batched(exports.csv_lines(dataset, iter(counted)))
    next(pieces)
    assert counted.produced < 5_000
    remaining = sum(1 for _ in lines)
    assert remaining + len(first) == 200_001
    assert rows.produced == 200_000


def test_json_of_200000_rows_streams_without_reading_all_rows():
    dataset = dataset_get("measurements")
    rows = CountingRows(200_000)
    chunks = exports.json_chunks(dataset, iter(rows))
    list(itertools.islice(chunks, 3))
    assert rows.produced <= 2
    assert sum(1 for _ in chunks) == 200_000 - 2 + 1  # the rest of the items and the closing bracket


def test_xlsx_consumes_a_generator(tmp_path):
    dataset = dataset_get("measurements")
    rows = CountingRows(3000)
    with (tmp_path / "m.xlsx").open("wb") as target:
        exports.write_xlsx(dataset, iter(rows), target)
    assert rows.produced == 3000
    _header, cells = read_xlsx((tmp_path / "m.xlsx").read_bytes())
    assert len(cells) == 3000 and cells[0][10] == "'=HYPERLINK()"


def _stream_queries(client, path: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        body = b"".join(response.streaming_content)
    return len(queries), body


def test_streamed_export_queries_grow_with_chunks_not_rows(db, client, monkeypatch):
    """Actions prefetch ambiti and partners: 10 or 100 actions cost the same queries (one chunk)."""
    version = PlanVersionFactory()
    organisation = OrganisationFactory()
    for _n in range(10):
        ActionFactory(version=version).partners.add(organisation)
    publish(version)
    path = reverse("opendata:export", kwargs={"slug": "actions", "fmt": "csv"})
    small_queries, small = _stream_queries(client, path)
    version2 = PlanVersionFactory(plan=version.plan)
    for _n in range(90):
        ActionFactory(version=version2).partners.add(organisation)
    publish(version2)
    large_queries, large = _stream_queries(client, path)
    assert large.count(b"\n") == 101 and small.count(b"\n") == 11
    assert large_queries == small_queries
    # With a smaller chunk the queries grow with the chunks.
    monkeypatch.setattr("cittasmart.opendata.datasets.CHUNK_SIZE", 25)
    chunked_queries, chunked = _stream_queries(client, path)
    assert chunked == large
    assert small_queries < chunked_queries <= small_queries + 3 * 4


# --- Views ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("csv", "text/csv; charset=utf-8"), ("json", "application/json")],
)
def test_sync_text_export_streams_with_headers(public_data, client, fmt, content_type):
    response = client.get(reverse("opendata:export", kwargs={"slug": "ideas", "fmt": fmt}))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="ideas.{fmt}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = b"".join(response.streaming_content).decode("utf-8")
    dataset = dataset_get("ideas")
    expected = "".join(exports.text_chunks(dataset, fmt, dataset.iter_rows()))
    assert body == expected
    if fmt == "json":
        assert len(json.loads(body)) == 2


def test_sync_xlsx_export(public_data, client):
    response = client.get(reverse("opendata:export", kwargs={"slug": "meetings", "fmt": "xlsx"}))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"] == 'attachment; filename="meetings.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    header, cells = read_xlsx(b"".join(response.streaming_content))
    assert header[0] == "id" and len(cells) == 2


@pytest.mark.parametrize("path", ["/opendata/nothing.csv", "/opendata/ideas.pdf", "/opendata/ideas.CSV"])
def test_unknown_dataset_or_format_is_404(db, client, path):
    assert client.get(path).status_code == 404


def test_english_address_exports_too(public_data, client):
    response = client.get("/en/opendata/organisations.csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode().count("\n") == 3


# --- Nothing that is not public ------------------------------------------------------------------------------


def test_exports_never_contain_hidden_unpublished_or_reserved_rows(public_data, client):
    author = UserFactory(email="secret.person@example.org", display_name="Visible Name")
    IdeaFactory(title="Hidden idea by moderation", is_hidden=True, author=author)
    IdeaFactory(title="Idea awaiting review", status="pending", author=author)
    IdeaFactory(title="Idea of an unpublished process", process=ProcessFactory(is_published=False))
    MeetingFactory(title="Unpublished meeting", is_published=False)
    category = DocumentCategory.objects.get(slug="verbali")
    Document.objects.create(title="Reserved document", category=category, access=AccessLevel.MEMBERS)
    Document.objects.create(
        title="Registered-only document", category=category, access=AccessLevel.REGISTERED
    )
    SurveyRecordFactory(title="Record not validated", is_validated=False)
    draft = PlanVersionFactory(title="Draft version")
    ActionFactory(version=draft, title="Action of a draft")
    IdeaFactory(title="Public idea", author=author)
    secrets = [
        "Hidden idea by moderation",
        "Idea awaiting review",
        "Idea of an unpublished process",
        "Unpublished meeting",
        "Reserved document",
        "Registered-only document",
        "Record not validated",
        "Draft version",
        "Action of a draft",
        "secret.person@example.org",
    ]
    for dataset in DATASETS:
        for fmt in ("csv", "json"):
            response = client.get(reverse("opendata:export", kwargs={"slug": dataset.slug, "fmt": fmt}))
            body = b"".join(response.streaming_content).decode("utf-8")
            for secret in secrets:
                assert secret not in body, (dataset.slug, fmt, secret)
        response = client.get(reverse("opendata:export", kwargs={"slug": dataset.slug, "fmt": "xlsx"}))
        _header, cells = read_xlsx(b"".join(response.streaming_content))
        text = " ".join(str(c) for line in cells for c in line)
        for secret in secrets:
            assert secret not in text, (dataset.slug, "xlsx", secret)
    ideas = b"".join(client.get("/opendata/ideas.csv").streaming_content).decode()
    assert "Public idea" in ideas and "Visible Name" in ideas
