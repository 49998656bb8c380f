"""Every write of the API (django-ninja, under /api/v1/): arbitrary requests never make a server error nor a
partial write.

The writes are found in the OpenAPI schema; each must be fuzzed here or excluded with its reason. For the
measurement feed, hypothesis varies the indicator code, the token, the Idempotency-Key and the body (JSON of
every type where a field is expected, huge and non-finite numbers, NUL and odd unicode, missing and unknown keys,
bodies that are not JSON at all). A refusal must be a JSON error and write nothing (but the reply kept for an
idempotent retry); a success must have written the measurement as sent; a retry with the same key must get the
same reply and write nothing more.
"""

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from cittasmart.opendata import tokens
from cittasmart.opendata.api import api
from cittasmart.plan.models import DataQuality, Measurement
from tests.fuzz import checks, strategies
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.runner import OUTCOMES

pytestmark = pytest.mark.django_db

WRITE_METHODS = {"post", "put", "patch", "delete"}
# (method, path) → the test that fuzzes it.
API_ENDPOINTS = {("post", "/api/v1/indicators/{code}/measurements"): "test_measurement_feed"}
API_EXCLUDED: dict[tuple[str, str], str] = {}
# The replies kept for idempotent retries are written for refusals too (403, 404, 409, 422), by design.
REFUSAL_WRITES = frozenset({"opendata_idempotencyrecord"})
NAME = "api:measurement_create"


def test_every_api_write_is_fuzzed_or_excluded():
    schema = api.get_openapi_schema()
    writes = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITE_METHODS
    }
    assert writes, "the schema declares no write: the discovery is broken"
    missing = sorted(writes - set(API_ENDPOINTS) - set(API_EXCLUDED))
    assert not missing, f"API writes neither fuzzed nor excluded: {missing}"
    stale = sorted((set(API_ENDPOINTS) | set(API_EXCLUDED)) - writes)
    assert not stale, f"listed but no longer API writes: {stale}"


# --- Strategies ----------------------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),  # NaN and ±Infinity too: json.dumps writes them as bare words, which are not JSON
    strategies.hostile,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)

FEED_QUALITIES = [q for q in DataQuality.values if q != DataQuality.DEMO]
PLAUSIBLE = {
    "period": st.sampled_from(["2021", "2021-Q3", "2022-05", "2023-H1", "2019-12"]),
    "period_end": st.sampled_from(["2021-12-31", "2021-09-30", "2022-05-31", "2023-06-30"]),
    "value": st.one_of(
        st.sampled_from([37.5, 0, -1.25, 12]),
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        st.integers(-(10**6), 10**6),
    ),
    "quality": st.sampled_from([*FEED_QUALITIES, None]),
    "source": st.sampled_from(["", "Centraline ARPAT", "Sensori del Comune"]),
    "note": st.sampled_from(["", "Rilevazione inviata dal sistema"]),
}
HOSTILE = {
    "value": st.one_of(
        st.sampled_from([1e308, -1e308, 5e-324, 10**20, 10**30, 10**400, 0.12345678, 99999999999999.9999]),
        st.floats(),
        json_values,
    ),
}


@st.composite
def bodies(draw):
    """A JSON object close to a valid measurement, with some keys hostile, missing or added."""
    body = {name: draw(strategy) for name, strategy in PLAUSIBLE.items()}
    distance = draw(st.integers(0, 3))
    if distance:
        names = (
            list(PLAUSIBLE)
            if distance == 3
            else draw(st.lists(st.sampled_from(list(PLAUSIBLE)), max_size=2 * distance, unique=True))
        )
        for name in names:
            body[name] = draw(
                st.one_of(HOSTILE.get(name, json_values), json_values, st.just(strategies.MISSING))
            )
    body = {name: value for name, value in body.items() if value is not strategies.MISSING}
    body.update(
        draw(st.dictionaries(st.text(max_size=8).filter(lambda k: k not in body), json_values, max_size=2))
    )
    if draw(st.integers(0, 9)) == 9:
        body[draw(st.sampled_from(["source", "note", "period"]))] = draw(strategies.megabyte_text)
    return body


def _dump(body) -> str:
    return json.dumps(body)  # allow_nan: NaN and Infinity are sent as the bare words a careless client writes


raw_bodies = st.one_of(
    st.binary(max_size=200),
    strategies.hostile,
    st.sampled_from(
        ["", "null", "[]", "{}", "{", '{"value": NaN}', "[" * 100_000 + "]" * 100_000, '{"a":' * 50_000]
    ),
    json_values.map(_dump),
)


@st.composite
def requests(draw, world):
    """(indicator code, headers, body text, content type): a request of the indicator's source with a plausible
    body, some of whose parts (or all) are replaced by hostile ones."""
    code, authorization = "IND-1", f"Bearer {world.secrets['token']}"
    key = draw(st.one_of(st.none(), st.uuids().map(str)))
    body, content_type = _dump(draw(bodies())), "application/json"
    distance = draw(st.integers(0, 3))
    parts = ["code", "authorization", "key", "body"]
    changed = (
        parts if distance == 3 else draw(st.lists(st.sampled_from(parts), max_size=distance, unique=True))
    )
    if "code" in changed:
        code = draw(
            st.one_of(
                st.sampled_from(["IND-2", "NOPE", "ind-1", "IND-1 ", "IND-1\x00"]),
                strategies.hostile.filter(lambda c: c and "/" not in c and "?" not in c and "#" not in c),
            )
        )
    if "authorization" in changed:
        others = st.sampled_from(
            [world.secrets["other_token"], world.secrets["revoked_token"], "cs_wrong", ""]
        )
        authorization = draw(
            st.one_of(
                st.builds("{} {}".format, st.sampled_from(["Bearer", "bearer", "Token", ""]), others),
                st.builds("Bearer cs_{}".format, strategies.hostile),
                st.none(),
            )
        )
    if "key" in changed:
        key = draw(strategies.hostile)
    if "body" in changed:
        body = draw(raw_bodies)
        content_type = draw(
            st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"])
        )
    headers = {} if authorization is None else {"Authorization": authorization}
    if key is not None:
        headers["Idempotency-Key"] = key
    return code, headers, body, content_type


