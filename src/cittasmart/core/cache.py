"""Django's Redis cache, keeping one client per connection pool instead of building one for every command.

Django's ``RedisCacheClient.get_client()`` makes a new ``redis.Redis`` for each cache operation, and building one
registers a few hundred response callbacks: about a tenth of a millisecond, more than the command itself on a local
Redis. A page served from the cache, a rate limit and a content version are several operations per request, so the
clients are kept (a ``redis.Redis`` is safe to share between threads: each command borrows a connection from the
pool).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
