"""Import and export of survey records: one column layout for CSV and XLSX, a dry-run preview with per-row errors,
an all-or-nothing commit (in a background task for large files), and a lossless export → import round trip."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from cittasmart.core import spreadsheet
from cittasmart.core.models import AuditEntry
from cittasmart.stakeholders.models import OrganisationCategory
from cittasmart.survey import importing, services, tabular
from cittasmart.survey.models import (
    ImportJob,
    ImportJobStatus,
    RecordRevision,
    RoundStatus,
    SurveyRecord,
)
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SurveyRecordFactory,
    SurveyRoundFactory,
    UserFactory,
)

HEADER = list(tabular.HEADERS[1:])  # everything but "id"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    """Background tasks run at once, in the test; progress files go to a temporary directory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path


@pytest.fixture
def orgs(db):
    return {
        "comune": OrganisationFactory(
            name="Comune di Prato",
            ipa_code="c_g999",
            category=OrganisationCategory.PUBLIC_BODY,
            is_host_entity=True,
        ),
        "asm": OrganisationFactory(name="ASM Servizi srl"),
        "pin": OrganisationFactory(name="PIN s.c.r.l.", category=OrganisationCategory.UNIVERSITY_RESEARCH),
    }


@pytest.fixture
def earlier(db, orgs):
    survey_round = SurveyRoundFactory(year=2017, slug="first-round", status=RoundStatus.PUBLISHED)
    return SurveyRecordFactory(round=survey_round, owner=orgs["comune"], title="Old parking project")


@pytest.fixture
def target(db):
    return SurveyRoundFactory(year=2021, slug="update-2021", status=RoundStatus.OPEN)


@pytest.fixture
def staff(client, plan_office):
    client.force_login(plan_office)
    return client


def full_row(**overrides) -> dict:
    row = {
        "owner": "comune di prato",
        "kind": "project",
        "title": "Smart parking",
        "description": "Sensors on 400 parking spaces.",
        "reference_ambito": "mobility",
        "impact_ambiti": "environment|ict",
        "audience": "citizens|businesses",
        "status": "in_progress",
        "planned_start": "2021-03-01",
        "planned_end": "31/12/2022",
        "actual_start": "2021-04-15",
        "actual_end": "",
        "budget": "1.250.000,50",
        "cup": "h51b 1700 0110 007",
        "latitude": "43,880532",
        "longitude": "11.096588",
        "links": "https://example.org/a|https://example.org/b",
        "visibility": "reserved",
        "partners": "ASM Servizi srl:partner|Università di Firenze:lead",
        "funding": "eu:POR FESR 2014-2020: Asse 6:150.000,00|own::50000",
        "update_of": "",
    }
    row.update(overrides)
    return row


def idea_row(**overrides) -> dict:
    row = {
        "owner": "C_G999",
        "kind": "Idea",
        "title": "Open data portal",
        "reference_ambito": "ICT",
        "status": "idea",
    }
    row.update(overrides)
    return row


def csv_bytes(rows, header=None, *, bom=False, delimiter=",", encoding="utf-8") -> bytes:
    header = header or HEADER
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding)


def xlsx_bytes(rows, header=None) -> bytes:
    header = header or HEADER
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name) for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_url(survey_round) -> str:
    return reverse("survey:import", args=[survey_round.slug])


def upload(client, survey_round, content: bytes, name="records.csv"):
    return client.post(
        import_url(survey_round), {"action": "check", "file": SimpleUploadedFile(name, content)}
    )


def confirm(client, survey_round, job):
    return client.post(import_url(survey_round), {"action": "confirm", "job": job.pk})


def in_italian(message: str, **params) -> str:
    with translation.override("it"):
        text = translation.gettext(message)
        return escape(text % params if params else text)


def check(survey_round, content: bytes):
    with translation.override("en"):
        return importing.check_file(survey_round=survey_round, content=content)


