"""The layers of the mockums package, lowest first: the one statement of which unit may import which.

A module may import from its own unit or from a lower rank; two units of one rank know nothing of each
other. `tests/repo/test_architecture.py` enforces it; `tools/readme.py` shows it in the README.
"""

from __future__ import annotations

RANKS = {
    "clock": 0, "logs": 0, "settings_table": 0,
    "protocol": 1,
    "config": 2, "auth": 2, "ledger": 2,
    "scenarios": 3, "notify": 3,
    "core": 4,
    "server": 5, "environment": 5,
    "testing": 6, "cli_sign": 6,
    "cli": 7, "pytest_plugin": 7,
}
# Units that must not import aiohttp, even indirectly.
PURE = ("clock", "protocol", "config", "auth", "ledger", "scenarios", "environment", "logs", "settings_table")
