"""The generic parts of a store kept in Redis: the connection and its compare-and-swap (`link`), the codec of
stored values (`codec`), cells and timers (`basics`), records and sequence counters (`records`). The repositories
of the core's own records are in `mockums.core.redis_store`. Importing this imports redis-py (the `redis` extra)."""
