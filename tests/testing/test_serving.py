"""`mockums.serving()`: the sandbox in a plain script and a unittest suite (the README's two examples, run
as they are), and the settings it takes."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import unittest
from pathlib import Path

import pytest

import mockums
from mockums.config import DEMO_APP, Settings

EXAMPLES = Path(__file__).resolve().parent / "examples"


def test_the_script_example_runs_as_a_plain_script() -> None:
    result = subprocess.run([sys.executable, str(EXAMPLES / "example_script.py")], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["TARGET_FAIL TRADE_SUCCESS", "already-paid"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the example uses unittest's enterClassContext (3.11+)")
def test_the_unittest_example_passes_under_unittest() -> None:
    spec = importlib.util.spec_from_file_location("example_unittest", EXAMPLES / "example_unittest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    output = io.StringIO()
    result = unittest.TextTestRunner(stream=output, verbosity=2).run(
        unittest.defaultTestLoader.loadTestsFromModule(module))
    assert result.wasSuccessful(), output.getvalue()
    assert result.testsRun == 3


def test_serving_gives_the_handle_with_url_and_credentials(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("scenarios:\n  - name: mine\n    match: {merOrderIdPrefix: MINE}\n"
                    "    respond: {fields: {errCode: SYSTEM_BUSY}}\n", encoding="utf-8")
    with mockums.serving(scenarios=[mine], bundled_scenarios=False, seed=3) as sandbox:
        assert isinstance(sandbox, mockums.Mockums)
        assert sandbox.url.startswith("http://127.0.0.1:")
        assert (sandbox.app_id, sandbox.app_key, sandbox.notify_key) == (
            DEMO_APP.app_id, DEMO_APP.app_key, DEMO_APP.notify_key)
        assert sandbox.health()["scenarios"] == 1
        url = sandbox.url
    with pytest.raises(mockums.MockumsError, match="cannot be reached"):
        mockums.Mockums(url, timeout=2).health()  # stopped with the block


def test_serving_reads_a_config_file_and_keeps_its_apps_and_token(tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("apps:\n  - {appId: shop-app, appKey: shop-key}\ncontrol_token: s3cret\n", encoding="utf-8")
    with mockums.serving(config=config) as sandbox:
        assert (sandbox.app_id, sandbox.app_key, sandbox.control_token) == ("shop-app", "shop-key", "s3cret")
        assert sandbox.journal() == []  # the handle sends the token
    with mockums.serving(Settings(seed=1)) as sandbox:
        assert sandbox.app_id == DEMO_APP.app_id


def test_serving_refuses_settings_it_cannot_drive(tmp_path: Path) -> None:
    with pytest.raises(mockums.MockumsError, match="control API"), mockums.serving(control=False):
        pass
    broken = tmp_path / "broken.yaml"
    broken.write_text("scenarios:\n  - name: broken\n", encoding="utf-8")
    with pytest.raises(mockums.MockumsError, match="do not validate"), mockums.serving(scenarios=[broken]):
        pass
