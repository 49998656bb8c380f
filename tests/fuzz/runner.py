"""Post one example and check the properties of ``checks``; read the fields of an endpoint from its page."""

import os
from collections import Counter
from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.fuzz import checks
from tests.fuzz.htmlforms import Field, fields_posting_to

# URL name → statuses seen, for the summary printed by ``-s`` runs and for the tests that look at it.
OUTCOMES: dict[str, Counter] = {}


def log_in(client, user) -> None:
    if user.is_authenticated:
        client.force_login(user)
    else:
        client.logout()


def act_as(client, world, endpoint) -> None:
    """Log the endpoint's actor in, in the state of the session the endpoint needs."""
    user = world.actor(endpoint.actor)
    log_in(client, user)
    if endpoint.reauthenticated:
        from allauth.account.internal.flows.login import record_authentication

        session = client.session
        record_authentication(SimpleNamespace(session=session), user, "password", reauthenticated=True)
        session.save()
    if endpoint.start is not None:
        endpoint.start(client, world)


def _reverse(name: str, kwargs: dict) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return reverse(name)


def addresses(world, endpoint) -> tuple[str, str]:
    """The endpoint's address and the address of the page whose form posts to it."""
    kwargs = endpoint.kwargs(world)
    url = reverse(endpoint.name, kwargs=kwargs)
    page_kwargs = endpoint.page_kwargs(world) if endpoint.page_kwargs else kwargs
    page = _reverse(endpoint.page or endpoint.name, page_kwargs) + endpoint.page_query
    return url, page


def endpoint_values(world, endpoint) -> dict:
    values = endpoint.values(world) if callable(endpoint.values) else endpoint.values
    return {name: list(v) for name, v in values.items()}


def read_fields(client, world, endpoint) -> tuple[str, int, dict[str, Field]]:
    """GET the page as the endpoint's actor: (endpoint address, status of the page, fields of its forms that post
    to the endpoint). Nothing the GET writes is kept."""
    url, page = addresses(world, endpoint)
    with transaction.atomic():
        cache.clear()
        act_as(client, world, endpoint)
        response = client.get(page)
        html = response.content.decode("utf-8", "replace") if response.status_code == 200 else ""
        page = page.split("?")[0]
        transaction.set_rollback(True)
    cache.clear()
    return url, response.status_code, fields_posting_to(html, page, url)


def _describe(data: dict) -> str:
    def short(value):
        text = repr(value)
        return text if len(text) < 120 else f"{text[:100]}… ({len(text)} characters)"

    return "{" + ", ".join(f"{k!r}: {short(v)}" for k, v in sorted(data.items())) + "}"


def _urlencoded(data: dict, charset: str) -> bytes:
    """The body a browser sends without files (which are left out); in another charset than UTF-8 its bytes are
    not valid UTF-8."""
    pairs = [
        (key, value)
        for key, values in data.items()
        for value in (values if isinstance(values, list) else [values])
        if isinstance(value, str)
    ]
    return urlencode(pairs, encoding=charset, errors="replace").encode("ascii")


def post_and_check(
    client, world, endpoint, url: str, data: dict, headers: dict | None = None, *, encoding=""
):
    """POST ``data`` as the endpoint's actor in a savepoint that is rolled back, and check the properties.

    ``encoding``: "" for multipart (what the test client sends), else the charset of an urlencoded body."""
    with transaction.atomic():
        cache.clear()  # rate limits and cached settings: each example starts afresh
        act_as(client, world, endpoint)
        before = checks.snapshot()
        since = timezone.now()
        if encoding:
            body = _urlencoded(data, encoding)
            response = client.post(
                url, body, content_type="application/x-www-form-urlencoded", headers=headers or {}
            )
        else:
            response = client.post(url, data, headers=headers or {})
        status = response.status_code
        OUTCOMES.setdefault(endpoint.name, Counter())[status] += 1
        assert status < 500, f"{status} for {_describe(data)}"
        if os.environ.get("FUZZ_DEBUG"):
            print(endpoint.name, status, _describe(data)[:400], checks.refusal_reasons(response))
        if checks.is_refusal(response):
            changed = checks.changed_tables(before, checks.snapshot(), endpoint.refusal_writes)
            assert not changed, f"refused with {status} but wrote {changed} for {_describe(data)}"
        else:
            problems = checks.coherence_problems(before, since)
            assert not problems, f"{status}: {problems} for {_describe(data)}"
        transaction.set_rollback(True)
    cache.clear()
    return response
