"""The layers of the mockums package, lowest first: the one statement of which unit may import which.

A module may import from its own unit or from a lower rank; two units of one rank know nothing of each
other. `tests/repo/test_architecture.py` enforces it; `tools/readme.py` shows it in the README.
"""

from __future__ import annotations

RANKS = {
    "clock": 0, "logs": 0, "state": 0, "errors": 0, "settings_table": 0,
    "protocol": 1,
    "config": 2, "auth": 2, "ledger": 2,
    "scenarios": 3, "notify": 3,
    "lines": 4,
    "core": 5,
    "server": 6, "environment": 6,
    "testing": 7, "cli_sign": 7,
    "cli": 8, "pytest_plugin": 8,
}
# Units that must not import aiohttp, even indirectly.
PURE = ("clock", "state", "errors", "settings_table", "protocol", "config", "auth", "ledger", "scenarios", "lines",
        "environment", "logs")