# --- A valid file ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_valid_csv_is_previewed_then_imported_exactly(staff, plan_office, orgs, earlier, target):
    content = csv_bytes([full_row(update_of=str(earlier.pk)), idea_row()], bom=True)
    response = upload(staff, target, content)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == f"{import_url(target)}?job={job.pk}"
    assert SurveyRecord.objects.filter(round=target).count() == 0  # the preview writes no record

    preview = staff.get(response.url)
    assert preview.status_code == 200
    assert job.status == ImportJobStatus.PREVIEWED
    assert job.counts == {"project": 1, "idea": 1}
    assert "Smart parking" in preview.text and "Open data portal" in preview.text
    assert 'name="action" value="confirm"' in preview.text

    response = confirm(staff, target, job)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    assert job.processed_rows == 2
    assert bytes(job.content) == b""  # the uploaded file is not kept once imported

    project = SurveyRecord.objects.get(round=target, kind="project")
    assert project.owner == orgs["comune"]
    assert project.title == "Smart parking"
    assert project.reference_ambito == "mobility"
    assert sorted(project.impacts.values_list("ambito", flat=True)) == ["environment", "ict"]
    assert (project.audience_citizens, project.audience_businesses, project.audience_schools) == (
        True,
        True,
        False,
    )
    assert project.audience_internal is False
    assert project.status == "in_progress"
    assert project.planned_start == date(2021, 3, 1)
    assert project.planned_end == date(2022, 12, 31)
    assert project.actual_start == date(2021, 4, 15)
    assert project.actual_end is None
    assert project.budget == Decimal("1250000.50")
    assert project.cup == "H51B17000110007"
    assert project.latitude == Decimal("43.880532")
    assert project.longitude == Decimal("11.096588")
    assert project.link_list == ["https://example.org/a", "https://example.org/b"]
    assert project.visibility == "reserved"
    assert project.update_of == earlier
    assert project.is_validated is True
    partners = [(p.organisation, p.name, p.role) for p in project.partners.all()]
    assert partners == [(orgs["asm"], "", "partner"), (None, "Università di Firenze", "lead")]
    funding = [(f.type, f.programme, f.amount) for f in project.funding.all()]
    assert funding == [
        ("eu", "POR FESR 2014-2020: Asse 6", Decimal("150000.00")),
        ("own", "", Decimal("50000")),
    ]

    idea = SurveyRecord.objects.get(round=target, kind="idea")
    assert idea.owner == orgs["comune"]  # by IPA code, whatever the case
    assert idea.reference_ambito == "ict"
    assert idea.visibility == "public"
    assert idea.is_validated is True

    entry = AuditEntry.objects.get(code="survey.records.imported")
    assert entry.actor == plan_office
    assert entry.data["count"] == 2
    assert entry.object_id == str(target.pk)
    assert RecordRevision.objects.filter(record__round=target).count() == 2


@pytest.mark.django_db
def test_valid_xlsx_with_typed_cells(staff, orgs, target):
    row = full_row(
        planned_start=date(2021, 3, 1),
        planned_end=date(2022, 12, 31),
        actual_start=None,
        budget=1234.56,
        latitude=43.880532,
        longitude=11.096588,
    )
    response = upload(staff, target, xlsx_bytes([row, idea_row()]), name="records.xlsx")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.file_format == "xlsx"
    confirm(staff, target, job)
    project = SurveyRecord.objects.get(round=target, kind="project")
    assert project.planned_start == date(2021, 3, 1)
    assert project.budget == Decimal("1234.56")
    assert project.latitude == Decimal("43.880532")
    assert project.partners.count() == 2
    assert project.funding.count() == 2
    assert SurveyRecord.objects.filter(round=target).count() == 2


@pytest.mark.django_db
def test_format_comes_from_the_content_not_the_name(staff, orgs, target):
    response = upload(staff, target, xlsx_bytes([idea_row()]), name="records.csv")
    assert response.status_code == 302
    assert ImportJob.objects.get().file_format == "xlsx"


@pytest.mark.django_db
def test_semicolons_and_italian_numbers(orgs, target):
    content = csv_bytes([full_row(budget="1234,5")], delimiter=";", bom=True)
    result = check(target, content)
    assert result.ok, result.errors
    assert result.rows[0].fields["budget"] == Decimal("1234.5")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234.56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("1.234.567", Decimal("1234567")),
        ("1234,56", Decimal("1234.56")),
        ("€ 1.000", Decimal("1.000")),  # one, with three decimals: a budget refuses it rather than guess
        ("12", Decimal("12")),
        ("-5", Decimal("-5")),
    ],
)
def test_numbers(text, value):
    assert importing._number(text) == value


@pytest.mark.parametrize("text", ["12a", "1.2.3,4,5", "1,23,4", "--1", "1 2 3 x", "½"])
def test_bad_numbers(text):
    with pytest.raises(importing.CellError):
        importing._number(text)


# --- Errors row by row: nothing is written --------------------------------------------------------------


