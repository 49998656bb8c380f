"""The properties every write must keep, whatever it is sent.

- Never a server error: the test client re-raises what a view raised, and no status is 5xx.
- A refusal (a 4xx, a form shown again with errors, or an error message) leaves every table as it was.
- A success leaves the data coherent: the rows it created or changed hold no NUL character and pass their model's
  validation, and the counters agree with the rows they count.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages as django_messages
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Count, Q
from django.forms import BaseForm, BaseFormSet

# Tables that any request may write, whatever its outcome: sessions (a login), the failed logins of django-axes.
VOLATILE_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


def _tables():
    seen = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen[meta.db_table] = model
    return seen


@dataclass(frozen=True)
class Snapshot:
    counts: dict  # table → (rows, largest integer pk or None)


def snapshot() -> Snapshot:
    """The number of rows and the largest integer key of every table, in one query (the names are the models'
    own tables, quoted: nothing of a request goes into it)."""
    tables = _tables()
    parts = []
    for table, model in tables.items():
        quoted = connection.ops.quote_name(table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        maximum = f"(SELECT MAX({pk}) FROM {quoted})" if _integer_pk(model) else "NULL"  # noqa: S608
        parts.append(f"(SELECT COUNT(*) FROM {quoted}), {maximum}")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return Snapshot(counts={table: (row[2 * i], row[2 * i + 1]) for i, table in enumerate(tables)})


def changed_tables(before: Snapshot, after: Snapshot, allowed=frozenset()) -> dict:
    ignored = VOLATILE_TABLES | set(allowed)
    return {
        table: (before.counts[table][0], counts[0])
        for table, counts in after.counts.items()
        if table not in ignored and counts != before.counts[table]
    }


def _forms_in(response):
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        flat = context.flatten() if hasattr(context, "flatten") else dict(context)
        for value in flat.values():
            if isinstance(value, BaseForm | BaseFormSet):
                yield value
            elif isinstance(value, dict):
                yield from (v for v in value.values() if isinstance(v, BaseForm | BaseFormSet))


def _has_errors(form) -> bool:
    if not form.is_bound:
        return False
    if isinstance(form, BaseFormSet):
        return bool(form.total_error_count())
    return bool(form.errors)


def error_messages(response) -> list[str]:
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", []) or []
    return [str(m) for m in queued if m.level >= django_messages.ERROR]


def refusal_reasons(response) -> list:
    """The errors shown (for debugging a fuzz test with ``FUZZ_DEBUG=1``)."""
    reasons = [form.errors for form in _forms_in(response) if _has_errors(form)]
    return reasons + error_messages(response)


def is_refusal(response) -> bool:
    """The request was turned down: nothing may have been written."""
    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 200 and any(_has_errors(form) for form in _forms_in(response)):
        return True
    return bool(error_messages(response))


# --- Coherence after a success --------------------------------------------------------------------------------


def _text_fields(model):
    return [f for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]


def _integer_pk(model) -> bool:
    return isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.IntegerField)


def _rows_touched(model, old_max, since, rows_changed: bool):
    """Rows created after the snapshot (integer keys beyond the largest one) or changed since ``since``."""
    conditions = []
    if rows_changed and _integer_pk(model):
        conditions.append(Q(pk__gt=old_max) if old_max is not None else Q(pk__isnull=False))
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        conditions.append(Q(updated_at__gte=since))
    if not conditions:
        return model._base_manager.none()
    condition = conditions[0]
    for more in conditions[1:]:
        condition |= more
    return model._base_manager.filter(condition)


# Fields whose model validation needs more than the row (a file on disk, a value the service computed from
# another table): their stored value is checked by the model constraints, not by ``full_clean``.
FULL_CLEAN_EXCLUDE = {"file", "image", "logo", "attachment"}
# Rows that are valid although a field is empty, by design: the fields to leave out of ``full_clean``.
BY_DESIGN = {
    # Deleting a comment removes its text; the row stays for the replies.
    "participation.Comment": lambda row: ["body"] if row.deleted_at else [],
    # allauth's authenticators: a new one has not been used yet (the column is nullable, the field not blank).
    "mfa.Authenticator": lambda row: ["last_used_at"] if row.last_used_at is None else [],
}


def coherence_problems(before: Snapshot, since) -> list[str]:
    problems = []
    after = snapshot()
    for table, model in _tables().items():
        old_rows, old_max = before.counts[table]
        rows_changed = after.counts[table] != (old_rows, old_max)
        timestamped = any(f.name == "updated_at" for f in model._meta.concrete_fields)
        if table in VOLATILE_TABLES or model._meta.auto_created or not (rows_changed or timestamped):
            continue
        texts = _text_fields(model)
        for row in _rows_touched(model, old_max, since, rows_changed):
            for text_field in texts:
                value = getattr(row, text_field.attname)
                if isinstance(value, str) and "\x00" in value:
                    problems.append(f"{model._meta.label} {row.pk}: NUL in {text_field.name}")
            exclude = [f.name for f in model._meta.fields if f.name in FULL_CLEAN_EXCLUDE]
            exclude += BY_DESIGN.get(model._meta.label, lambda row: [])(row)
            try:
                row.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                problems.append(
                    f"{model._meta.label} {row.pk}: {exc.message_dict if hasattr(exc, 'error_dict') else exc.messages}"
                )
    problems += counter_problems()
    return problems


def counter_problems() -> list[str]:
    """Counters kept beside the rows they count, and the seats of meetings."""
    from cittasmart.meetings.models import Meeting, WorkingGroup
    from cittasmart.participation.models import CommentStatus, Idea

    problems = []
    live = Q(
        comments__status=CommentStatus.PUBLISHED, comments__is_hidden=False, comments__deleted_at__isnull=True
    )
    ideas = Idea.objects.annotate(
        supports_real=Count("supports", distinct=True),
        comments_real=Count("comments", filter=live, distinct=True),
    )
    for idea in ideas:
        if (idea.support_count, idea.comment_count) != (idea.supports_real, idea.comments_real):
            problems.append(
                f"idea {idea.pk}: counters {idea.support_count}/{idea.comment_count}, "
                f"rows {idea.supports_real}/{idea.comments_real}"
            )
    for model in (Meeting, WorkingGroup):
        over = (
            model.objects.filter(capacity__isnull=False)
            .annotate(confirmed=Count("registrations", filter=Q(registrations__status="confirmed")))
            .filter(confirmed__gt=models.F("capacity"))
        )
        problems += [f"{model._meta.label} {row.pk}: more confirmed than seats" for row in over]
    return problems
