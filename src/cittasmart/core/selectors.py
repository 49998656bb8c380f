from django.db.models import Q, QuerySet

from cittasmart.core.models import AccessibilityFeedback, AuditEntry


def audit_entry_list(*, code: str = "", query: str = "") -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor", "content_type")
    if code:
        entries = entries.filter(code__startswith=code)
    if query:
        entries = entries.filter(Q(object_repr__icontains=query) | Q(actor__email__icontains=query))
    return entries


def audit_codes() -> list[str]:
    return list(AuditEntry.objects.order_by("code").values_list("code", flat=True).distinct())


def accessibility_feedback_list(*, handled: bool | None = None) -> QuerySet[AccessibilityFeedback]:
    feedback = AccessibilityFeedback.objects.select_related("author")
    if handled is not None:
        feedback = feedback.filter(handled=handled)
    return feedback.order_by("handled", "-created_at")


def every_word_in(query: str, *fields: str, max_words: int = 8) -> Q:
    """A filter for rows where each word of ``query`` (up to ``max_words``) is in at least one of ``fields``."""
    condition = Q()
    for word in query.split()[:max_words]:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition
