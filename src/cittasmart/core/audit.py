"""The audit log: every staff and moderation action writes one entry through ``log_action``."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from cittasmart.core.models import AuditEntry


def log_action(
    actor, code: str, obj: models.Model | None = None, data: dict[str, Any] | None = None
) -> AuditEntry:
    """Record that ``actor`` did ``code`` (``"<app>.<entity>.<verb>"``) on ``obj``.

    ``data`` holds what changed; it must not carry personal data beyond identifiers.
    """
    entry = AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        code=code,
        data=data or {},
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:255]
    entry.full_clean()
    entry.save()
    return entry
