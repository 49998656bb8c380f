"""Reads of the moderators' queue and of the plan office's overview: constant queries whatever the number of rows.

Lists that mix ideas and comments are paginated as one list of ``(kind, pk, moment)`` rows (a SQL ``UNION ALL``),
then the objects of the page alone are fetched, two queries whatever the page holds.
"""

from dataclasses import dataclass, field

from django.core.paginator import Page
from django.db.models import CharField, Count, F, Min, Q, QuerySet, Value

from cittasmart.participation.models import (
    OPEN_IDEA_STATUSES,
    Block,
    Comment,
    CommentStatus,
    Idea,
    IdeaStatus,
    Process,
    Report,
    ReportReason,
)

TABS = ("reported", "pending", "hidden")


@dataclass
class QueueItem:
    """One idea or comment in the queue, with what the moderator needs to judge it at a glance."""

    kind: str  # "idea" or "comment"
    pk: int
    moment: object = None  # oldest open report, creation, or last change
    target: Idea | Comment | None = None
    report_count: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)  # (reason label, count)

    @property
    def is_idea(self) -> bool:
        return self.kind == "idea"

    @property
    def process(self) -> Process:
        return self.target.process if self.is_idea else self.target.idea.process


# --- Counts ---------------------------------------------------------------------------------------------


def open_reports() -> QuerySet[Report]:
    return Report.objects.filter(resolved_at__isnull=True)


# First posts awaiting review (a rejected one is hidden and leaves this tab for the "hidden" one).
PENDING_IDEA = Q(status=IdeaStatus.PENDING, is_hidden=False)
PENDING_COMMENT = Q(status=CommentStatus.PENDING, is_hidden=False, deleted_at__isnull=True)


def queue_counts() -> dict[str, int]:
    """How many contents each tab holds (reported contents, not reports), and the open reports: three queries."""
    # A report has exactly one target: distinct ideas plus distinct comments are the distinct contents.
    reports = open_reports().aggregate(
        open_reports=Count("id"),
        ideas=Count("idea_id", distinct=True),
        comments=Count("comment_id", distinct=True),
    )
    ideas = Idea.objects.aggregate(
        pending=Count("id", filter=PENDING_IDEA), hidden=Count("id", filter=Q(is_hidden=True))
    )
    comments = Comment.objects.aggregate(
        pending=Count("id", filter=PENDING_COMMENT), hidden=Count("id", filter=Q(is_hidden=True))
    )
    return {
        "reported": reports["ideas"] + reports["comments"],
        "pending": ideas["pending"] + comments["pending"],
        "hidden": ideas["hidden"] + comments["hidden"],
        "open_reports": reports["open_reports"],
    }


# --- The queue ------------------------------------------------------------------------------------------


def _union(ideas: QuerySet[Idea], comments: QuerySet[Comment], *, moment: str, newest_first: bool):
    def rows(queryset, kind):
        return (
            queryset.annotate(kind=Value(kind, output_field=CharField()), moment=F(moment))
            .values_list("kind", "pk", "moment")
            .order_by()
        )

    order = ("-moment", "-pk") if newest_first else ("moment", "pk")
    return rows(ideas, "idea").union(rows(comments, "comment"), all=True).order_by(*order)


def reported_rows():
    """One row per content with open reports: its oldest open report first."""
    return (
        open_reports()
        .values("idea_id", "comment_id")
        .annotate(report_count=Count("id"), oldest=Min("created_at"))
        .order_by("oldest", "idea_id", "comment_id")
    )


def pending_rows():
    """First posts awaiting review, oldest first."""
    return _union(
        Idea.objects.filter(PENDING_IDEA),
        Comment.objects.filter(PENDING_COMMENT),
        moment="created_at",
        newest_first=False,
    )


def hidden_rows():
    """Hidden content, the last changed first."""
    return _union(
        Idea.objects.filter(is_hidden=True),
        Comment.objects.filter(is_hidden=True),
        moment="updated_at",
        newest_first=True,
    )


def _attach_targets(items: list[QueueItem]) -> list[QueueItem]:
    idea_ids = [item.pk for item in items if item.is_idea]
    comment_ids = [item.pk for item in items if not item.is_idea]
    ideas = {
        idea.pk: idea
        for idea in Idea.objects.filter(pk__in=idea_ids).select_related("author", "organisation", "process")
    }
    comments = {
        comment.pk: comment
        for comment in Comment.objects.filter(pk__in=comment_ids).select_related(
            "author", "organisation", "idea__process"
        )
    }
    for item in items:
        item.target = ideas.get(item.pk) if item.is_idea else comments.get(item.pk)
    return [item for item in items if item.target is not None]


