"""The authorization matrix: every URL pattern of the site × every role, against the table in ``matrix.csv``.

The patterns are found by walking the URL resolver (the apps, allauth, the admin, the API under ``/api/v1/`` and
the language switch), filled with the objects of ``tests/world.py`` and requested by each role. Each pattern is
requested with GET and with POST (an empty body), the admin's pages with GET (no role reaches them), the API's
operations with the methods they declare. Every request runs in a savepoint that is rolled back, so what an
authorised role writes does not change what the next request sees. An answer 500 always fails the test.

The table is a specification: one row per pattern (its URL name, or its route when the name is missing or shared),
variant (another object of the world, see ``tests/world.py``) and method, one column per role, and a note. A cell
is a status; ``302:login`` and ``302:admin_login`` are redirects to the login pages, ``302:error`` a redirect
that carries an error message (the view refused and sent the person back). A row whose pattern has a
``*`` covers every pattern it matches (used for the generated admin pages).

The test fails on any difference, on a pattern without a row (with the row to add) and on a row whose pattern no
longer exists. ``AUTHZ_RECORD=1`` writes the observed table instead (keeping the notes): read every changed row
against the views before keeping it.
"""

from __future__ import annotations

import csv
import fnmatch
import os
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import translation

from tests.world import ROLES, build_world, kwargs_for, storage_settings, variants_for

MATRIX = Path(__file__).with_name("matrix.csv")
COLUMNS = ["pattern", "variant", "method", *ROLES, "note"]
RECORD = os.environ.get("AUTHZ_RECORD", "") not in ("", "0")

# The admin's generated pages are covered by these rows when they all behave alike.
ADMIN_GLOBS = [
    "admin:*_changelist",
    "admin:*_add",
    "admin:*_change",
    "admin:*_delete",
    "admin:*_history",
    "admin/*/<path:object_id>/",
]


# --- The patterns ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # the URL name, or the route when the name is missing or shared by several routes
    name: str
    route: str
    chain: tuple  # the pattern objects from the root to the pattern, to build its address
    converters: tuple[str, ...]
    methods: tuple[str, ...]


def _path_view(callback):
    """The django-ninja path view behind an API pattern (it holds the operations and their methods)."""
    from ninja.operation import PathView

    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def _walk(resolver, chain=(), route="", namespaces=()):
    for item in resolver.url_patterns:
        item_route = URLResolver._join_route(route, str(item.pattern))
        if isinstance(item, URLResolver):
            names = (*namespaces, item.namespace) if item.namespace else namespaces
            yield from _walk(item, (*chain, item.pattern), item_route, names)
        elif isinstance(item, URLPattern):
            name = ":".join((*namespaces, item.name)) if item.name else ""
            yield name, item_route, (*chain, item.pattern), item


def _converters(chain) -> tuple[str, ...]:
    names: list[str] = []
    for part in chain:
        if isinstance(part, RoutePattern):
            names.extend(part.converters)
        elif isinstance(part, RegexPattern):
            names.extend(part.regex.groupindex)
    return tuple(names)


def url_patterns() -> list[Pattern]:
    found = list(_walk(get_resolver()))
    routes_by_name: dict[str, set[str]] = {}
    for name, route, _chain, _item in found:
        routes_by_name.setdefault(name, set()).add(route)
    operation_index: dict[int, int] = {}
    patterns: dict[tuple[str, str], Pattern] = {}
    for name, route, chain, item in found:
        key = name if name and len(routes_by_name[name]) == 1 else route
        path_view = _path_view(item.callback)
        if path_view is not None:
            # One pattern per operation of the path, all answering with the same view: each pattern is
            # checked with the methods of its operation.
            index = operation_index.get(id(path_view), 0)
            operation_index[id(path_view)] = index + 1
            methods = tuple(path_view.operations[index].methods)
        elif route.startswith("admin/"):
            methods = ("GET",)
        else:
            methods = ("GET", "POST")
        if (key, route) in patterns:  # an API operation with the same name as another on the same path
            previous = patterns[(key, route)]
            methods = tuple(dict.fromkeys((*previous.methods, *methods)))
        patterns[(key, route)] = Pattern(key, name, route, chain, _converters(chain), methods)
    return list(patterns.values())


_GROUP = re.compile(r"\(\?P<(\w+)>")


def _fill_regex(regex: str, values: dict) -> str:
    out, i = [], 0
    while i < len(regex):
        match = _GROUP.match(regex, i)
        if match is None:
            out.append(regex[i])
            i += 1
            continue
        depth, j = 1, match.end()
        while depth:
            if regex[j] == "\\":
                j += 2
                continue
            depth += {"(": 1, ")": -1}.get(regex[j], 0)
            j += 1
        out.append(str(values[match[1]]))
        i = j
    text = "".join(out).removeprefix("^").removesuffix("$")
    return re.sub(r"\\(.)", r"\1", text)


