"""The report of a round: an accessible page with SVG charts and their tables, and the same figures as CSV."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cittasmart.core.spreadsheet import Echo, neutralise
from cittasmart.survey import selectors
from cittasmart.survey.models import RoundStatus
from cittasmart.survey.report import (
    CSV_HEADER,
    OWNER_TYPES,
    RoundReport,
    ambito_chart,
    audience_chart,
    csv_rows,
    funding_chart,
    round_report,
    status_chart,
)


def _report_for(request, slug: str) -> RoundReport:
    """The report of a round the user may see; 404 otherwise (a draft's existence stays unknown).

    The comparison with the previous round is left out when the user may not see that round's report (a
    published round following a draft one), so that its figures do not leak.
    """
    survey_round = selectors.round_get(slug=slug, user=request.user)
    if not request.user.has_perm("survey.view_report", survey_round):
        raise Http404
    previous = survey_round.previous_round
    compare = previous is not None and request.user.has_perm("survey.view_report", previous)
    return round_report(survey_round=survey_round, compare=compare)


@require_GET
def report(request, slug):
    data = _report_for(request, slug)
    survey_round = data.survey_round
    return render(
        request,
        "survey/report.html",
        {
            "survey_round": survey_round,
            "report": data,
            "is_published": survey_round.status == RoundStatus.PUBLISHED,
            "owner_types": OWNER_TYPES,
            "ambito_chart": ambito_chart(data),
            "audience_chart": audience_chart(data),
            "status_chart": status_chart(data),
            "funding_chart": funding_chart(data),
        },
    )


@require_GET
def report_csv(request, slug):
    """The report as one long CSV table: section,label,key,value (described on the report page)."""
    data = _report_for(request, slug)
    survey_round = data.survey_round
    writer = csv.writer(Echo())
    lines = [writer.writerow(CSV_HEADER)]
    lines.extend(writer.writerow([neutralise(cell) for cell in row]) for row in csv_rows(data))
    # A byte-order mark lets spreadsheet programs read the accented letters of names as UTF-8.
    response = HttpResponse("\ufeff" + "".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="report-{survey_round.slug}.csv"'
    return response
