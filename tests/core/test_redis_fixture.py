"""The Redis the tests use is a real redis-server, on loopback, emptied for each test that asks for `redis_url`."""

from __future__ import annotations

from real_redis import RedisServer


def test_redis_url_names_a_real_server_on_loopback(real_redis: RedisServer, redis_url: str) -> None:
    assert redis_url == f"redis://127.0.0.1:{real_redis.port}/0"
    assert real_redis.ask("SET", "mockums-test", "1") == b"+OK"
    assert real_redis.ask("DBSIZE") == b":1"


def test_the_next_test_asking_for_redis_url_finds_it_empty(real_redis: RedisServer, redis_url: str) -> None:
    assert real_redis.ask("DBSIZE") == b":0"  # the key the test above set is gone
