"""`mockums sign`, in-process: every source of the body, the header it prints, and the curl command around it."""

from __future__ import annotations

import io
import json
import re
import shlex
import sys
from pathlib import Path

import pytest

from mockums import cli
from mockums.auth.signing import authorization_header
from mockums.config import DEMO_APP

STAMP = ["--timestamp", "20261126120000", "--nonce", "n1"]
BODY = '{"merOrderId":"3194000001"}'


def signed(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[list[str], str]:
    """Run `mockums sign ARGV`; its stdout lines and its stderr."""
    assert cli.main(["sign", *argv]) == 0
    captured = capsys.readouterr()
    return captured.out.splitlines(), captured.err


def curl_words(lines: list[str]) -> list[str]:
    return shlex.split(" ".join(line.rstrip("\\") for line in lines[2:]))


def test_the_header_is_the_signature_of_the_body_given(capsys: pytest.CaptureFixture[str]) -> None:
    lines, err = signed(capsys, "--body", BODY, *STAMP)
    header = authorization_header(DEMO_APP.app_id, DEMO_APP.app_key, "20261126120000", BODY.encode(), "n1")
    assert lines[:2] == [f"Authorization: {header}", ""]
    assert curl_words(lines) == ["curl", "-sS", "-X", "POST", cli.DEFAULT_URL, "-H", "Content-Type: application/json",
                                 "-H", f"Authorization: {header}", "--data-binary", BODY]
    assert err == ""


def test_a_body_from_a_file_and_from_stdin_sign_the_same(capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    body_file = tmp_path / "body.json"
    body_file.write_text(BODY, encoding="utf-8")
    from_file, _ = signed(capsys, "--body", f"@{body_file}", *STAMP)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BODY.encode())))
    from_stdin, _ = signed(capsys, "--body", "-", *STAMP)
    inline, _ = signed(capsys, "--body", BODY, *STAMP)
    assert from_file == from_stdin == inline


def test_an_unreadable_body_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["sign", "--body", f"@{tmp_path / 'missing.json'}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mockums: --body @{tmp_path / 'missing.json'}: ")
    assert "No such file" in err


def test_without_a_body_it_signs_a_sample_close_request_for_now(capsys: pytest.CaptureFixture[str]) -> None:
    lines, err = signed(capsys, "--app-id", "my-app", "--app-key", "my-key", "--url",
                        "http://localhost:8000/v1/netpay/close")
    assert err == ""
    assert lines[0].startswith('Authorization: OPEN-BODY-SIG AppId="my-app", Timestamp="')
    words = curl_words(lines)
    assert words[4] == "http://localhost:8000/v1/netpay/close"
    body = json.loads(words[-1])
    assert set(body) == {"requestTimestamp", "merOrderId", "instMid", "mid", "tid", "srcReserve"}
    assert re.fullmatch(r"MKSUCCESS\d{14}\d{9}", body["merOrderId"])  # a fresh id the `success` scenario speaks for


def test_two_samples_in_the_same_second_are_two_orders(capsys: pytest.CaptureFixture[str]) -> None:
    ids = set()
    for _ in range(5):
        lines, _ = signed(capsys, "--timestamp", "20261126120000")
        ids.add(json.loads(curl_words(lines)[-1])["merOrderId"])
    assert len(ids) == 5  # the close sample's MKSUCCESS ids: 9 random digits, two of five equal by a 1e-8 chance


