"""Reads of participation, with what each person may see: constant queries whatever the number of rows."""

from dataclasses import dataclass, field

from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import MD5, Cast, Concat
from django.http import Http404
from django.utils import timezone

from cittasmart.core.ambiti import Ambito
from cittasmart.core.cursor import CursorPage, keyset_page
from cittasmart.core.selectors import every_word_in
from cittasmart.participation.models import (
    Comment,
    CommentStatus,
    Follow,
    Idea,
    IdeaAnswer,
    IdeaStatus,
    Notification,
    NotificationSettings,
    Phase,
    Process,
    ProcessTiming,
    Support,
    public_ideas_q,
)
from cittasmart.participation.rules import sees_everything

# --- Processes ------------------------------------------------------------------------------------------


def _process_queryset() -> QuerySet[Process]:
    return Process.objects.select_related("organiser", "plan_version").prefetch_related(
        Prefetch("phases", queryset=Phase.objects.order_by("starts_on", "id")), "ambiti"
    )


def processes_visible(*, user) -> QuerySet[Process]:
    processes = _process_queryset()
    if not sees_everything(user):
        processes = processes.filter(is_published=True)
    return processes


def process_list(*, user, timing: str = "") -> list[Process]:
    """Visible processes, open first (by end date), then upcoming (by start), then past (latest first)."""
    today = timezone.localdate()
    processes = list(
        processes_visible(user=user).annotate(idea_total=Count("ideas", filter=public_ideas_q("ideas__")))
    )
    if timing:
        processes = [p for p in processes if p.timing == timing]
    rank = {ProcessTiming.OPEN: 0, ProcessTiming.UPCOMING: 1, ProcessTiming.PAST: 2}

    def key(process: Process):
        phases = list(process.phases.all())
        start = min((p.starts_on for p in phases), default=today)
        end = max((p.ends_on for p in phases), default=today)
        timing_rank = rank[process.timing]
        if timing_rank == 2:
            return (timing_rank, -end.toordinal(), process.pk)
        return (timing_rank, (end if timing_rank == 0 else start).toordinal(), process.pk)

    return sorted(processes, key=key)


def process_get(*, slug: str, user) -> Process:
    """The process if ``user`` may see it; 404 for missing and unpublished alike."""
    process = processes_visible(user=user).filter(slug=slug).first()
    if process is None:
        raise Http404
    return process


# --- Ideas ----------------------------------------------------------------------------------------------

SORTS = ("newest", "supported", "commented", "random")


@dataclass
class IdeaFilters:
    ambito: str = ""
    status: str = ""
    outcome: str = ""
    has_answer: bool | None = None
    query: str = ""
    sort: str = "newest"
    seed: int = 1
    phase: int | None = None  # ideas published during this phase
    extra: dict = field(default_factory=dict)


def ideas_visible(*, user, process: Process | None = None) -> QuerySet[Idea]:
    """Ideas ``user`` may see in lists: public ones, plus their own awaiting review. Hidden ones only for moderators
    and staff (flagged), never in public lists."""
    scope = Q(process=process) if process is not None else Q(process__is_published=True)
    ideas = Idea.objects.filter(scope)
    visible = public_ideas_q()
    if getattr(user, "is_authenticated", False):
        visible |= Q(author=user, status=IdeaStatus.PENDING, is_hidden=False)
    return ideas.filter(visible)


def _with_list_data(ideas: QuerySet[Idea], *, user) -> QuerySet[Idea]:
    ideas = ideas.select_related("author", "organisation", "process", "answer")
    if getattr(user, "is_authenticated", False):
        ideas = ideas.annotate(
            supported_by_me=Exists(Support.objects.filter(idea=OuterRef("pk"), user=user)),
        )
    else:
        ideas = ideas.annotate(supported_by_me=Value(False))
    return ideas


def idea_filter(ideas: QuerySet[Idea], filters: IdeaFilters) -> QuerySet[Idea]:
    if filters.ambito:
        ideas = ideas.filter(ambito=filters.ambito)
    if filters.status:
        ideas = ideas.filter(status=filters.status)
    if filters.outcome:
        ideas = ideas.filter(answer__outcome=filters.outcome)
    if filters.has_answer is True:
        ideas = ideas.filter(answer__isnull=False)
    elif filters.has_answer is False:
        ideas = ideas.filter(answer__isnull=True)
    if filters.phase is not None:
        phase = Phase.objects.filter(pk=filters.phase).first()
        if phase is not None:
            ideas = ideas.filter(
                published_at__date__gte=phase.starts_on, published_at__date__lte=phase.ends_on
            )
    query = filters.query.strip()
    if query:
        ideas = ideas.filter(every_word_in(query, "title", "body", "place_name"))
    return ideas


