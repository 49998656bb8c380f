"""The governance structure of the plan: every write, and the read behind the public page.

Governance is not versioned: bodies, members and decisions describe who runs the plan over time. Decisions refer to
actions by their ``key`` (shared by the copies of an action across versions), so the public page can link each
decision to the action as it is in the current version.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cittasmart.core.audit import log_action
from cittasmart.plan.models import (
    Action,
    BodyMember,
    Decision,
    GovernanceBody,
    GovernanceBodyKind,
    PlanVersion,
)
from cittasmart.plan.selectors import current_version
from cittasmart.plan.services import save_validated, set_fields

BODY_FIELDS = ("name", "slug", "kind", "mandate", "parent", "order")
MEMBER_FIELDS = ("person_name", "organisation", "role", "since", "until")


# --- Kinds ----------------------------------------------------------------------------------------------


@transaction.atomic
def kind_save(
    *, actor, kind: GovernanceBodyKind | None = None, name: str, order: int = 0
) -> GovernanceBodyKind:
    created = kind is None
    kind = kind or GovernanceBodyKind()
    kind.name = (name or "").strip()
    kind.order = order
    save_validated(kind, _("A kind with this name already exists."))
    log_action(actor, "plan.governance_kind.created" if created else "plan.governance_kind.updated", kind)
    return kind


# --- Bodies ---------------------------------------------------------------------------------------------


def _unique_slug(name: str, exclude_pk: int | None) -> str:
    base = (slugify(name) or "body")[:70].strip("-") or "body"
    slug, n = base, 2
    taken = GovernanceBody.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_no_cycle(body: GovernanceBody, parent: GovernanceBody | None) -> None:
    """A body cannot report to itself nor to one of the bodies that (directly or not) report to it."""
    if parent is None or body.pk is None:
        return
    parents = dict(GovernanceBody.objects.values_list("id", "parent_id"))
    node, seen = parent.pk, set()
    while node is not None and node not in seen:
        if node == body.pk:
            raise ValidationError(
                {"parent": _("A body cannot report to itself or to a body that reports to it.")}
            )
        seen.add(node)
        node = parents.get(node)


@transaction.atomic
def body_save(*, actor, body: GovernanceBody | None = None, **fields) -> GovernanceBody:
    """Create (``body=None``) or change a governance body; the address (slug) is derived from the name when empty."""
    created = body is None
    if body is not None:
        body = GovernanceBody.objects.select_for_update().get(pk=body.pk)
    else:
        body = GovernanceBody()
    changed = set_fields(body, fields, BODY_FIELDS)
    body.name = (body.name or "").strip()
    if not body.slug:
        body.slug = _unique_slug(body.name, body.pk)
    _check_no_cycle(body, body.parent)
    save_validated(body, _("A body with this address already exists."))
    log_action(
        actor,
        "plan.governance_body.created" if created else "plan.governance_body.updated",
        body,
        {"changed": sorted(changed)},
    )
    return body


@transaction.atomic
def body_delete(*, actor, body: GovernanceBody) -> None:
    """Delete a body; refused while other bodies report to it, actions name it or its decisions log is not empty."""
    body = GovernanceBody.objects.select_for_update().get(pk=body.pk)
    if body.children.exists():
        raise ValidationError(
            _("“%(name)s” cannot be deleted: other bodies report to it. Move or delete them first.")
            % {"name": body.name}
        )
    if Action.objects.filter(governance_body=body).exists():
        raise ValidationError(
            _("“%(name)s” cannot be deleted: it is in charge of plan actions.") % {"name": body.name}
        )
    if body.decisions.exists():
        raise ValidationError(
            _("“%(name)s” cannot be deleted: its decisions log is part of the public record.")
            % {"name": body.name}
        )
    log_action(actor, "plan.governance_body.deleted", body, {"name": body.name, "slug": body.slug})
    body.delete()


# --- Members --------------------------------------------------------------------------------------------


def _check_member(member: BodyMember) -> None:
    errors = {}
    if not member.person_name and member.organisation_id is None:
        errors["person_name"] = _("Give the name of a person, an organisation or both.")
    if member.since and member.until and member.until < member.since:
        errors["until"] = _("The end date cannot be before the start date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def member_save(
    *, actor, body: GovernanceBody | None = None, member: BodyMember | None = None, **fields
) -> BodyMember:
    """Add a member to ``body`` (``member=None``) or change a membership."""
    created = member is None
    if created:
        if body is None:
            raise TypeError("body is required to add a member")
        member = BodyMember(body=body)
    else:
        member = BodyMember.objects.select_for_update().get(pk=member.pk)
    changed = set_fields(member, fields, MEMBER_FIELDS)
    member.person_name = (member.person_name or "").strip()
    member.role = (member.role or "").strip()
    _check_member(member)
    save_validated(member, _("The membership could not be saved."))
    log_action(
        actor,
        "plan.body_member.added" if created else "plan.body_member.updated",
        member.body,
        {"member": member.pk, "changed": sorted(changed)},
    )
    return member


@transaction.atomic
def member_end(*, actor, member: BodyMember, until: date | None = None) -> BodyMember:
    """End a membership on ``until`` (today when not given)."""
    member = BodyMember.objects.select_for_update().select_related("body").get(pk=member.pk)
    until = until or timezone.localdate()
    if member.until is not None and member.until <= timezone.localdate():
        raise ValidationError({"until": _("This membership has already ended.")})
    member.until = until
    _check_member(member)
    save_validated(member, _("The membership could not be saved."))
    log_action(actor, "plan.body_member.ended", member.body, {"member": member.pk, "until": str(until)})
    return member


# --- Decisions ------------------------------------------------------------------------------------------


def _clean_keys(keys) -> list[str]:
    cleaned: list[str] = []
    for key in keys or []:
        try:
            value = str(uuid.UUID(str(key)))
        except ValueError:
            raise ValidationError({"action_keys": _("“%(key)s” is not an action.") % {"key": key}}) from None
        if value not in cleaned:
            cleaned.append(value)
    known = {str(k) for k in Action.objects.filter(key__in=cleaned).values_list("key", flat=True)}
    missing = [key for key in cleaned if key not in known]
    if missing:
        raise ValidationError({"action_keys": _("Some of the related actions do not exist.")})
    return cleaned


@transaction.atomic
def decision_save(
    *,
    actor,
    body: GovernanceBody | None = None,
    decision: Decision | None = None,
    date: date,
    summary: str,
    action_keys=(),
) -> Decision:
    """Record a decision of ``body`` (``decision=None``) or correct one; ``action_keys`` are keys of actions."""
    created = decision is None
    if created:
        if body is None:
            raise TypeError("body is required to record a decision")
        decision = Decision(body=body)
    else:
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
    decision.date = date
    decision.summary = (summary or "").strip()
    decision.action_keys = _clean_keys(action_keys)
    save_validated(decision, _("The decision could not be saved."))
    log_action(
        actor,
        "plan.decision.created" if created else "plan.decision.updated",
        decision,
        {"body": decision.body_id, "actions": len(decision.action_keys)},
    )
    return decision


# --- Reading: the structure for the public page ---------------------------------------------------------


@dataclass
class DecisionRow:
    decision: Decision
    actions: list[Action] = field(default_factory=list)
    other_actions: int = 0  # related actions that are not in the current version


@dataclass
class BodyNode:
    body: GovernanceBody
    heading: int
    current_members: list[BodyMember] = field(default_factory=list)
    upcoming_members: list[BodyMember] = field(default_factory=list)
    past_members: list[BodyMember] = field(default_factory=list)
    decisions: list[DecisionRow] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    children: list["BodyNode"] = field(default_factory=list)

    @property
    def sub_heading(self) -> int:
        return min(self.heading + 1, 6)


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def governance_structure(
    *, today: date | None = None, version: PlanVersion | None = None
) -> tuple[list[BodyNode], PlanVersion | None]:
    """The bodies as a tree (roots first), with members split by date and decisions linked to current actions.

    A fixed number of queries whatever the number of bodies, members and decisions.
    """
    today = today or timezone.localdate()
    version = version or current_version()
    bodies = list(
        GovernanceBody.objects.select_related("kind", "parent").prefetch_related(
            Prefetch(
                "members", queryset=BodyMember.objects.select_related("organisation").order_by("since", "id")
            ),
            Prefetch("decisions", queryset=Decision.objects.order_by("-date", "-id")),
        )
    )
    keys = {k for body in bodies for d in body.decisions.all() for k in map(_as_uuid, d.action_keys) if k}
    actions_by_key: dict[str, Action] = {}
    in_charge: dict[int, list[Action]] = defaultdict(list)
    if version is not None:
        actions = version.actions.select_related("version").filter(
            Q(key__in=keys) | Q(governance_body__isnull=False)
        )
        for action in actions.order_by("kind", "code"):
            if action.key in keys:
                actions_by_key[str(action.key)] = action
            if action.governance_body_id is not None:
                in_charge[action.governance_body_id].append(action)

    nodes: dict[int, BodyNode] = {}
    for body in bodies:
        node = BodyNode(body=body, heading=2, actions=in_charge.get(body.pk, []))
        for member in body.members.all():
            if member.until is not None and member.until < today:
                node.past_members.append(member)
            elif member.since is not None and member.since > today:
                node.upcoming_members.append(member)
            else:
                node.current_members.append(member)
        for decision in body.decisions.all():
            row = DecisionRow(decision=decision)
            for key in decision.action_keys:
                action = actions_by_key.get(str(_as_uuid(key)))
                if action is None:
                    row.other_actions += 1
                else:
                    row.actions.append(action)
            node.decisions.append(row)
        nodes[body.pk] = node

    roots: list[BodyNode] = []
    for body in bodies:  # already in display order (order, name)
        node = nodes[body.pk]
        if body.parent_id is None:
            roots.append(node)
        else:
            nodes[body.parent_id].children.append(node)

    def set_heading(node: BodyNode, level: int) -> None:
        node.heading = min(level, 6)
        for child in node.children:
            set_heading(child, level + 1)

    for root in roots:
        set_heading(root, 2)
    return roots, version
