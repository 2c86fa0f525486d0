"""The store a sandbox's settings name: `open_store`."""

from __future__ import annotations

from mockums.config import Settings
from mockums.core.store import Store
from mockums.errors import StoreUnavailable


def open_store(settings: Settings) -> Store:
    """The store `settings.store` names: this process's memory by default (None or `memory`), else Redis.

    Raises StoreUnavailable (mockums.errors) when the store cannot be reached; its message says which and why.
    """
    url = settings.store
    if url is None or url == "memory":
        return Store.in_memory(settings)
    try:  # redis-py is imported only when a Redis store is used
        from mockums.core.redis_store import open_redis_store  # noqa: PLC0415
    except ImportError as error:
        raise StoreUnavailable(f"--store {url} needs redis-py, which is not installed ({error}): "
                               "pip install 'mockums[redis]'") from error
    return open_redis_store(settings, url)
