from django.db.models import Q, QuerySet

from cittasmart.core.models import AuditEntry


def audit_entry_list(*, code: str = "", query: str = "") -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor", "content_type")
    if code:
        entries = entries.filter(code__startswith=code)
    if query:
        entries = entries.filter(Q(object_repr__icontains=query) | Q(actor__email__icontains=query))
    return entries


def audit_codes() -> list[str]:
    return list(AuditEntry.objects.order_by("code").values_list("code", flat=True).distinct())