def queue_page(tab: str, page: Page) -> list[QueueItem]:
    """The items of one page of a tab, with their content (and, for reports, the reasons)."""
    if tab == "reported":
        items = [
            QueueItem(
                kind="idea" if row["idea_id"] else "comment",
                pk=row["idea_id"] or row["comment_id"],
                moment=row["oldest"],
                report_count=row["report_count"],
            )
            for row in page.object_list
        ]
        _attach_reasons(items)
    else:
        items = [QueueItem(kind=kind, pk=pk, moment=moment) for kind, pk, moment in page.object_list]
    return _attach_targets(items)


def _attach_reasons(items: list[QueueItem]) -> None:
    if not items:
        return
    idea_ids = [item.pk for item in items if item.is_idea]
    comment_ids = [item.pk for item in items if not item.is_idea]
    rows = (
        open_reports()
        .filter(Q(idea_id__in=idea_ids) | Q(comment_id__in=comment_ids))
        .values("idea_id", "comment_id", "reason")
        .annotate(count=Count("id"))
        .order_by("-count", "reason")
    )
    labels = dict(ReportReason.choices)
    by_target: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for row in rows:
        key = ("idea", row["idea_id"]) if row["idea_id"] else ("comment", row["comment_id"])
        by_target.setdefault(key, []).append((labels.get(row["reason"], row["reason"]), row["count"]))
    for item in items:
        item.reasons = by_target.get((item.kind, item.pk), [])


# --- One content, one person ----------------------------------------------------------------------------


def reports_of(*, idea: Idea | None = None, comment: Comment | None = None) -> QuerySet[Report]:
    """The reports of a content, open ones first, then the most recent."""
    return (
        Report.objects.filter(idea=idea, comment=comment)
        .select_related("reporter", "resolved_by")
        .order_by(F("resolved_at").desc(nulls_first=True), "created_at", "id")
    )


def report_history_of_author(*, user) -> dict:
    """What the reports against a person's content came to: totals by outcome and by reason."""
    reports = Report.objects.filter(Q(idea__author=user) | Q(comment__author=user))
    totals = reports.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(resolved_at__isnull=True)),
        hidden=Count("id", filter=Q(resolution="hidden")),
        dismissed=Count("id", filter=Q(resolution="dismissed")),
    )
    labels = dict(ReportReason.choices)
    totals["by_reason"] = [
        (labels.get(row["reason"], row["reason"]), row["count"])
        for row in reports.values("reason").annotate(count=Count("id")).order_by("-count", "reason")
    ]
    return totals


def person_ideas(*, user) -> QuerySet[Idea]:
    return Idea.objects.filter(author=user).select_related("process").order_by("-created_at", "-id")


def person_comments(*, user) -> QuerySet[Comment]:
    return Comment.objects.filter(author=user).select_related("idea__process").order_by("-created_at", "-id")


def block_list() -> QuerySet[Block]:
    return Block.objects.select_related("user", "blocked_by").order_by("-created_at", "-id")


# --- The plan office ------------------------------------------------------------------------------------

AWAITING_ANSWER = Q(status__in=OPEN_IDEA_STATUSES, is_hidden=False, process__is_published=True)


def ideas_awaiting_answer() -> QuerySet[Idea]:
    """Public ideas without an official answer yet, the oldest first."""
    return (
        Idea.objects.filter(AWAITING_ANSWER)
        .select_related("process", "author", "organisation")
        .order_by("published_at", "id")
    )


def processes_for_office() -> QuerySet[Process]:
    """Every process, published or not, with its phases and the ideas still waiting for an answer."""
    awaiting = Q(
        ideas__status__in=OPEN_IDEA_STATUSES,
        ideas__is_hidden=False,
    )
    return (
        Process.objects.select_related("organiser", "plan_version")
        .prefetch_related("phases")
        .annotate(
            idea_total=Count("ideas", distinct=True),
            awaiting_answer=Count("ideas", filter=awaiting, distinct=True),
        )
        .order_by("-created_at", "-id")
    )