def _sort(ideas: QuerySet[Idea], filters: IdeaFilters) -> tuple[QuerySet[Idea], list[tuple[str, bool]]]:
    if filters.sort == "supported":
        return ideas, [("support_count", True), ("id", True)]
    if filters.sort == "commented":
        return ideas, [("comment_count", True), ("id", True)]
    if filters.sort == "random":
        # A hash of seed and id: stable for a visitor, unrelated to the order of the ids, pageable by cursor.
        # (An affine permutation "(id × a + c) mod p" was tried: over a few hundred consecutive ids it leaves
        # them in runs, ascending, descending or by stride, for most seeds.)
        ideas = ideas.annotate(
            shuffle=MD5(Concat(Value(f"{filters.seed}:"), Cast("id", output_field=CharField())))
        )
        return ideas, [("shuffle", False), ("id", False)]
    return ideas, [("created_at", True), ("id", True)]


def idea_page(
    *, user, process: Process, filters: IdeaFilters, cursor: str = "", size: int = 20
) -> CursorPage:
    """One page of a process's ideas as filtered and sorted, after ``cursor``."""
    ideas = idea_filter(ideas_visible(user=user, process=process), filters)
    ideas, ordering = _sort(_with_list_data(ideas, user=user), filters)
    return keyset_page(ideas, ordering=ordering, cursor=cursor, size=size)


def idea_count(*, user, process: Process, filters: IdeaFilters) -> int:
    return idea_filter(ideas_visible(user=user, process=process), filters).count()


def ideas_on_map(*, user, process: Process, filters: IdeaFilters, limit: int = 500) -> list[Idea]:
    ideas = idea_filter(ideas_visible(user=user, process=process), filters).filter(
        latitude__isnull=False, longitude__isnull=False
    )
    return list(ideas.select_related("process").order_by("-support_count", "-id")[:limit])


def idea_get(*, process: Process, pk: int, user) -> Idea:
    """The idea if ``user`` may see it (404 otherwise), with what its page shows."""
    idea = (
        _with_list_data(Idea.objects.filter(process=process, pk=pk), user=user)
        .select_related("answer__answered_by")
        .prefetch_related("attachments", "answer__actions__version")
        .first()
    )
    if idea is None or not user.has_perm("participation.view_idea", idea):
        raise Http404
    idea.process = process  # the process already fetched, with its phases prefetched
    return idea


def idea_for_support(*, slug: str, pk: int, user) -> Idea:
    """The idea behind a support button, with only what the rules and the support box read: its process with
    the phases, and whether ``user`` supports it. Two queries instead of the page's seven (a support is the
    busiest write of a campaign); 404 exactly where the idea's page answers 404."""
    idea = (
        Idea.objects.filter(process__slug=slug, pk=pk)
        .select_related("process")
        .prefetch_related("process__phases")
        .annotate(supported_by_me=Exists(Support.objects.filter(idea=OuterRef("pk"), user=user)))
        .first()
    )
    if idea is None or not user.has_perm("participation.view_idea", idea):
        raise Http404
    return idea


def idea_comments(*, idea: Idea, user) -> list[Comment]:
    """The thread of an idea: top-level comments with their replies (one level), in order.

    Hidden and deleted comments keep their place (so replies make sense) but not their text; comments awaiting
    review are shown to their author and to moderators only."""
    comments = Comment.objects.filter(idea=idea).select_related("author", "organisation")
    if not sees_everything(user):
        own = Q(author=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
        comments = comments.filter(Q(status=CommentStatus.PUBLISHED) | own)
    rows = list(comments.order_by("created_at", "id"))
    by_parent: dict[int, list[Comment]] = {}
    top = []
    for comment in rows:
        comment.idea = idea  # with its process and phases: asking the rules about a comment costs no query
        comment.thread_replies = []
        if comment.parent_id:
            by_parent.setdefault(comment.parent_id, []).append(comment)
        else:
            top.append(comment)
    for comment in top:
        comment.thread_replies = by_parent.get(comment.pk, [])
    return top


def is_following(*, user, process: Process | None = None, idea: Idea | None = None, ambito: str = "") -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(user=user, process=process, idea=idea, ambito=ambito).exists()


def followed_ambiti(*, user) -> list[str]:
    """The domains the person follows, in the taxonomy's order."""
    if not getattr(user, "is_authenticated", False):
        return []
    followed = set(Follow.objects.filter(user=user).exclude(ambito="").values_list("ambito", flat=True))
    return [a for a in Ambito.values if a in followed]


# --- Traceability ---------------------------------------------------------------------------------------


def answered_ideas_for_action(*, action) -> list[Idea]:
    """Public ideas whose answer links this action or the same action in any other version (same key)."""
    return list(
        Idea.objects.filter(public_ideas_q(), answer__actions__key=action.key, process__is_published=True)
        .select_related("process", "answer", "author", "organisation")
        .distinct()
        .order_by("-answer__created_at", "-id")
    )


def answer_of(idea: Idea) -> IdeaAnswer | None:
    try:
        return idea.answer
    except IdeaAnswer.DoesNotExist:
        return None


# --- Notifications --------------------------------------------------------------------------------------


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related(
        "actor", "idea__process", "comment", "process"
    )


def notification_settings_by_token(*, token: str) -> NotificationSettings | None:
    """The settings an unsubscribe link points to (read only: opening the link changes nothing)."""
    return NotificationSettings.objects.filter(unsubscribe_token=token).first() if token else None
