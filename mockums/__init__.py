"""mockums: a local sandbox of the ChinaUMS open-platform payment API.

The supported public API is what `__all__` lists; everything else is internal and may change. Names
are imported lazily, so `import mockums` (and `mockums --version`) stays cheap.

- Running a sandbox from Python: `serving()` (a context manager for scripts and unittest suites, giving
  the handle the pytest plugin gives), `BackgroundServer` (a real server on 127.0.0.1 in a thread),
  `create_app` (the aiohttp application), `Sandbox` (the core, without HTTP), `Settings`, `App`,
  `DEMO_APP`, `load_config_file`.
- Driving it from tests: `Mockums` (the synchronous handle the `mockums` pytest fixture gives;
  `MockumsServer`, its former name, is deprecated), `AsyncMockums`.
- Signing as a client does: `authorization_header`, `body_signature`, `token_request_signature`;
  checking notifications as a merchant does: `sign_notification`, `verify_notification`.
- Errors: `MockumsError`, `ScenarioError`, `ScenarioFilesError`, `ConfigError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockums.lazy import lazy_names

__version__ = "0.1.0"

_WHERE = {
    "App": "mockums.config",
    "ConfigError": "mockums.config",
    "DEMO_APP": "mockums.config",
    "Settings": "mockums.config",
    "load_config_file": "mockums.config",
    "Sandbox": "mockums.core",
    "ScenarioFilesError": "mockums.core",
    "create_app": "mockums.server.app",
    "AsyncMockums": "mockums.testing",
    "BackgroundServer": "mockums.testing",
    "Mockums": "mockums.testing",
    "MockumsError": "mockums.testing",
    "MockumsServer": "mockums.testing",
    "ScenarioError": "mockums.testing",
    "serving": "mockums.testing",
    "authorization_header": "mockums.auth.signing",
    "body_signature": "mockums.auth.signing",
    "token_request_signature": "mockums.auth.signing",
    "sign_notification": "mockums.notify.signing",
    "verify_notification": "mockums.notify.signing",
}

__all__ = [
    "DEMO_APP",
    "App",
    "AsyncMockums",
    "BackgroundServer",
    "ConfigError",
    "Mockums",
    "MockumsError",
    "MockumsServer",
    "Sandbox",
    "ScenarioError",
    "ScenarioFilesError",
    "Settings",
    "__version__",
    "authorization_header",
    "body_signature",
    "create_app",
    "load_config_file",
    "serving",
    "sign_notification",
    "token_request_signature",
    "verify_notification",
]

if TYPE_CHECKING:
    from mockums.auth.signing import authorization_header, body_signature, token_request_signature
    from mockums.config import DEMO_APP, App, ConfigError, Settings, load_config_file
    from mockums.core import Sandbox, ScenarioFilesError
    from mockums.notify.signing import sign_notification, verify_notification
    from mockums.server.app import create_app
    from mockums.testing import (
        AsyncMockums,
        BackgroundServer,
        Mockums,
        MockumsError,
        MockumsServer,
        ScenarioError,
        serving,
    )


__getattr__ = lazy_names("mockums", _WHERE, globals())


def __dir__() -> list[str]:
    return __all__