def build_path(chain, values: dict) -> str:
    parts = []
    for part in chain:
        if isinstance(part, LocalePrefixPattern):
            parts.append(part.language_prefix)
        elif isinstance(part, RoutePattern):
            route = str(part)
            for name, converter in part.converters.items():
                route = re.sub(rf"<(?:[^>:]+:)?{name}>", converter.to_url(values[name]), route)
            parts.append(route)
        else:
            parts.append(_fill_regex(str(part), values))
    return "/" + "".join(parts)


# --- Requests -------------------------------------------------------------------------------------------------


def _redirect_target(response) -> str:
    location = response.get("Location", "")
    try:
        match = resolve(urlsplit(location).path)
    except Resolver404:
        return ""
    return {"account_login": ":login", "admin:login": ":admin_login"}.get(match.view_name, "")


def _refused(response) -> bool:
    """Whether the view queued an error message: a redirect that refuses (back to the page, with the reason)."""
    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    return any(message.level >= messages.ERROR for message in getattr(storage, "_queued_messages", ()))


def outcome(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        target = _redirect_target(response)
        if not target and _refused(response):
            target = ":error"
        return f"{response.status_code}{target}"
    return str(response.status_code)


class Visitor:
    """One role's browser: logged in once, its cookies put back after every request."""

    def __init__(self, user):
        self.client = Client(raise_request_exception=False)
        if getattr(user, "is_authenticated", False):
            self.client.force_login(user)
        self.cookies = {key: morsel.value for key, morsel in self.client.cookies.items()}
        self.errors: list[str] = []  # the exceptions behind the answers 500, for the report

    def request(self, method: str, path: str) -> str:
        call = getattr(self.client, method.lower())
        # The cache outlives the savepoint: what a request cached (a row it created, a rate limit counted) must
        # not reach the next one.
        cache.clear()
        try:
            with transaction.atomic():
                response = call(path)
                # Streamed responses run their queries while they are read: read them inside the savepoint.
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
                transaction.set_rollback(True)
        finally:
            self.client.cookies = SimpleCookie(self.cookies)
            translation.activate(django_settings.LANGUAGE_CODE)
        if response.status_code >= 500 and getattr(response, "exc_info", None):
            error = response.exc_info[1]
            self.errors.append(f"{method} {path}: {type(error).__name__}: {error}")
        return outcome(response)


# --- The table ------------------------------------------------------------------------------------------------


# Rows written at the top of the table (after the header); a row whose pattern starts with "#" is a comment.
LEGEND = [
    "# The authorization matrix: see tests/authz/test_matrix.py. One row per pattern × variant × method.",
    "# pattern: the URL name (or the route when the name is missing or shared); '*' rows cover the admin's pages.",
    "# variant: empty = the restricted object of tests/world.py; others name another object (public etc.).",
    "# member_a / member_b: representatives of organisation A / B. A and B are both invited to the open round.",
    "# Cells: 302:login / 302:admin_login = sent to log in; 302:error = sent back with an error message.",
    "# POST rows send an empty body; every request is rolled back.",
]


def read_table() -> list[dict]:
    if not MATRIX.exists():
        return []
    with MATRIX.open(newline="", encoding="utf-8") as handle:
        rows = [
            row for row in csv.DictReader(handle) if row["pattern"] and not row["pattern"].startswith("#")
        ]
    return rows


def write_table(rows: list[dict]) -> None:
    with MATRIX.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({"pattern": line} for line in LEGEND)
        writer.writerows(rows)


def row_key(row: dict) -> tuple[str, str, str]:
    return row["pattern"], row.get("variant", ""), row["method"]


def expected_row(table: dict, globs: list[dict], key, variant, method) -> dict | None:
    row = table.get((key, variant, method))
    if row is not None:
        return row
    matching = [
        g
        for g in globs
        if g["variant"] == variant and g["method"] == method and fnmatch.fnmatchcase(key, g["pattern"])
    ]
    return max(matching, key=lambda g: len(g["pattern"]), default=None)


def as_row(key, variant, method, observed: dict, note: str = "") -> dict:
    return {"pattern": key, "variant": variant, "method": method, **observed, "note": note}


def recorded_rows(observations: list[tuple], old: dict) -> list[dict]:
    """The observed table, with the admin's generated pages folded into the rows of ``ADMIN_GLOBS`` when
    every page of a group answers alike, and the notes of the current table kept."""
    rows, grouped = [], {}
    for key, variant, method, observed in observations:
        glob = next((g for g in ADMIN_GLOBS if fnmatch.fnmatchcase(key, g)), None)
        if glob is not None:
            grouped.setdefault((glob, variant, method), []).append((key, observed))
            continue
        rows.append(as_row(key, variant, method, observed))
    for (glob, variant, method), members in grouped.items():
        if all(observed == members[0][1] for _key, observed in members):
            rows.append(as_row(glob, variant, method, members[0][1]))
        else:
            rows.extend(as_row(key, variant, method, observed) for key, observed in members)
    for row in rows:
        previous = old.get(row_key(row))
        if previous is not None:
            row["note"] = previous.get("note", "")
    return sorted(
        rows, key=lambda r: (r["pattern"].startswith("admin"), r["pattern"], r["variant"], r["method"])
    )


def _csv_line(row: dict) -> str:
    return ",".join(str(row[column]) for column in COLUMNS)


# --- The tests ------------------------------------------------------------------------------------------------


@pytest.fixture
def matrix_settings(settings, tmp_path):
    """No rate limit may answer 429 in place of the view; the world's files go to a folder of the test."""
    settings.RATE_LIMIT_WRITES_PER_MINUTE = 10**9
    settings.PARTICIPATION_RATE_LIMITS = dict.fromkeys(settings.PARTICIPATION_RATE_LIMITS, 10**9)
    settings.API_RATE_LIMIT_PER_MINUTE = 10**9
    settings.API_WRITE_RATE_LIMIT_PER_MINUTE = 10**9
    settings.ACCOUNT_RATE_LIMITS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for name, value in storage_settings(tmp_path).items():
        setattr(settings, name, value)


@pytest.mark.django_db
def test_every_pattern_answers_every_role_as_the_table_says(matrix_settings):
    started = time.monotonic()
    world = build_world()
    visitors = {role: Visitor(world.actors[role]) for role in ROLES}
    table_rows = read_table()
    table = {row_key(row): row for row in table_rows if "*" not in row["pattern"]}
    globs = [row for row in table_rows if "*" in row["pattern"]]

    observations, problems, missing, unfilled = [], [], [], []
    requests = 0
    for pattern in url_patterns():
        for variant in variants_for(pattern.name, pattern.route):
            values = kwargs_for(world, pattern.name, pattern.route, pattern.converters, variant)
            if values is None:
                unfilled.append(
                    f"{pattern.key} [{variant}] ({pattern.route}): add its arguments to tests/world.py"
                )
                continue
            path = build_path(pattern.chain, values)
            label = pattern.key + (f" [{variant}]" if variant else "")
            if resolve(path).route != pattern.route:
                unfilled.append(f"{label}: {path} reaches {resolve(path).route}, not {pattern.route}")
                continue
            for method in pattern.methods:
                observed = {role: visitors[role].request(method, path) for role in ROLES}
                requests += len(ROLES)
                observations.append((pattern.key, variant, method, observed))
                expected = expected_row(table, globs, pattern.key, variant, method)
                if expected is None:
                    missing.append(_csv_line(as_row(pattern.key, variant, method, observed)))
                    continue
                expected.setdefault("_used", True)
                wrong = [
                    f"{role}: expected {expected[role]}, got {observed[role]}"
                    for role in ROLES
                    if expected[role] != observed[role]
                ]
                if wrong:
                    problems.append(f"{method} {path} ({label}): " + "; ".join(wrong))

    stale = [_csv_line(row) for row in table_rows if "_used" not in row]
    elapsed = time.monotonic() - started
    print(
        f"authorization matrix: {len(observations)} rows × {len(ROLES)} roles = {requests} requests in {elapsed:.1f} s"
    )

    for role in ROLES:
        for error in visitors[role].errors:
            print(f"500 for {role}: {error}")
    if RECORD:
        write_table(recorded_rows(observations, {row_key(row): row for row in table_rows}))
        pytest.skip(
            f"AUTHZ_RECORD: {MATRIX.name} written from what was observed; review it before keeping it"
        )

    report = []
    if problems:
        report.append(
            f"{len(problems)} requests answered differently from the table:\n" + "\n".join(problems)
        )
    if missing:
        report.append(
            f"{len(missing)} patterns have no row in {MATRIX.name}; add these rows (statuses observed now) "
            "after checking them against the views:\n" + ",".join(COLUMNS) + "\n" + "\n".join(missing)
        )
    if stale:
        report.append(
            f"{len(stale)} rows of {MATRIX.name} match no pattern any more; remove them:\n" + "\n".join(stale)
        )
    errors = [f"{role}: {error}" for role in ROLES for error in visitors[role].errors]
    if errors:
        # Never acceptable, whatever the table says.
        report.append("exceptions behind the answers 500:\n" + "\n".join(errors))
    if unfilled:
        report.append("patterns the world cannot fill:\n" + "\n".join(unfilled))
    if report:
        pytest.fail("\n\n".join(report), pytrace=False)


def test_the_table_is_well_formed():
    rows = read_table()
    assert rows, f"{MATRIX.name} is empty"
    keys = [row_key(row) for row in rows]
    assert len(keys) == len(set(keys)), "a row is repeated"
    statuses = re.compile(r"^[1-5][0-9][0-9](:login|:admin_login|:error)?$")
    for row in rows:
        assert row["method"] in ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"), row
        bad = {role: row[role] for role in ROLES if not statuses.match(row[role] or "")}
        assert not bad, f"{row['pattern']}: cells that are not statuses: {bad}"