def test_fresh_ids_drawn_in_one_second_differ_and_fit_the_tables() -> None:
    """The issue: a create's fresh id had 4 random digits, so the sample of every endpoint, signed one after the other
    within a second, gave two creates the same merOrderId about once in fifty runs (the second answered DUP_ORDER).
    A thousand draws of 4 digits in one second collide almost surely; of 10, by a 5e-5 chance."""
    from mockums.cli_sign import FRESH_PREFIX, fresh_id
    from mockums.clock import Clock
    from mockums.lines import DEFAULT_REGISTRY

    clock = Clock()
    clock.freeze(1_764_000_000.0)
    ids = [fresh_id("3194", clock) for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert all(re.fullmatch(r"3194\d{24}", mer_order_id) for mer_order_id in ids)
    for path, spec in DEFAULT_REGISTRY.endpoints.items():  # each endpoint's sample id fits its own table
        rule = spec.rule(spec.order_field)
        if rule is not None and rule.max_length is not None:
            assert len(fresh_id(FRESH_PREFIX.get(spec.action, "MKSUCCESS"), clock)) <= rule.max_length, path
    with pytest.raises(ValueError, match="leaves 3 random digits"):
        fresh_id("MKFIFTEENCHARS1", clock)


def test_it_warns_but_signs_a_body_that_is_not_json_and_a_url_elsewhere(capsys: pytest.CaptureFixture[str]) -> None:
    lines, err = signed(capsys, "--body", "it's not json", "--url", "http://example.invalid/v1/netpay/close",
                        *STAMP)
    assert err.splitlines()[0].startswith("mockums: warning: the body is not valid JSON (")
    assert err.splitlines()[0].endswith("); signing it anyway")
    assert err.splitlines()[1] == "mockums: warning: the URL is not on this machine; is that intended?"
    assert curl_words(lines)[-1] == "it's not json"  # the single quote survives the shell quoting
    assert lines[-1] == "  --data-binary 'it'\"'\"'s not json'"


def test_an_h5_path_prints_the_signed_open_form_param_url(capsys: pytest.CaptureFixture[str]) -> None:
    import chinaums_client

    url = "http://127.0.0.1:8000/v1/netpay/trade/h5-pay"
    content = '{"merOrderId": "3194SIGN0001", "orderDesc": "a b"}'
    lines, err = signed(capsys, "--url", url, "--body", content, *STAMP)
    expected = chinaums_client.open_form_param(DEMO_APP.app_id, DEMO_APP.app_key, content,
                                               timestamp="20261126120000", nonce="n1")
    assert lines[0] == f"GET {url}?{expected}"
    assert curl_words(lines) == ["curl", "-sS", "-i", f"{url}?{expected}"]
    assert err == ""


def test_form_forces_a_get_and_the_sample_fits_the_path(capsys: pytest.CaptureFixture[str]) -> None:
    lines, _ = signed(capsys, "--url", "http://127.0.0.1:8000/v1/netpay/wxpay/h5-pay", *STAMP)
    from urllib.parse import parse_qsl, urlsplit

    content = json.loads(dict(parse_qsl(urlsplit(lines[0][4:]).query))["content"])
    assert (content["instMid"], content["sceneType"]) == ("H5DEFAULT", "AND_WAP")
    webpay, _ = signed(capsys, "--url", "http://127.0.0.1:8000/v1/netpay/webpay/pay", *STAMP)
    assert json.loads(dict(parse_qsl(urlsplit(webpay[0][4:]).query))["content"])["instMid"] == "YUEDANDEFAULT"
    forced, _ = signed(capsys, "--form", "--body", BODY, *STAMP)
    assert forced[0].startswith(f"GET {cli.DEFAULT_URL}?authorization=OPEN-FORM-PARAM&")
def test_order_id_signs_the_sample_request_for_that_order(capsys: pytest.CaptureFixture[str]) -> None:
    lines, _ = signed(capsys, "--order-id", "MKPAID0001")
    body = json.loads(curl_words(lines)[-1])
    assert body["merOrderId"] == "MKPAID0001"
    assert set(body) == {"requestTimestamp", "merOrderId", "instMid", "mid", "tid", "srcReserve"}


def test_order_id_and_body_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["sign", "--order-id", "MKPAID0001", "--body", "{}"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_config_signs_for_its_first_app_or_the_one_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("apps:\n  - {appId: shop-app, appKey: shop-key}\n  - {appId: other-app, appKey: other-key}\n",
                      encoding="utf-8")
    first, _ = signed(capsys, "--config", str(config), "--body", BODY, *STAMP)
    assert first[0] == "Authorization: " + authorization_header("shop-app", "shop-key", STAMP[1], BODY.encode(), "n1")
    second, _ = signed(capsys, "-c", str(config), "--app-id", "other-app", "--body", BODY, *STAMP)
    assert second[0] == "Authorization: " + authorization_header("other-app", "other-key", STAMP[1], BODY.encode(),
                                                                 "n1")


def test_an_app_without_a_known_key_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["sign", "--app-id", "someone"]) == 2
    assert capsys.readouterr().err == ("mockums: no appKey for appId someone (the demo app is the only one without "
                                       "--config): pass --app-key, or --config with that app\n")
    config = tmp_path / "mockums.yaml"
    config.write_text("apps:\n  - {appId: shop-app, appKey: shop-key}\n", encoding="utf-8")
    assert cli.main(["sign", "-c", str(config), "--app-id", "someone"]) == 2
    assert capsys.readouterr().err == (f"mockums: no appKey for appId someone in {config}: pass --app-key, or "
                                       "--config with that app\n")


def send_printed(lines: list[str]) -> tuple[int, dict[str, object] | str]:
    """Send the request `sign` printed (a curl POST, or the GET of an H5 link); the status and the answer."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())
    if lines[0].startswith("GET "):
        request = urllib.request.Request(lines[0][4:])
    else:
        words = curl_words(lines)
        headers = dict(word.split(": ", 1) for word in words[6:-2:2])
        request = urllib.request.Request(words[4], data=words[-1].encode(), headers=headers)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        return error.code, json.loads(text) if text.startswith("{") else error.headers.get("Location", "")


def test_every_endpoint_gets_its_own_sample_and_the_sandbox_accepts_it(capsys: pytest.CaptureFixture[str]) -> None:
    """The issue: `sign --url <create URL>` signed the close sample (BAD_REQUEST totalAmount is missing)."""
    from mockums.config import Settings
    from mockums.lines import DEFAULT_REGISTRY
    from mockums.testing import BackgroundServer

    with BackgroundServer(Settings()) as url:
        for path, spec in DEFAULT_REGISTRY.endpoints.items():
            lines, err = signed(capsys, "--url", url + path)
            assert err == ""
            status, answer = send_printed(lines)
            if spec.method == "GET":
                assert status == 302 and "/netpay-portal/" in str(answer), (path, status, answer)
                continue
            assert status == 200 and isinstance(answer, dict), (path, status, answer)
            assert answer["errCode"] != "BAD_REQUEST", (path, answer)  # a refund query names a refund never made
            if spec.action in ("create", "close", "query", "refund", "bill_create", "secure_complete", "secure_cancel",
                               "sub_orders_confirm"):  # these three about a bundled settlement story's magic id
                assert answer["errCode"] == "SUCCESS", (path, answer)


def test_the_sample_fits_the_endpoint_and_fields_change_it(capsys: pytest.CaptureFixture[str]) -> None:
    lines, _ = signed(capsys, "--url", "/v1/netpay/wx/app-pre-order", "--order-id", "3194SIGN0002",
                      "--field", "totalAmount=250", "--field", "notifyUrl=http://127.0.0.1:9000/notify",
                      "--field", "srcReserve=")
    words = curl_words(lines)
    assert words[4] == "http://127.0.0.1:8000/v1/netpay/wx/app-pre-order"  # a bare path: serve's address
    body = json.loads(words[-1])
    assert (body["merOrderId"], body["totalAmount"], body["notifyUrl"]) == ("3194SIGN0002", 250,
                                                                            "http://127.0.0.1:9000/notify")
    assert "srcReserve" not in body
    refund, _ = signed(capsys, "--url", "/v1/netpay/refund")
    assert json.loads(curl_words(refund)[-1])["merOrderId"].startswith("MKPAID")  # a paid order: the refund succeeds
    assert cli.main(["sign", "--field", "novalue"]) == 2
    assert "--field 'novalue': write NAME=VALUE" in capsys.readouterr().err


def test_an_unknown_path_is_refused_with_the_nearest_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sign", "--url", "http://127.0.0.1:8000/v1/netpay/nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockums: --url: mockums serves no endpoint /v1/netpay/nope; nearest: /v1/netpay/")
    assert cli.main(["sign", "--url", "/v1/netpay/wx/app-pre-closed", "--body", "{}"]) == 2
    assert "nearest: /v1/netpay/wx/app-pre-close," in capsys.readouterr().err
    assert cli.main(["sign", "--url", "/v1/token/access"]) == 2
    assert "signed inside its body" in capsys.readouterr().err


def test_it_reads_the_same_settings_as_serve(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    """The issue: `MOCKUMS_PORT=8001 mockums sign` still targeted port 8000."""
    monkeypatch.setenv("MOCKUMS_PORT", "8001")
    lines, _ = signed(capsys, *STAMP)
    assert curl_words(lines)[4] == "http://127.0.0.1:8001/v1/netpay/wx/app-pre-close"

    config = tmp_path / "mockums.yaml"
    config.write_text("host: 0.0.0.0\nport: 9000\napps:\n  - {appId: shop-app, appKey: shop-key}\n", encoding="utf-8")
    monkeypatch.delenv("MOCKUMS_PORT")
    monkeypatch.setenv("MOCKUMS_CONFIG", str(config))
    monkeypatch.setenv("MOCKUMS_TLS", "1")
    monkeypatch.setenv("MOCKUMS_TLS_CA_FILE", str(tmp_path / "ca.pem"))
    lines, _ = signed(capsys, "--body", BODY, *STAMP)
    assert lines[0] == "Authorization: " + authorization_header("shop-app", "shop-key", STAMP[1], BODY.encode(), "n1")
    words = curl_words(lines)
    assert words[2:4] == ["--cacert", str(tmp_path / "ca.pem")]
    assert words[6] == "https://127.0.0.1:9000/v1/netpay/wx/app-pre-close"  # a wildcard host is reached on loopback

    monkeypatch.setenv("MOCKUMS_PORT", "eighty")
    assert cli.main(["sign"]) == 2
    assert capsys.readouterr().err.startswith("mockums: MOCKUMS_PORT='eighty': not a valid value for --port")
