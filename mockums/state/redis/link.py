"""The connection to Redis every repository of a Redis store shares: key names, errors worded as
`StoreUnavailable`, and the compare-and-swap each atomic update runs as.

The core is synchronous (it never waits on the event loop in the middle of a request), so the store uses
redis-py's synchronous client with the hiredis parser: a command blocks its worker for one round trip
(tens of microseconds on a local network), and `--workers` runs more processes where more is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import redis

from mockums.errors import StoreUnavailable
from mockums.hosts import without_secrets

R = TypeVar("R")

PREFIX = "mockums:"
# The start of every compare-and-swap script (`Link.swap_script`): the record under KEYS[1] must still be ARGV[1]
# ('': none), else the script answers [0, the record now] and writes nothing.
_STILL_AS_READ = """
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return {0, current or ''} end
"""

# Lua setting `now` to Redis's clock (TIME) in seconds: what every script scores uses and leases by, never a
# process's own clock (a replica whose clock is behind would have its new records taken for the oldest).
REDIS_NOW = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
"""

CONFLICT_RETRIES = 1000  # an update retried this many times under contention gives up (never seen in 200-way races)


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text[:300]


class Link:
    """One Redis database, named by `url`; every key this sandbox writes starts with `prefix`."""

    def __init__(self, url: str, prefix: str = PREFIX, timeout: float = 2.0) -> None:
        self.url = url
        self.prefix = prefix
        # One connection, not a pool: a process's requests are handled one at a time, and taking a connection
        # from a pool for each command cost ~40 % of a command's CPU (68 against 112 µs per GET, measured here).
        with self.reached():  # the single connection is made here
            try:
                self.client: redis.Redis = redis.Redis.from_url(
                    url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30,
                    retry_on_timeout=False, single_connection_client=True)
            except (ValueError, TypeError) as error:
                raise StoreUnavailable(f"{self.shown_url} is not a Redis URL mockums can use: {_reason(error)}") \
                    from None

    def key(self, *parts: str) -> str:
        """A key of this sandbox: its prefix, then the parts joined by `:`."""
        return self.prefix + ":".join(parts)

    @contextmanager
    def reached(self) -> Iterator[None]:
        """Word any failure to reach Redis as StoreUnavailable (naming the store, never its password)."""
        try:
            yield
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as error:
            raise StoreUnavailable(f"the Redis store at {self.shown_url} cannot be reached: {_reason(error)}") \
                from error
        except redis.exceptions.ResponseError as error:
            raise StoreUnavailable(f"the Redis store at {self.shown_url} refused a command: {_reason(error)}") \
                from error
        except redis.exceptions.RedisError as error:
            raise StoreUnavailable(f"the Redis store at {self.shown_url} failed: {_reason(error)}") from error

    @property
    def shown_url(self) -> str:
        """The URL without its user, password or query."""
        return without_secrets(self.url)

    def run(self, command: Callable[[Any], Any]) -> Any:
        """Run commands on the client, failures worded as StoreUnavailable. (redis-py types each answer as a union
        of every shape a command may give: its callers know which one theirs gives.)"""
        with self.reached():
            return command(self.client)

    def pipeline(self, commands: Callable[[Any], object]) -> list[Any]:
        """Send several commands in one round trip (a MULTI/EXEC transaction); their results."""
        with self.reached():
            pipe = self.client.pipeline(transaction=True)
            commands(pipe)
            return list(pipe.execute())

    def swap_script(self, writes: str) -> Any:
        """A compare-and-swap script for `swap`: `writes` (Lua) runs only while the record under KEYS[1] is still
        ARGV[1] as last read; the script answers [1] when they ran."""
        return self.client.register_script(_STILL_AS_READ + writes + "\nreturn {1}\n")

    def swap(self, script: Any, keys: list[str], seen: bytes | None,
             attempt: Callable[[bytes | None], list[Any] | None]) -> None:
        """Compare and swap: `attempt(value)` gives the arguments that write the record's next value (None:
        nothing to write) after `value` (None: no record), and `script` writes them only if the record under
        keys[0] is still `value` (else it answers [0, the record now], and all goes again from there). `seen`
        is the record as last read (one round trip a change, when nobody changed it since)."""
        for _ in range(CONFLICT_RETRIES):
            args = attempt(seen)
            if args is None:
                return
            answer = self.run(_call(script, keys, [seen or b"", *args]))
            if answer[0] == 1:
                return
            seen = answer[1] or None
        raise StoreUnavailable(f"the Redis store at {self.shown_url}: an update lost {CONFLICT_RETRIES} races in a row")

    def ping(self) -> None:
        """Reach Redis once (StoreUnavailable when it cannot be reached)."""
        self.run(lambda client: client.ping())

    def health(self) -> str | None:
        try:
            self.ping()
        except StoreUnavailable as error:
            return error.message
        return None

    def close(self) -> None:
        self.client.close()


def _call(script: Any, keys: list[str], args: list[Any]) -> Callable[[Any], Any]:
    return lambda _: script(keys=keys, args=args)
