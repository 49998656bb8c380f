"""The API tokens organisations use to push measurements, and the replies kept for idempotent retries.

A token's secret is shown once, when the plan office issues it; only its SHA-256 hash is stored, so the database
(or a backup of it) cannot be used to write. Services write and audit; selectors read."""

import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cittasmart.core.audit import log_action
from cittasmart.opendata.models import ApiToken, IdempotencyRecord

# Every secret starts with this, so that it is recognisable in a configuration file or a leak scanner.
SECRET_PREFIX = "cs_"  # noqa: S105 (not a secret: the start of every one)
# How many characters of the secret are kept in clear, to tell tokens apart in lists.
SHOWN_CHARACTERS = 8
# A secret is "cs_" + 43 characters; anything much longer is not one of ours (and is not hashed).
MAX_SECRET_LENGTH = 200
# ``last_used_at`` is written at most this often: not one write per request.
LAST_USED_PRECISION = timedelta(minutes=1)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- Services ----------------------------------------------------------------------------------------------


@transaction.atomic
def token_issue(*, actor, organisation, name: str) -> tuple[ApiToken, str]:
    """A new token for ``organisation``; returns it with its secret, which is not stored anywhere."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation=organisation,
        name=name.strip(),
        prefix=secret[:SHOWN_CHARACTERS],
        token_hash=token_hash(secret),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    token.full_clean()
    token.save()
    log_action(
        actor, "opendata.token.issued", token, {"organisation": organisation.pk, "prefix": token.prefix}
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke ``token`` (at once: the next request with it gets 401). Revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    log_action(actor, "opendata.token.revoked", token, {"organisation": token.organisation_id})
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """The active token whose secret is ``secret``, or None. The lookup is by hash, so its time does not depend
    on how much of the secret is right."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("organisation")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- Idempotency -------------------------------------------------------------------------------------------

# The replies a retry gets again: success and the refusals that the same request would get again. Not 401/429
# (they depend on the moment, and are given before a key is looked at) nor errors of the server.
STORED_STATUSES = frozenset({201, 403, 404, 409, 422})


class IdempotencyKeyReused(Exception):
    """The key was already used by this token for a different request."""


def request_fingerprint(*, operation: str, body: dict) -> str:
    """SHA-256 of the operation and of the body as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps({"operation": operation, "body": body}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def idempotent_reply(
    *, token: ApiToken, key: str, fingerprint: str, produce: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """The reply to a write with an ``Idempotency-Key``: ``(status, body, replayed)``.

    The first request with the key inserts its record before doing the work, in the same transaction; a
    simultaneous request with the same key waits on that row (the unique constraint) and then reads the stored
    reply, so the work is done once. Raises ``IdempotencyKeyReused`` when the key came with another request."""
    record = IdempotencyRecord.objects.filter(token=token, key=key).first()
    if record is None:
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    token=token, key=key, request_hash=fingerprint, status_code=0, response={}
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(token=token, key=key)
        else:
            status, body = produce()
            if status in STORED_STATUSES:
                record.status_code, record.response = status, body
                record.save(update_fields=["status_code", "response"])
            else:
                record.delete()
            return status, body, False
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused
    return record.status_code, record.response, True


# --- Selectors ---------------------------------------------------------------------------------------------


def token_list() -> QuerySet[ApiToken]:
    """Every token, the newest first, with what the staff list shows."""
    return ApiToken.objects.select_related("organisation", "created_by", "revoked_by").order_by(
        "-created_at", "-id"
    )


def token_get(*, pk: int) -> ApiToken:
    return token_list().get(pk=pk)
