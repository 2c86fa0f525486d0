"""The layers of the mockums package, lowest first: the one statement of which unit may import which.

A module may import from its own unit or from a lower rank; two units of one rank know nothing of each
other. `tests/repo/test_architecture.py` enforces it; `tools/readme.py` shows it in the README.
"""

from __future__ import annotations

RANKS = {
    "state": 0, "logs": 0, "errors": 0, "limits": 0, "hosts": 0,
    "clock": 1, "settings_table": 1,
    "protocol": 2,
    "config": 3, "auth": 3, "ledger": 3,
    "scenarios": 4, "notify": 4,
    "lines": 5,
    "core": 6,
    "server": 7, "environment": 7,
    "testing": 8, "cli_sign": 8,
    "cli": 9, "pytest_plugin": 9,
}
# Units that must not import aiohttp, even indirectly.
PURE = ("clock", "state", "errors", "limits", "settings_table", "protocol", "config", "auth", "ledger", "scenarios",
        "lines", "environment", "logs", "hosts")
