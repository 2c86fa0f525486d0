"""The Redis the tests use is a real redis-server, on loopback, emptied for each test that asks for `redis_url`."""

from __future__ import annotations

from redis_server import RedisServer


def test_redis_url_names_a_real_server_on_loopback(redis_server: RedisServer, redis_url: str) -> None:
    assert redis_url == f"redis://127.0.0.1:{redis_server.port}/0"
    assert redis_server.ask("SET", "mockums-test", "1") == b"+OK"
    assert redis_server.ask("DBSIZE") == b":1"


def test_the_next_test_asking_for_redis_url_finds_it_empty(redis_server: RedisServer, redis_url: str) -> None:
    assert redis_server.ask("DBSIZE") == b":0"  # the key the test above set is gone
