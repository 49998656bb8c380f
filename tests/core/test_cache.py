"""The Redis cache backend keeps one client per connection pool, and behaves as Django's."""

import os
from types import SimpleNamespace

import pytest
import redis

from cittasmart.core.cache import SharedClientRedisCache

LOCATION = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache():
    cache = SharedClientRedisCache(LOCATION, {"KEY_PREFIX": "test-shared-client"})
    try:
        cache.get("ping")
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {LOCATION}")
    yield cache
    cache.delete_many(["counter", "page", "missing", "hits"])


def record_commands(monkeypatch, client) -> list[str]:
    """The names of the commands ``client`` sends from now on, one per round trip."""
    commands = []
    send = client.execute_command
    monkeypatch.setattr(
        client, "execute_command", lambda *args, **kw: commands.append(args[0]) or send(*args, **kw)
    )
    return commands


def test_one_client_serves_every_command(redis_cache):
    client = redis_cache._cache.get_client("counter", write=True)

    assert redis_cache._cache.get_client("page", write=True) is client
    assert redis_cache._cache.get_client(None) is client  # one server: reads share the pool


def test_it_keeps_the_behaviour_of_djangos_backend(redis_cache):
    redis_cache.set("page", {"status": 200}, timeout=60)
    assert redis_cache.get("page") == {"status": 200}
    assert redis_cache.add("counter", 1, timeout=60)
    assert redis_cache.incr("counter") == 2
    with pytest.raises(ValueError):
        redis_cache.incr("missing")
    assert redis_cache.get_many(["page", "missing"]) == {"page": {"status": 200}}


def test_a_counter_is_one_round_trip(redis_cache, monkeypatch):
    redis_cache.add("counter", 1, timeout=60)
    redis_cache.incr("counter")  # loads the script
    client = redis_cache._cache.get_client("counter", write=True)
    commands = record_commands(monkeypatch, client)

    assert redis_cache.incr("counter", 5) == 7
    assert commands == ["EVALSHA"]
    assert redis_cache.get("counter") == 7  # still a number for Django's get


def test_a_request_is_counted_and_its_answer_read_in_one_round_trip(redis_cache, monkeypatch):
    redis_cache.set("page", ("v1", b"<html>"), timeout=60)
    redis_cache.count_and_get_many("hits", [], timeout=60)  # loads the script
    client = redis_cache._cache.get_client("hits", write=True)
    commands = record_commands(monkeypatch, client)

    count, found = redis_cache.count_and_get_many("hits", ["page", "missing"], timeout=60)

    assert (count, found) == (2, {"page": ("v1", b"<html>")})
    assert commands == ["EVALSHA"]
    assert redis_cache.get("hits") == 2  # the same counter as incr() and add() keep
    assert 0 < client.ttl(redis_cache.make_key("hits")) <= 60  # a new counter expires with its window
    redis_cache.delete("hits")
    assert redis_cache.add("hits", 1, timeout=60) and redis_cache.incr("hits") == 2
    assert redis_cache.count_and_get_many("hits", ["page"], timeout=60)[0] == 3


def test_a_rate_limited_request_is_one_round_trip_also_when_its_window_starts(redis_cache, monkeypatch):
    from django.test import RequestFactory

    from cittasmart.core import ratelimit

    monkeypatch.setattr(ratelimit, "cache", redis_cache)
    # One minute's window throughout, whatever the clock says meanwhile.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.7")
    counter = ratelimit._counter("test.scope", request)
    redis_cache.count_and_get_many("hits", [], timeout=60)  # loads the script
    client = redis_cache._cache.get_client(counter, write=True)
    commands = record_commands(monkeypatch, client)
    try:
        assert [ratelimit.hit("test.scope", request, per_minute=2) for _ in range(3)] == [True, True, False]
        assert commands == ["EVALSHA"] * 3  # the first, on a new counter, too
        assert 0 < client.ttl(redis_cache.make_key(counter)) <= ratelimit.WINDOW_TIMEOUT
    finally:
        redis_cache.delete(counter)