ROW_ERRORS = [
    ("wrong ambito", {"reference_ambito": "smart-cities"}, "reference_ambito", "Unknown domain (ambito)"),
    ("wrong impact ambito", {"impact_ambiti": "mobility|sport"}, "impact_ambiti", "Unknown domain (ambito)"),
    ("bad CUP", {"cup": "12345"}, "cup", "A CUP (public investment code) has 15 letters"),
    ("missing title", {"title": "  "}, "title", "Missing value: this column is required."),
    ("unknown organisation", {"owner": "Acme S.p.A."}, "owner", "Unknown organisation “Acme S.p.A.”"),
    ("bad date", {"planned_start": "2021-02-30"}, "planned_start", "is not a date"),
    ("bad number", {"budget": "twelve"}, "budget", "“twelve” is not a number"),
    ("too many decimals", {"budget": "12.345"}, "budget", "2 decimal places"),
    ("negative budget", {"budget": "-1"}, "budget", "greater than or equal to 0"),
    ("wrong kind", {"kind": "dream"}, "kind", "Unknown kind “dream”"),
    ("wrong status", {"status": "done"}, "status", "Unknown status “done”"),
    ("wrong audience", {"audience": "tourists"}, "audience", "Unknown audience “tourists”"),
    ("wrong visibility", {"visibility": "secret"}, "visibility", "Unknown visibility “secret”"),
    ("partner role", {"partners": "ASM Servizi srl:sponsor"}, "partners", "Unknown partner role “sponsor”"),
    ("partner format", {"partners": "ASM Servizi srl"}, "partners", "write each partner as name:role"),
    ("funding type", {"funding": "lottery:x:10"}, "funding", "Unknown funding type “lottery”"),
    ("funding amount", {"funding": "eu:x:ten"}, "funding", "“ten” is not a number"),
    (
        "end before start",
        {"planned_end": "2020-01-01"},
        "planned_end",
        "The planned end is before the planned start.",
    ),
    ("half a location", {"longitude": ""}, "longitude", "Give both latitude and longitude, or neither."),
    ("latitude range", {"latitude": "123"}, "latitude", "less than or equal to 90"),
    ("huge budget", {"budget": "9" * 40}, "budget", "no more than 14 digits"),
    ("huge latitude", {"latitude": "9" * 40}, "latitude", "is not a coordinate"),
    (
        "update of unknown",
        {"update_of": "999999"},
        "update_of",
        "is not the id of a record of an earlier round",
    ),
    ("update of text", {"update_of": "abc"}, "update_of", "is not the id of a record"),
    ("title too long", {"title": "x" * 251}, "title", "at most 250 characters"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "change", "column", "message"), ROW_ERRORS, ids=[c[0] for c in ROW_ERRORS])
def test_row_errors_name_the_row_and_the_column(orgs, target, case, change, column, message):
    result = check(target, csv_bytes([idea_row(), full_row(**change)]))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, column)], result.errors
    assert message in result.errors[0].message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "column", "message", "params"),
    [
        (
            {"reference_ambito": "smart"},
            "reference_ambito",
            "Unknown domain (ambito) “%(value)s”: use one of %(choices)s.",
            {"value": "smart", "choices": "governance, economy, mobility, environment, people, living, ict"},
        ),
        (
            {"cup": "12345"},
            "cup",
            "A CUP (public investment code) has 15 letters and digits and starts with a letter.",
            {},
        ),
        ({"title": ""}, "title", "Missing value: this column is required.", {}),
        (
            {"owner": "Nobody"},
            "owner",
            "Unknown organisation “%(value)s”: write its name as registered on the platform, or its IPA code.",
            {"value": "Nobody"},
        ),
    ],
)
def test_the_page_shows_translated_errors_and_nothing_is_written(
    staff, orgs, target, change, column, message, params
):
    response = upload(staff, target, csv_bytes([idea_row(), idea_row(), full_row(**change)]))
    assert response.status_code == 400
    assert in_italian(message, **params) in response.text
    assert f'<th scope="row">4</th><td><code>{column}</code></td>' in response.text
    assert SurveyRecord.objects.count() == 0
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_every_row_is_checked_and_the_count_is_given(orgs, target):
    rows = [idea_row(title=""), idea_row(), idea_row(owner="Nobody", kind="dream")]
    result = check(target, csv_bytes(rows))
    assert result.error_count == 3
    assert [(e.row, e.column) for e in result.errors] == [(2, "title"), (4, "owner"), (4, "kind")]


@pytest.mark.django_db
def test_rows_are_counted_as_in_the_spreadsheet(orgs, target):
    """A multi-line cell is one spreadsheet row; blank rows still count."""
    rows = [idea_row(description="first line\nsecond line\nthird line"), {}, idea_row(title="")]
    assert [e.row for e in check(target, csv_bytes(rows)).errors] == [4]
    assert [e.row for e in check(target, xlsx_bytes(rows)).errors] == [4]


