"""Generated organisations and the people who act for them (one representative each, then members)."""

import datetime
from dataclasses import dataclass, field

from django.utils.text import slugify

from cittasmart.core.generate import texts
from cittasmart.core.generate.base import Context, between
from cittasmart.stakeholders.models import Membership, MembershipRole, Organisation, OrganisationCategory

HOST_NAME = "Comune di Esempio"


@dataclass
class Organisations:
    ids: list[int]
    names: list[str]
    categories: list[str]
    host_id: int
    # Generated account index → the organisations that person acts for.
    of_person: dict[int, list[int]] = field(default_factory=dict)


def unique(value: str, taken: set[str], *, limit: int, lower: bool = False) -> str:
    """``value``, or ``value-2``, ``value-3``… the first one not in ``taken`` (which it joins)."""
    key = (lambda v: v.lower()) if lower else (lambda v: v)
    candidate, n = value[:limit], 2
    while key(candidate) in taken:
        suffix = f"-{n}" if not lower else f" ({n})"
        candidate, n = f"{value[: limit - len(suffix)]}{suffix}", n + 1
    taken.add(key(candidate))
    return candidate


def generate(ctx: Context) -> None:
    scale = ctx.scale
    rng = ctx.rng("organisations")
    people = ctx.shared["people"]
    existing = Organisation.objects.using(ctx.writer.using)
    names_taken = {name.lower() for name in existing.values_list("name", flat=True)}
    slugs_taken = set(existing.values_list("slug", flat=True))
    host = existing.filter(is_host_entity=True).values_list("pk", flat=True).first()
    first_id = ctx.writer.reserve(Organisation, scale.organisations)
    rows, ids, names, categories = [], [], [], []
    for index in range(scale.organisations):
        pk = first_id + index
        is_host = host is None and index == 0
        if is_host:
            category, name = OrganisationCategory.PUBLIC_BODY, HOST_NAME
        else:
            category, prefix = texts.ORGANISATION_KINDS[index % len(texts.ORGANISATION_KINDS)]
            if category in (OrganisationCategory.PUBLIC_BODY, OrganisationCategory.PARTICIPATED_COMPANY):
                base = rng.choice(texts.MUNICIPALITIES)[0]
            else:
                base = rng.choice(texts.SURNAMES)
            name = f"{prefix} {base} {index:03d}"
        name = unique(name, names_taken, limit=200, lower=True)
        slug = unique(slugify(name)[:70] or "organisation", slugs_taken, limit=80)
        # Before the first account joined (see accounts.JOINED_OVER_DAYS).
        created = between(
            rng,
            ctx.clock.now - datetime.timedelta(days=2_600),
            ctx.clock.now - datetime.timedelta(days=2_450),
        )
        description = f"{name}: organizzazione di esempio, creata con i dati generati."
        rows.append(
            (
                pk,
                created,
                created,
                name,
                slug,
                category,
                category == OrganisationCategory.PUBLIC_BODY,
                is_host,
                "",
                "",
                "",
                f"https://www.example.org/{slug}",
                description,
                "",
            )
        )
        ids.append(pk)
        names.append(name)
        categories.append(category)
        if is_host:
            host = pk
    columns = [
        "id",
        "created_at",
        "updated_at",
        "name",
        "slug",
        "category",
        "is_public_body",
        "is_host_entity",
        "ipa_code",
        "vat_number",
        "fiscal_code",
        "website",
        "description",
        "logo",
    ]
    ctx.write("organisations", Organisation, columns, rows)
    organisations = Organisations(ids=ids, names=names, categories=categories, host_id=host)
    ctx.shared["organisations"] = organisations

    # Memberships: organisation by organisation, the first person of each is its representative.
    staff = 3
    pool = range(min(staff, people.count), people.count)
    pairs: set[tuple[int, int]] = set()
    rows = []
    wanted = min(scale.memberships, len(pool) * len(ids))
    index = 0
    while len(rows) < wanted:
        organisation = ids[index % len(ids)]
        person = rng.choice(pool)
        index += 1
        if (person, organisation) in pairs:
            continue
        pairs.add((person, organisation))
        role = MembershipRole.REPRESENTATIVE if index <= len(ids) else MembershipRole.MEMBER
        since = people.joined[person] + datetime.timedelta(days=1)
        rows.append((since, since, people.id(person), organisation, role))
        organisations.of_person.setdefault(person, []).append(organisation)
    ctx.write(
        "memberships", Membership, ["created_at", "updated_at", "user_id", "organisation_id", "role"], rows
    )