# --- The properties ------------------------------------------------------------------------------------------


def _url(code: str) -> str:
    from urllib.parse import quote

    return "/api/v1/indicators/{}/measurements".format(quote(code.encode("utf-8", "surrogatepass"), safe=""))


def _send(client, code, headers, body, content_type):
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return client.generic("POST", _url(code), data, content_type=content_type, headers=headers)


def _json(response):
    assert "application/json" in response["Content-Type"], (response.status_code, response.content[:200])
    return json.loads(response.content)


def check_request(client, code, headers, body, content_type):
    """Send the request in a savepoint rolled back afterwards; check the properties."""
    with transaction.atomic():
        cache.clear()
        client.logout()
        before = checks.snapshot()
        since = timezone.now()
        response = _send(client, code, headers, body, content_type)
        status = response.status_code
        OUTCOMES.setdefault(NAME, __import__("collections").Counter())[status] += 1
        described = f"code={code!r} headers={headers!r} body={body[:300]!r}"
        if __import__("os").environ.get("FUZZ_DEBUG"):
            print(status, described[:300], response.content[:200])
        assert status < 500, f"{status} for {described}"
        too_big = len(body) > 5 * 1024 * 1024
        if not too_big:
            reply = _json(response)
        if status == 201:
            created = Measurement.objects.filter(pk=reply["id"]).select_related("indicator").get()
            sent = json.loads(body)
            assert created.period == sent["period"] and created.indicator.code == code
            assert abs(created.value - Decimal(repr(float(sent["value"])))) <= Decimal("0.0001")
            grown = checks.changed_tables(
                before, checks.snapshot(), {"opendata_idempotencyrecord", "core_auditentry"}
            )
            assert set(grown) == {"plan_measurement"}, grown
            # One row in the published version, its mirror in the draft's copy of the indicator.
            assert grown["plan_measurement"][1] - grown["plan_measurement"][0] == 2, grown
            mirror = Measurement.objects.exclude(pk=created.pk).get(key=created.key)
            assert (
                mirror.indicator.version.status == "draft" and mirror.indicator.key == created.indicator.key
            )
            fields = ("period", "period_end", "value", "quality", "source", "note")
            assert [getattr(mirror, f) for f in fields] == [getattr(created, f) for f in fields]
            assert str(created.period_end) == sent["period_end"]
            problems = checks.coherence_problems(before, since)
            assert not problems, f"{problems} for {described}"
        else:
            assert 400 <= status < 500, f"{status} for {described}"
            if not too_big:
                assert reply.get("message"), reply
            changed = checks.changed_tables(before, checks.snapshot(), REFUSAL_WRITES)
            assert not changed, f"refused with {status} but wrote {changed} for {described}"
        if "Idempotency-Key" in headers and status in tokens.STORED_STATUSES:
            # A retry of the same request: the same reply, nothing more written.
            middle = checks.snapshot()
            again = _send(client, code, headers, body, content_type)
            assert (again.status_code, again.content) == (status, response.content), described
            assert not checks.changed_tables(middle, checks.snapshot()), described
        transaction.set_rollback(True)
    cache.clear()
    return status


@pytest.fixture
def feed_world(world):
    token, secret = tokens.token_issue(
        actor=world.actor("plan_office"), organisation=world.organisation, name="Old"
    )
    tokens.token_revoke(actor=world.actor("plan_office"), token=token)
    world.secrets["revoked_token"] = secret
    return world


def test_measurement_feed(feed_world, client):
    world = feed_world
    valid = _dump({"period": "2021", "period_end": "2021-12-31", "value": 37.5, "quality": "administrative"})
    bearer = {"Authorization": f"Bearer {world.secrets['token']}"}
    # The plain success, and the refusals everyone knows, first.
    assert (
        check_request(client, "IND-1", {**bearer, "Idempotency-Key": "k1"}, valid, "application/json") == 201
    )
    assert check_request(client, "IND-2", bearer, valid, "application/json") == 403
    assert check_request(client, "IND-1", {}, valid, "application/json") == 401
    assert check_request(client, "IND-1", bearer, "{", "application/json") == 422

    @fuzz_settings()
    @given(request=requests(world))
    @example(
        request=(
            "IND-1",
            bearer,
            _dump({"period": "2021", "period_end": "2021-12-31", "value": 10**400}),
            "application/json",
        )
    )
    @example(
        request=(
            "IND-1",
            bearer,
            '{"period": "2021", "period_end": "2021-12-31", "value": NaN}',
            "application/json",
        )
    )
    @example(request=("IND-1", bearer, "[" * 100_000 + "]" * 100_000, "application/json"))
    @example(request=("IND-1\x00", bearer, valid, "application/json"))
    @example(request=("IND-1", {**bearer, "Idempotency-Key": "a\x00b"}, valid, "application/json"))
    @example(
        request=(
            "IND-1",
            bearer,
            _dump({"period": "2021", "period_end": "2021-12-31", "value": 1, "note": "\x00"}),
            "application/json",
        )
    )
    def fuzz(request):
        check_request(client, *request)

    fuzz()
    assert 201 in OUTCOMES[NAME] and 422 in OUTCOMES[NAME]
