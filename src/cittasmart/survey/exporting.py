"""Export the records of a round in the import's own column layout (see ``tabular``), in constant memory.

CSV is produced row by row for a streaming response; XLSX with openpyxl's write-only mode, which keeps the rows
in a temporary file on disk rather than in memory. Records are read in chunks with their related rows prefetched,
so the number of queries grows with the chunks, not with the records.
"""

import csv
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Prefetch, QuerySet

from cittasmart.core import spreadsheet
from cittasmart.survey import tabular
from cittasmart.survey.models import RecordPartner, SurveyRecord, SurveyRound

CHUNK_SIZE = 500
SHEET_TITLE = "records"


def export_queryset(survey_round: SurveyRound) -> QuerySet[SurveyRecord]:
    """Every record of the round (the plan office exports everything), oldest first."""
    return (
        survey_round.records.select_related("owner")
        .prefetch_related(
            "impacts",
            Prefetch(
                "partners", queryset=RecordPartner.objects.select_related("organisation").order_by("id")
            ),
            "funding",
        )
        .order_by("id")
    )


def iter_rows(survey_round: SurveyRound) -> Iterator[dict[str, Any]]:
    for record in export_queryset(survey_round).iterator(chunk_size=CHUNK_SIZE):
        yield tabular.record_row(record)


def csv_lines(survey_round: SurveyRound) -> Iterator[str]:
    """The CSV file line by line: UTF-8 with a byte-order mark, so that spreadsheet programs detect it."""
    writer = csv.writer(spreadsheet.Echo())
    yield "\ufeff" + writer.writerow(tabular.HEADERS)
    for row in iter_rows(survey_round):
        yield writer.writerow([tabular.text_cell(row[name]) for name in tabular.HEADERS])


def write_xlsx(survey_round: SurveyRound, target: IO[bytes]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SHEET_TITLE)
    sheet.append(list(tabular.HEADERS))
    for row in iter_rows(survey_round):
        sheet.append([spreadsheet.xlsx_cell(row[name]) for name in tabular.HEADERS])
    workbook.save(target)


def filename(survey_round: SurveyRound, fmt: str) -> str:
    return f"{survey_round.slug}-records.{fmt}"