@pytest.mark.django_db
def test_the_same_record_cannot_be_updated_twice(orgs, earlier, target):
    rows = [idea_row(update_of=str(earlier.pk)), idea_row(update_of=str(earlier.pk))]
    result = check(target, csv_bytes(rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, "update_of")]
    SurveyRecordFactory(round=target, owner=orgs["asm"], update_of=earlier)
    result = check(target, csv_bytes(rows[:1]))
    assert "already updates record" in result.errors[0].message


@pytest.mark.django_db
def test_a_later_round_cannot_be_updated(orgs, target):
    later = SurveyRecordFactory(round=SurveyRoundFactory(year=2025), owner=orgs["asm"])
    same = SurveyRecordFactory(round=target, owner=orgs["asm"])
    for record in (later, same):
        result = check(target, csv_bytes([idea_row(update_of=str(record.pk))]))
        assert [(e.row, e.column) for e in result.errors] == [(2, "update_of")]


# --- Errors of the whole file ---------------------------------------------------------------------------


FILE_ERRORS = [
    (
        "latin-1",
        csv_bytes([idea_row(title="Città più verde")], encoding="latin-1"),
        "The file is not in the UTF-8 encoding (perhaps it is not a CSV file at all). In your spreadsheet program save it as “CSV UTF-8” or as an Excel workbook (.xlsx), then upload it again.",
    ),
    (
        "binary renamed .csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        "The file is not in the UTF-8 encoding (perhaps it is not a CSV file at all). In your spreadsheet program save it as “CSV UTF-8” or as an Excel workbook (.xlsx), then upload it again.",
    ),
    (
        "binary with NUL bytes",
        b"owner,kind\x00\x00\x01\x02",
        "This does not look like a CSV file: it contains binary data. Upload a CSV (UTF-8) or XLSX file.",
    ),
    ("empty", b"", "The file is empty."),
    ("blank", b"\n\n  \n", "The file is empty."),
    ("only a BOM", "\ufeff".encode(), "The file is empty."),
    ("only headers", csv_bytes([]), "The file has no records: it holds only the header row."),
    (
        "only headers and blank rows",
        csv_bytes([{}, {}]),
        "The file has no records: it holds only the header row.",
    ),
    (
        "old excel",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as CSV UTF-8.",
    ),
    ("damaged xlsx", b"PK\x03\x04garbage", "The file looks like an Excel workbook but it is damaged."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "content", "message"), FILE_ERRORS, ids=[c[0] for c in FILE_ERRORS])
def test_file_errors(staff, orgs, target, case, content, message):
    response = upload(staff, target, content)
    assert response.status_code == 400
    assert in_italian(message) in response.text
    assert SurveyRecord.objects.count() == 0
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook(orgs, target):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(importing.ImportFileError, match="not an Excel workbook"), translation.override("en"):
        importing.check_file(survey_round=target, content=buffer.getvalue())


@pytest.mark.django_db
def test_missing_and_unknown_columns(staff, orgs, target):
    response = upload(staff, target, csv_bytes([idea_row()], header=["owner", "kind", "title"]))
    assert response.status_code == 400
    assert (
        in_italian("Missing required columns: %(columns)s.", columns="reference_ambito, status")
        in response.text
    )

    header = ["owner", "kind", "title", "reference_ambito", "status", "budjet"]
    with (
        pytest.raises(importing.ImportFileError, match="Unknown columns: budjet"),
        translation.override("en"),
    ):
        importing.check_file(survey_round=target, content=csv_bytes([idea_row()], header=header))
    header = ["owner", "kind", "title", "reference_ambito", "status", "Title"]
    with (
        pytest.raises(importing.ImportFileError, match="Repeated columns: title"),
        translation.override("en"),
    ):
        importing.check_file(survey_round=target, content=csv_bytes([idea_row()], header=header))
    assert SurveyRecord.objects.count() == 0


@pytest.mark.django_db
def test_headers_ignore_case_order_and_the_id_column(orgs, target):
    header = ["Status", "ID", "Reference Ambito", "title", "KIND", "owner"]
    rows = [dict(idea_row(), **{"ID": "77"})]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow(["idea", "77", "ict", "Portal", "idea", "ASM Servizi srl"])
    result = check(target, out.getvalue().encode())
    assert result.ok, result.errors and rows
    assert result.rows[0].fields["title"] == "Portal"


