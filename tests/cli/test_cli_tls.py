"""`mockums serve --tls`: HTTPS with a certificate made at start, or the user's own; checked with real TLS
clients (Python's ssl, and curl when the machine has it) that verify the certificate."""

from __future__ import annotations

import json
import shlex
import shutil
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import trustme
from cli_harness import serving

from mockums import cli

NO_PROXY = {}  # urllib's ProxyHandler({}): straight to 127.0.0.1


def get(url: str, cafile: Path | None) -> tuple[int, object]:
    """GET with certificate verification against `cafile` (the system's CAs when None)."""
    context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(NO_PROXY), urllib.request.HTTPSHandler(context=context))
    with opener.open(url, timeout=10) as answer:
        return answer.status, json.load(answer)


def test_tls_makes_a_certificate_and_prints_the_ca_to_trust(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    monkeypatch.setattr(cli, "program", lambda: "mockums")
    ca = tmp_path / "certs" / "ca.pem"
    with serving(monkeypatch, "--port", "0", "--tls", "--tls-ca-file", str(ca), "--tls-name", "mockums",
                 "--no-watch") as server:
        banner = capsys.readouterr().out.splitlines()
        url = f"https://127.0.0.1:{server.port}"
        assert banner[:5] == [
            f"mockums listening on {url}",
            f"  health:    {url}/__mockums/health",
            f"  dashboard: {url}/__mockums/",
            f"  tls:       clients must trust the CA certificate {ca}",
            "             (made now, for localhost, 127.0.0.1, ::1, mockums)",
        ]
        assert banner[-1] == f"  try:       mockums sign --cacert {ca} --url {url}/v1/netpay/wx/app-pre-close"
        assert get(f"{url}/__mockums/health", ca)[0] == 200
        assert get(f"https://localhost:{server.port}/__mockums/health", ca)[0] == 200
        with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
            get(f"{url}/__mockums/health", None)  # not trusted by default: it is a throwaway CA
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            urllib.request.build_opener(urllib.request.ProxyHandler(NO_PROXY)).open(
                f"http://127.0.0.1:{server.port}/__mockums/health", timeout=5)

        if shutil.which("curl"):  # the banner's hint, run as printed, then the curl line it prints
            hint = shlex.split(banner[-1].split("try:", 1)[1])
            assert cli.main(hint[1:]) == 0
            printed = capsys.readouterr().out.split("\n", 2)[2]
            result = subprocess.run(["bash", "-c", printed], capture_output=True, text=True, timeout=30, check=False)
            assert result.returncode == 0, result.stderr
            assert json.loads(result.stdout)["errCode"] == "SUCCESS"


def test_tls_with_your_own_certificate(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1", "localhost")
    cert, key, ca = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "my-ca.pem"
    cert.write_bytes(b"".join(blob.bytes() for blob in issued.cert_chain_pems))
    key.write_bytes(issued.private_key_pem.bytes())
    authority.cert_pem.write_to_path(str(ca))
    monkeypatch.setenv("MOCKUMS_TLS_CERT", str(cert))  # from the environment, like any option
    monkeypatch.setenv("MOCKUMS_TLS_KEY", str(key))
    with serving(monkeypatch, "--port", "0", "--no-watch") as server:
        banner = capsys.readouterr().out.splitlines()
        assert banner[3] == f"  tls:       certificate {cert}"
        assert get(f"https://127.0.0.1:{server.port}/__mockums/health", ca)[0] == 200
    # The key inside the certificate file works too.
    both = tmp_path / "both.pem"
    both.write_bytes(issued.private_key_and_cert_chain_pem.bytes())
    monkeypatch.delenv("MOCKUMS_TLS_KEY")
    with serving(monkeypatch, "--port", "0", "--no-watch", "--tls-cert", str(both)) as server:
        assert get(f"https://127.0.0.1:{server.port}/__mockums/health", ca)[0] == 200


@pytest.mark.parametrize(("argv", "message"), [
    (["--tls-key", "key.pem"], "--tls-key needs --tls-cert (the certificate that goes with the key)"),
    (["--tls-cert", "nothere.pem"], "--tls-cert {tmp}/nothere.pem: cannot load: No such file or directory"),
    (["--tls", "--tls-name", "bad name!"], "--tls-name: 'bad name!' is not a host name or IP address"),
])
def test_tls_problems_stop_the_start(argv: list[str], message: str, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["serve", "--port", "0", "--no-watch", *argv]) == 2
    assert capsys.readouterr().err == f"mockums: {message.format(tmp=tmp_path)}\n"


def test_tls_without_the_extra_says_what_to_install(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trustme", None)  # as if mockums[tls] were not installed
    assert cli.main(["serve", "--port", "0", "--no-watch", "--tls"]) == 2
    assert capsys.readouterr().err == (
        "mockums: --tls makes its certificate with trustme: pip install 'mockums[tls]' (or give your own with "
        "--tls-cert and --tls-key)\n")


def test_tls_settings_from_a_config_file(tmp_path: Path) -> None:
    from mockums.config import ConfigError, load_config_file

    config = tmp_path / "mockums.yaml"
    config.write_text("tls: true\ntls_ca_file: certs/ca.pem\ntls_names: [mockums]\n", encoding="utf-8")
    settings = load_config_file(config)
    assert (settings.tls, settings.tls_ca_file, settings.tls_names) == (True, tmp_path / "certs" / "ca.pem",
                                                                        ("mockums",))
    config.write_text("tls_names: mockums\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="tls_names must be a list of host names or IP addresses"):
        load_config_file(config)
    config.write_text("tls_cert: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="tls_cert must be a file name, got 5"):
        load_config_file(config)


@pytest.mark.parametrize("host", ["127.0.0.1", "::"])
def test_a_tls_handshake_never_begun_is_closed_after_idle_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                 host: str) -> None:
    """asyncio's default would hold it 60 s; the documented bound is `idle_timeout` (1 s here)."""
    import socket

    config = tmp_path / "mockums.yaml"
    config.write_text("idle_timeout: 1\n", encoding="utf-8")
    with serving(monkeypatch, "--port", "0", "--host", host, "--tls", "--tls-ca-file", str(tmp_path / "ca.pem"),
                 "--no-watch", "--config", str(config)) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as silent:
            assert silent.recv(1) == b""  # closed by mockums, well before the 20 s this waits at most
        assert get(f"https://127.0.0.1:{server.port}/__mockums/health", tmp_path / "ca.pem")[0] == 200
