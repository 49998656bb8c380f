"""The feedback report of a process: what became of every public idea, as a page and as a CSV file.

Counts by outcome and by domain (answered / not yet answered / withdrawn) come from one grouped query; the ideas
are read with their answers and the plan actions these link, in constant queries per page (the page) or per chunk
(the CSV, streamed in constant memory). Ideas awaiting review or hidden by moderation are not public and are left
out of both.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape

from django.db.models import Count, Prefetch, QuerySet
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.spreadsheet import Echo, neutralise
from cittasmart.participation.models import (
    Idea,
    IdeaStatus,
    Outcome,
    Process,
    public_ideas_q,
)
from cittasmart.participation.selectors import answer_of
from cittasmart.plan.models import Action

CHUNK_SIZE = 500


@dataclass
class CountRow:
    """Public ideas of one group (a domain, or all of them) by where they stand."""

    key: str
    label: str
    answered: int = 0
    not_answered: int = 0
    withdrawn: int = 0

    @property
    def total(self) -> int:
        return self.answered + self.not_answered + self.withdrawn


@dataclass
class OutcomeRow:
    key: str
    label: str
    count: int = 0


@dataclass
class FeedbackReport:
    process: Process
    totals: CountRow
    by_outcome: list[OutcomeRow] = field(default_factory=list)
    by_ambito: list[CountRow] = field(default_factory=list)


def public_ideas(process: Process) -> QuerySet[Idea]:
    """The ideas of ``process`` anyone may read (published, under evaluation, answered or withdrawn; not hidden)."""
    return Idea.objects.filter(public_ideas_q(), process=process)


def _standing(status: str, outcome: str | None) -> str:
    if status == IdeaStatus.WITHDRAWN:
        return "withdrawn"
    return "answered" if outcome else "not_answered"


def feedback_report(process: Process) -> FeedbackReport:
    """The counts of the report, from one grouped query."""
    totals = CountRow(key="", label=str(_("All domains")))
    by_ambito = {a.value: CountRow(key=a.value, label=str(a.label)) for a in Ambito}
    unstated = CountRow(key="", label=str(_("No domain stated")))
    by_outcome = {o.value: OutcomeRow(key=o.value, label=str(o.label)) for o in Outcome}
    groups = (
        public_ideas(process).order_by().values("ambito", "status", "answer__outcome").annotate(n=Count("id"))
    )
    for group in groups:
        standing = _standing(group["status"], group["answer__outcome"])
        row = by_ambito.get(group["ambito"], unstated)
        for target in (row, totals):
            setattr(target, standing, getattr(target, standing) + group["n"])
        if standing == "answered" and group["answer__outcome"] in by_outcome:
            by_outcome[group["answer__outcome"]].count += group["n"]
    rows = list(by_ambito.values())
    if unstated.total:
        rows.append(unstated)
    return FeedbackReport(
        process=process, totals=totals, by_outcome=list(by_outcome.values()), by_ambito=rows
    )


def report_ideas(process: Process) -> QuerySet[Idea]:
    """Every public idea of the process, oldest first, with its answer and the actions the answer links."""
    return (
        public_ideas(process)
        .select_related("process", "author", "organisation", "answer")
        .prefetch_related(
            Prefetch("answer__actions", queryset=Action.objects.select_related("version").order_by("code"))
        )
        .order_by("created_at", "id")
    )


_BLOCK_END_RE = re.compile(r"<br\s*/?>|</(p|li|h[1-6]|blockquote|pre)>", re.IGNORECASE)


def plain_text(html_text: str) -> str:
    """The text of sanitised HTML (an answer rendered by ``core.markup``), one line per paragraph."""
    text = unescape(strip_tags(_BLOCK_END_RE.sub("\n", html_text or "")))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# --- CSV ------------------------------------------------------------------------------------------------

CSV_HEADER = (
    "id",
    "title",
    "author",
    "ambito",
    "ambito_label",
    "state",
    "state_label",
    "published_at",
    "supports",
    "comments",
    "place",
    "outcome",
    "outcome_label",
    "answer",
    "answered_at",
    "actions",
    "url",
)


def csv_row(idea: Idea, *, base_url: str = "") -> list[str]:
    """One idea as CSV cells (text, before neutralisation)."""
    answer = answer_of(idea)
    actions = list(answer.actions.all()) if answer else []
    return [
        str(idea.pk),
        idea.title,
        idea.author_label,
        idea.ambito,
        idea.get_ambito_display() if idea.ambito else "",
        idea.status,
        str(idea.get_status_display()),
        idea.published_at.isoformat() if idea.published_at else "",
        str(idea.support_count),
        str(idea.comment_count),
        idea.place_name,
        answer.outcome if answer else "",
        str(answer.get_outcome_display()) if answer else "",
        plain_text(answer.text_html) if answer else "",
        answer.updated_at.isoformat() if answer else "",
        "; ".join(action.code for action in actions),
        base_url + idea.get_absolute_url(),
    ]


def csv_lines(process: Process, *, base_url: str = "") -> Iterator[str]:
    """The CSV file line by line: UTF-8 with a byte-order mark (for spreadsheet programs), cells neutralised."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for idea in report_ideas(process).iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow([neutralise(cell) for cell in csv_row(idea, base_url=base_url)])


def csv_filename(process: Process) -> str:
    return f"feedback-{process.slug}.csv"