@pytest.mark.django_db
def test_a_huge_file_is_refused(staff, orgs, target):
    line = b"Comune di Prato,project,A project with a long enough title to fill the file,mobility,planned\n"
    content = b"owner,kind,title,reference_ambito,status\n" + line * (11 * 1024 * 1024 // len(line) + 1)
    assert len(content) > 11 * 1024 * 1024
    response = upload(staff, target, content)
    assert response.status_code == 400
    assert (
        in_italian(
            "The file is too large (%(size)s MB): the limit is %(limit)d MB. Split it into smaller files.",
            size="11.0",
            limit=10,
        )
        in response.text
    )
    assert SurveyRecord.objects.count() == 0
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_too_many_rows_are_refused(staff, orgs, target):
    content = csv_bytes([idea_row(title=f"Idea {i}") for i in range(25_000)])
    assert len(content) < importing.MAX_FILE_BYTES
    response = upload(staff, target, content)
    assert response.status_code == 400
    with translation.override("it"):
        message = translation.ngettext(
            "The file has more than %(limit)d row: split it into smaller files.",
            "The file has more than %(limit)d rows: split it into smaller files.",
            20_000,
        ) % {"limit": 20_000}
    assert escape(message) in response.text
    assert SurveyRecord.objects.count() == 0
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_values_outside_the_header_are_an_error(orgs, target):
    content = b"owner,kind,title,reference_ambito,status\nASM Servizi srl,idea,T,ict,idea,surprise\n"
    result = check(target, content)
    assert [(e.row, e.column) for e in result.errors] == [(2, "")]


# --- Confirmation ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_is_imported_once(staff, orgs, target):
    upload(staff, target, csv_bytes([idea_row()]))
    job = ImportJob.objects.get()
    confirm(staff, target, job)
    confirm(staff, target, job)
    assert SurveyRecord.objects.filter(round=target).count() == 1
    assert AuditEntry.objects.filter(code="survey.records.imported").count() == 1


@pytest.mark.django_db
def test_the_file_is_checked_again_at_confirmation(staff, orgs, earlier, target):
    upload(staff, target, csv_bytes([idea_row(), idea_row(update_of=str(earlier.pk))]))
    job = ImportJob.objects.get()
    SurveyRecordFactory(round=target, owner=orgs["asm"], update_of=earlier)  # someone else got there first
    response = confirm(staff, target, job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert job.errors[0][:2] == [3, "update_of"]
    assert SurveyRecord.objects.filter(round=target).count() == 1  # only the other one
    page = staff.get(response.url)
    assert (
        "already updates record" in page.text
        or in_italian("A record of this round already updates record %(value)s.", value=earlier.pk)
        in page.text
    )


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_everything_back(orgs, target, plan_office, monkeypatch):
    result = check(target, csv_bytes([idea_row(title=f"Idea {i}") for i in range(5)]))
    calls = []
    original = services.record_save

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise services.ValidationError({"title": "Broken"})
        return original(**kwargs)

    monkeypatch.setattr(services, "record_save", failing)
    with pytest.raises(importing.RowsInvalid) as caught:
        importing.commit_rows(survey_round=target, rows=result.rows, actor=plan_office)
    assert [(e.row, e.column) for e in caught.value.errors] == [(5, "title")]
    assert SurveyRecord.objects.filter(round=target).count() == 0
    assert not AuditEntry.objects.filter(code="survey.records.imported").exists()


@pytest.mark.django_db
def test_discard(staff, orgs, target):
    upload(staff, target, csv_bytes([idea_row()]))
    job = ImportJob.objects.get()
    response = staff.post(import_url(target), {"action": "discard", "job": job.pk})
    assert response.status_code == 302
    assert not ImportJob.objects.exists()
    assert SurveyRecord.objects.count() == 0


@pytest.mark.django_db
def test_jobs_belong_to_who_uploaded_them(client, staff, orgs, target):
    upload(staff, target, csv_bytes([idea_row()]))
    job = ImportJob.objects.get()
    colleague = UserFactory(roles=["plan_office"])
    client.force_login(colleague)
    assert client.get(f"{import_url(target)}?job={job.pk}").status_code == 404
    assert client.post(import_url(target), {"action": "confirm", "job": job.pk}).status_code == 404
    other_round = SurveyRoundFactory()
    client.force_login(job.created_by)
    assert client.get(f"{import_url(other_round)}?job={job.pk}").status_code == 404
    assert client.get(f"{import_url(target)}?job=nonsense").status_code == 404
    assert SurveyRecord.objects.count() == 0


# --- Large files: a background task with progress -------------------------------------------------------


@pytest.mark.django_db
def test_a_large_file_is_imported_in_the_background_with_progress(staff, orgs, target, monkeypatch):
    seen = []
    original_call = importing.ProgressReporter.__call__

    def spy(self, done, total):
        seen.append(done)
        original_call(self, done, total)

    monkeypatch.setattr(importing.ProgressReporter, "__call__", spy)
    rows = [idea_row(title=f"Idea {i}", partners="PIN s.c.r.l.:partner") for i in range(600)]
    upload(staff, target, csv_bytes(rows))
    job = ImportJob.objects.get()
    preview = staff.get(f"{import_url(target)}?job={job.pk}")
    assert (
        "the import runs in the background" in preview.text
        or in_italian(
            "This file is large: the import runs in the background and this page shows its progress."
        )
        in preview.text
    )

    response = confirm(staff, target, job)
    job.refresh_from_db()
    assert job.task_id  # it went through the task backend
    assert job.status == ImportJobStatus.DONE
    assert job.processed_rows == 600
    assert seen[-1] == 600 and seen == sorted(seen)
    assert SurveyRecord.objects.filter(round=target, is_validated=True).count() == 600
    page = staff.get(response.url)
    assert page.status_code == 200
    assert importing.job_progress(job) == (600, 600)
    assert 'hx-trigger="every 2s"' not in page.text  # finished: no more polling


@pytest.mark.django_db
def test_the_progress_bar_while_running(staff, orgs, target):
    upload(staff, target, csv_bytes([idea_row(title=f"Idea {i}") for i in range(3)]))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, total_rows=600)
    job.refresh_from_db()
    importing.ProgressReporter(job)(300, 600)
    url = f"{import_url(target)}?job={job.pk}"
    page = staff.get(url)
    assert '<progress id="import-progress" class="w-100" max="600" value="300">50%</progress>' in page.text
    assert 'hx-trigger="every 2s"' in page.text
    assert f'href="{escape(url)}"' in page.text  # a plain refresh link without JS
    partial = staff.get(url, headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="import-status"')
    assert "<html" not in partial.text
    assert 'value="300"' in partial.text


# --- Export and the round trip --------------------------------------------------------------------------


@pytest.fixture
def filled_round(orgs, earlier, plan_office):
    survey_round = SurveyRoundFactory(year=2021, slug="filled-2021")
    services.record_save(
        actor=plan_office,
        survey_round=survey_round,
        owner=orgs["comune"],
        kind="project",
        title="=SUM(A1) smart parking",
        description='Line one\nLine two, with "quotes"; a | bar and a \\ backslash',
        reference_ambito="mobility",
        impact_ambiti=["environment", "ict"],
        audience_citizens=True,
        audience_businesses=True,
        audience_schools=True,
        audience_internal=True,
        status="in_progress",
        planned_start=date(2021, 1, 1),
        planned_end=date(2022, 6, 30),
        actual_start=date(2021, 2, 1),
        actual_end=date(2022, 7, 31),
        budget=Decimal("1234567.89"),
        cup="H51B17000110007",
        latitude=Decimal("43.880532"),
        longitude=Decimal("11.096588"),
        links="https://example.org/a\nhttps://example.org/b?x=1|2",
        visibility="reserved",
        update_of=earlier,
        partners=[
            {"organisation": orgs["asm"], "name": "", "role": "partner"},
            {"organisation": None, "name": "Università: Dip. | Ingegneria", "role": "lead"},
            {"organisation": None, "name": "-minus & co", "role": "supplier"},
        ],
        funding=[
            {"type": "eu", "programme": "POR FESR 2014-2020: Asse 6", "amount": Decimal("150000.50")},
            {"type": "own", "programme": "", "amount": None},
            {"type": "pnrr", "programme": "@M1C1", "amount": Decimal("0")},
        ],
        is_validated=True,
    )
    services.record_save(
        actor=plan_office,
        survey_round=survey_round,
        owner=orgs["asm"],
        kind="idea",
        title="+39 numbers and @mentions",
        description="-starts with a minus",
        reference_ambito="ict",
        audience_internal=True,
        status="idea",
        latitude=Decimal("-51.507351"),
        longitude=Decimal("-0.127758"),
    )
    services.record_save(
        actor=plan_office,
        survey_round=survey_round,
        owner=orgs["pin"],
        kind="project",
        title="'=already quoted",
        description="\tstarts with a tab",
        reference_ambito="people",
        status="completed",
        budget=Decimal("0.10"),
        cup="",
        links="@not-a-link",
        funding=[{"type": "private", "programme": "=HYPERLINK(x)", "amount": Decimal("12.30")}],
    )
    return survey_round


def export(client, survey_round, fmt):
    response = client.get(reverse("survey:export", args=[survey_round.slug, fmt]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_table(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_table(content: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [[cell.value for cell in row] for row in workbook.worksheets[0].iter_rows()]


def without_id(table):
    assert table[0][0] == "id"
    return [row[1:] for row in table]


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "read"), [("csv", csv_table), ("xlsx", xlsx_table)])
def test_export_import_round_trip_is_lossless(staff, filled_round, fmt, read):
    first = export(staff, filled_round, fmt)
    copy = SurveyRoundFactory(year=2021, slug=f"copy-{fmt}")
    response = upload(staff, copy, first, name=f"export.{fmt}")
    assert response.status_code == 302, response.content.decode()[:3000]
    confirm(staff, copy, ImportJob.objects.get(round=copy))
    assert copy.records.count() == 3
    second = export(staff, copy, fmt)
    first_table, second_table = read(first), read(second)
    assert len(first_table) == 4
    assert without_id(first_table) == without_id(second_table)
    assert [row[0] for row in first_table[1:]] != [row[0] for row in second_table[1:]]


@pytest.mark.django_db
def test_export_neutralises_formulas_and_the_import_restores_them(staff, filled_round):
    table = csv_table(export(staff, filled_round, "csv"))
    header = table[0]
    project, idea, third = (dict(zip(header, row, strict=True)) for row in table[1:])
    assert project["title"] == "'=SUM(A1) smart parking"
    assert idea["title"] == "'+39 numbers and @mentions"
    assert idea["description"] == "'-starts with a minus"
    assert idea["longitude"] == "-0.127758"  # a plain number is harmless and stays as it is
    assert third["title"] == "''=already quoted"
    assert third["description"] == "'\tstarts with a tab"
    assert third["links"] == "'@not-a-link"
    assert third["funding"] == "private:=HYPERLINK(x):12.30"  # the cell starts with "private": harmless
    assert project["partners"] == (
        "ASM Servizi srl:partner|Università: Dip. \\| Ingegneria:lead|-minus & co:supplier"
    )
    assert project["update_of"] == str(filled_round.records.get(title="=SUM(A1) smart parking").update_of_id)
    assert project["audience"] == "citizens|businesses|schools|internal"
    assert project["budget"] == "1234567.89"
    assert project["planned_start"] == "2021-01-01"
    for row in table:
        for cell in row:
            assert not cell.startswith(spreadsheet.FORMULA_TRIGGERS) or spreadsheet._looks_numeric(cell)

    workbook = openpyxl.load_workbook(io.BytesIO(export(staff, filled_round, "xlsx")))
    cells = list(workbook.worksheets[0].iter_rows(min_row=2))
    title = cells[0][tabular.HEADERS.index("title")]
    assert title.value == "'=SUM(A1) smart parking"
    assert title.data_type == "s"  # text, not a formula
    assert cells[0][tabular.HEADERS.index("budget")].data_type == "n"

    copy = SurveyRoundFactory(year=2021, slug="copy-neutral")
    result = check(copy, export(staff, filled_round, "csv"))
    assert result.ok, result.errors
    titles = [row.fields["title"] for row in result.rows]
    assert titles == ["=SUM(A1) smart parking", "+39 numbers and @mentions", "'=already quoted"]
    assert result.rows[2].fields["description"] == "\tstarts with a tab"
    assert result.rows[2].fields["links"] == "@not-a-link"


@pytest.mark.django_db
def test_export_queries_do_not_grow_with_the_records(staff, orgs, django_assert_max_num_queries):
    survey_round = SurveyRoundFactory(slug="many")
    for i in range(40):
        record = SurveyRecordFactory(round=survey_round, owner=orgs["asm"], title=f"Project {i}")
        record.impacts.create(ambito="ict")
        record.partners.create(organisation=orgs["pin"], role="partner")
        record.funding.create(type="eu", programme="FESR", amount=Decimal("10"))
    for fmt in ("csv", "xlsx"):
        with django_assert_max_num_queries(15):
            content = export(staff, survey_round, fmt)
        assert content
    assert len(csv_table(export(staff, survey_round, "csv"))) == 41


@pytest.mark.django_db
def test_export_headers_and_audit(staff, filled_round, plan_office):
    response = staff.get(reverse("survey:export", args=[filled_round.slug, "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="filled-2021-records.csv"'
    b"".join(response.streaming_content)
    response = staff.get(reverse("survey:export", args=[filled_round.slug, "xlsx"]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(code="survey.records.exported", actor=plan_office).count() == 2


@pytest.mark.django_db
def test_an_empty_round_exports_only_the_header(staff):
    survey_round = SurveyRoundFactory(slug="empty")
    assert csv_table(export(staff, survey_round, "csv")) == [list(tabular.HEADERS)]
    assert xlsx_table(export(staff, survey_round, "xlsx")) == [list(tabular.HEADERS)]


# --- Permissions ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("member", 403),
        ("representative", 403),
        ("plan_office", 200),
        ("administrator", 200),
    ],
)
def test_who_may_import_and_export(client, request, orgs, target, who, expected):
    if who == "citizen":
        client.force_login(UserFactory())
    elif who in ("member", "representative"):
        client.force_login(MembershipFactory(organisation=orgs["asm"], role=who).user)
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    urls = [
        import_url(target),
        reverse("survey:export", args=[target.slug, "csv"]),
        reverse("survey:export", args=[target.slug, "xlsx"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert reverse("account_login") in response.url
        if expected == 200 and response.streaming:
            assert b"".join(response.streaming_content).strip()
    response = upload(client, target, csv_bytes([idea_row()]))
    assert response.status_code in (302, 403)
    assert ImportJob.objects.exists() == (expected == 200)
    assert SurveyRecord.objects.count() == 0


@pytest.mark.django_db
def test_missing_round_and_format(staff):
    assert staff.get(reverse("survey:import", args=["nowhere"])).status_code == 404
    assert staff.get(reverse("survey:export", args=["nowhere", "csv"])).status_code == 404
    survey_round = SurveyRoundFactory(slug="exists")
    assert staff.get(reverse("survey:export", args=[survey_round.slug, "pdf"])).status_code == 404
    assert staff.post(reverse("survey:export", args=[survey_round.slug, "csv"])).status_code == 405


@pytest.mark.django_db
def test_the_import_page_documents_the_columns(staff, target):
    response = staff.get(import_url(target))
    assert response.status_code == 200
    for name in tabular.HEADERS:
        assert f"<code>{name}</code>" in response.text
    assert 'enctype="multipart/form-data"' in response.text


# --- The management command -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_dry_run_then_import(orgs, target, tmp_path, capsys):
    path = tmp_path / "records.csv"
    path.write_bytes(csv_bytes([full_row(), idea_row()]))
    out = io.StringIO()
    call_command("import_survey_records", target.slug, str(path), "--dry-run", stdout=out)
    assert "2 record(s) would be created" in out.getvalue()
    assert SurveyRecord.objects.count() == 0

    out, err = io.StringIO(), io.StringIO()
    call_command("import_survey_records", target.slug, str(path), stdout=out, stderr=err)
    assert "2 record(s) imported" in out.getvalue()
    assert "100%" in capsys.readouterr().err + err.getvalue()
    assert SurveyRecord.objects.filter(round=target, is_validated=True).count() == 2
    assert AuditEntry.objects.get(code="survey.records.imported").data["count"] == 2


@pytest.mark.django_db
def test_command_reports_errors_and_writes_nothing(orgs, target, tmp_path):
    path = tmp_path / "records.csv"
    path.write_bytes(csv_bytes([idea_row(), idea_row(reference_ambito="nowhere")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_survey_records", target.slug, str(path), stderr=err)
    assert "Row 3, reference_ambito:" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_survey_records", "no-such-round", str(path))
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("import_survey_records", target.slug, str(path))
    assert SurveyRecord.objects.count() == 0


# --- The cell format ------------------------------------------------------------------------------------


@given(st.text(max_size=30))
def test_neutralisation_is_undone_exactly(value):
    safe = spreadsheet.neutralise(value)
    assert spreadsheet.unneutralise(safe) == value
    assert not safe.startswith(spreadsheet.FORMULA_TRIGGERS) or spreadsheet._looks_numeric(safe)


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12)
        .map(str.strip)
        .filter(bool),
        max_size=5,
    )
)
def test_lists_in_a_cell_round_trip(items):
    assert tabular.split_list(tabular.join_list(items)) == items


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["²", "①", "9" * 5000])
def test_a_job_key_that_is_not_a_number_is_a_404(staff, orgs, target, pk):
    # str.isdigit() accepts "²" and "①", which int() refused with ValueError (a 500); so it did 5000 digits.
    upload(staff, target, csv_bytes([idea_row()]))

    assert staff.post(import_url(target), {"action": "confirm", "job": pk}).status_code == 404
    assert staff.get(import_url(target), {"job": pk}).status_code == 404
    assert ImportJob.objects.get().status == "previewed"
    assert SurveyRecord.objects.count() == 0
