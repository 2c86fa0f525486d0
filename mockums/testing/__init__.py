"""Test helpers: a handle on a running sandbox (sync and async), readable assertions, a background server.

The handles talk to the control API under /__mockums over HTTP, exactly as a test written in another
language would, so what they exercise is what everyone uses. The pytest plugin (`mockums.pytest_plugin`)
is a thin layer of fixtures over this package; nothing here needs pytest.

- `Mockums`: the blocking handle (`MockumsServer`, its former name, still imports and is deprecated).
- `AsyncMockums`: the same methods as coroutines, over an aiohttp session.
- `BackgroundServer`: the real sandbox on 127.0.0.1 in a background thread.
- `serving()`: a context manager running one for a plain script or a unittest suite, giving a `Mockums`.

Inside: `calls` describes each control call as data, `conversation` and `methods` write every handle
method once for both handles, `handles` sends the calls (urllib or aiohttp), `expectations` and `failures`
are the assertions' checks and messages, `background` the server thread.
"""

from mockums.testing.background import BackgroundServer, bundled_and_configured_scenarios
from mockums.testing.errors import MockumsError, ScenarioError
from mockums.testing.handles import AsyncMockums, Mockums, MockumsServer
from mockums.testing.standalone import serving

__all__ = [
    "AsyncMockums",
    "BackgroundServer",
    "Mockums",
    "MockumsError",
    "MockumsServer",
    "ScenarioError",
    "bundled_and_configured_scenarios",
    "serving",
]
