"""The layers of the mockums package, lowest first: the one statement of which unit may import which.

A module may import from its own unit or from a lower rank; two units of one rank know nothing of each
other. `tests/repo/test_architecture.py` enforces it; `tools/readme.py` shows it in the README.
"""

from __future__ import annotations

RANKS = {
    "logs": 0, "errors": 0, "limits": 0, "hosts": 0, "lazy": 0,
    "state": 1,
    "clock": 2, "settings_table": 2,
    "protocol": 3,
    "config": 4, "auth": 4, "ledger": 4,
    "scenarios": 5, "notify": 5,
    "lines": 6,
    "core": 7,
    "server": 8, "environment": 8,
    "testing": 9, "cli_sign": 9,
    "cli": 10, "pytest_plugin": 10,
}
# Units that must not import aiohttp, even indirectly.
PURE = ("clock", "state", "errors", "limits", "settings_table", "protocol", "config", "auth", "ledger", "scenarios",
        "lines", "environment", "logs", "hosts", "lazy")
