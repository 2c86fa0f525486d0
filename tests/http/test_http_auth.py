"""OPEN-BODY-SIG over real HTTP: every way in, every way to be refused, and the diagnosis."""

from __future__ import annotations

from datetime import timedelta

import chinaums_client
import pytest
from conftest import CLOSE, SECOND_APP, Caller, MakeCaller

from mockums.config import DEMO_APP, Strictness


def close_body(order_id: str = "MKSUCCESS202611260100", **fields: object) -> bytes:
    return chinaums_client.go_json(chinaums_client.close_request(order_id, **fields))


async def test_php_style_escaped_json_is_verified_over_the_exact_bytes(caller: Caller) -> None:
    body = chinaums_client.php_json(chinaums_client.close_request("MKSUCCESS202611260101", srcReserve="备注/1"))
    assert b"\\u5907" in body and b"\\/" in body
    answer = await caller.signed(CLOSE, body)
    assert answer.json["errCode"] == "SUCCESS"
    assert answer.json["srcReserve"] == "备注/1"


async def test_go_style_raw_utf8_json_is_verified(caller: Caller) -> None:
    body = chinaums_client.go_json(chinaums_client.close_request("MKSUCCESS202611260102", srcReserve="备注"))
    assert "备注".encode() in body
    assert (await caller.signed(CLOSE, body)).json["errCode"] == "SUCCESS"


@pytest.mark.parametrize("strict", [Strictness(), Strictness.all(True)])
@pytest.mark.parametrize("separator", [", ", ","])  # the official demo code's, the official API page's
async def test_every_official_header_form_is_accepted_in_both_modes(make_caller: MakeCaller, strict: Strictness,
                                                                    separator: str) -> None:
    caller = await make_caller(strict=strict)
    answer = await caller.signed(CLOSE, close_body(), separator=separator)
    assert (answer.status, answer.json["errCode"]) == (200, "SUCCESS")
    assert "X-Mockums-Warning" not in answer.headers


async def test_the_api_page_header_example_verbatim_is_read(make_caller: MakeCaller) -> None:
    """The API page's example (shared/seeds), its AppId replaced: strict mode reads it and checks the
    signature, which cannot match a made-up one."""
    caller = await make_caller(strict=Strictness.all(True))
    example = (f'OPEN-BODY-SIG AppId="{DEMO_APP.app_id}",Timestamp="20170606135700",Nonce="99930a147f5353dd8a8f29a5329f37e9",'
               'Signature="IPmdGHYCcfN+mto0/02zkwoUF1NT3YqPKaUykMaec1T="')
    answer = await caller.raw(CLOSE, close_body(), example)
    assert answer.json["errCode"] == "1006"  # read as a well-formed header; only the signature is wrong
    assert "not in a form official material shows" not in answer.text


async def test_strict_header_mode_rejects_forms_official_material_does_not_show(make_caller: MakeCaller) -> None:
    caller = await make_caller(strict=Strictness(header=True))
    answer = await caller.signed(CLOSE, close_body(), separator=" , ")
    assert answer.status == 412
    assert answer.json["errCode"] == "1003"
    assert answer.json["errInfo"] == "Authorization解析失败"
    assert answer.json["diagnosis"]["reason"].startswith("Authorization header is not in a form official material shows: spacing")
    lenient = await (await make_caller()).signed(CLOSE, close_body(), separator=" , ")
    assert lenient.json["errCode"] == "SUCCESS"
    assert lenient.headers["X-Mockums-Warning"].startswith("Authorization header is not in a form official material shows")


async def test_a_second_configured_app_is_accepted(caller: Caller) -> None:
    answer = await caller.close("MKSUCCESS202611260103", app=SECOND_APP)
    assert answer.json["errCode"] == "SUCCESS"


async def test_wrapped_data_body_is_accepted_and_signed_as_wrapped(caller: Caller) -> None:
    body = chinaums_client.go_json({"data": chinaums_client.close_request("MKSUCCESS202611260104")})
    answer = await caller.signed(CLOSE, body)
    assert answer.json["errCode"] == "SUCCESS"
    assert answer.json["merOrderId"] == "MKSUCCESS202611260104"
    inner = close_body("MKSUCCESS202611260105")
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, inner)
    wrapped = chinaums_client.go_json({"data": chinaums_client.close_request("MKSUCCESS202611260105")})
    refused = await caller.raw(CLOSE, wrapped, header)
    assert refused.json["errCode"] == "1006"


@pytest.mark.parametrize(
    ("header", "status", "code", "info", "reason"),
    [
        (None, 401, "1001", "缺少Authorization认证头", "the Authorization header is missing or empty"),
        ("Basic dXNlcjpwYXNz", 401, "1002", "不支持的认证方式",
         "unknown scheme 'Basic': expected OPEN-BODY-SIG or OPEN-ACCESS-TOKEN"),
        ('OPEN-BODY-SIG AppId="x", Timestamp="20240101120000"', 412, "1003", "Authorization解析失败",
         "Nonce, Signature are missing or empty (expected AppId, Timestamp, Nonce, Signature)"),
        ('OPEN-BODY-SIG AppId="nobody", Timestamp="20240101120000", Nonce="n", Signature="s"', 401, "1005",
         "AppId不存在", "AppId 'nobody' is not a configured app"),
    ],
)
async def test_each_header_failure_has_its_own_gateway_error(
    caller: Caller, header: str | None, status: int, code: str, info: str, reason: str
) -> None:
    answer = await caller.raw(CLOSE, close_body(), header)
    assert answer.status == status
    body = answer.json
    assert (body["errCode"], body["errInfo"]) == (code, info)
    assert "errMsg" not in body
    assert body["diagnosis"]["reason"] == reason


async def test_bad_timestamp_is_the_observed_1000(caller: Caller) -> None:
    answer = await caller.signed(CLOSE, close_body(), timestamp="1700000000")
    assert answer.status == 412
    assert answer.json["errCode"] == "1000"
    assert answer.json["errInfo"] == "Timestamp解析失败"
    assert answer.json["diagnosis"]["reason"] == (
        "Timestamp '1700000000' is not yyyyMMddHHmmss (14 digits, Beijing time); it looks like a Unix epoch"
    )


async def test_wrong_signature_is_diagnosed_without_revealing_the_key(caller: Caller) -> None:
    body = close_body()
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, "wrong-key", body, timestamp="20261126120000",
                                           nonce="abc123")
    answer = await caller.raw(CLOSE, body, header)
    assert answer.status == 401
    assert (answer.json["errCode"], answer.json["errInfo"]) == ("1006", "签名验证失败")
    diagnosis = answer.json["diagnosis"]
    import hashlib

    digest = hashlib.sha256(body).hexdigest()
    assert diagnosis["failure"] == "bad_signature"
    assert diagnosis["body_sha256"] == digest
    assert diagnosis["string_to_sign"] == DEMO_APP.app_id + "20261126120000" + "abc123" + digest
    assert diagnosis["hmac"] == "Base64(HMAC-SHA256(<appKey redacted>, string_to_sign))"
    assert diagnosis["received_signature"] in header
    assert isinstance(diagnosis["clock_skew_seconds"], int)
    assert DEMO_APP.app_key not in answer.text


async def test_uppercase_digest_mistake_is_named(caller: Caller) -> None:
    import base64
    import hashlib
    import hmac

    body = close_body()
    digest = hashlib.sha256(body).hexdigest().upper()
    timestamp = chinaums_client.compact(chinaums_client.beijing_now())
    mac = hmac.new(DEMO_APP.app_key.encode(), (DEMO_APP.app_id + timestamp + "n" + digest).encode(), hashlib.sha256)
    header = (f'OPEN-BODY-SIG AppId="{DEMO_APP.app_id}", Timestamp="{timestamp}", Nonce="n", '
              f'Signature="{base64.b64encode(mac.digest()).decode()}"')
    answer = await caller.raw(CLOSE, body, header)
    assert answer.json["diagnosis"]["reason"] == (
        "Signature does not match: it was computed over an UPPERCASE body digest; the digest must be lowercase hex"
    )


async def test_body_changed_after_signing_is_refused(caller: Caller) -> None:
    body = close_body()
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    answer = await caller.raw(CLOSE, body.replace(b"C2022", b"C2023"), header)
    assert answer.json["errCode"] == "1006"


async def test_utc_clock_is_accepted_but_flagged(caller: Caller) -> None:
    utc_stamp = chinaums_client.compact(chinaums_client.beijing_now() - timedelta(hours=8))
    answer = await caller.signed(CLOSE, close_body(), timestamp=utc_stamp)
    assert answer.json["errCode"] == "SUCCESS"
    warning = answer.headers["X-Mockums-Warning"]
    assert "behind Beijing time (UTC+8): it looks stamped with a UTC clock" in warning
    assert "(window 600 s)" in warning


async def test_strict_timestamp_rejects_the_skew(make_caller: MakeCaller) -> None:
    caller = await make_caller(strict=Strictness(timestamp=True))
    stamp = chinaums_client.compact(chinaums_client.beijing_now() - timedelta(hours=8))
    answer = await caller.signed(CLOSE, close_body(), timestamp=stamp)
    assert answer.status == 412
    assert (answer.json["errCode"], answer.json["errInfo"]) == ("1004", "Timestamp超出允许范围")
    assert answer.json["diagnosis"]["clock_skew_seconds"] in range(-28810, -28790)


async def test_skew_window_zero_turns_the_check_off(make_caller: MakeCaller) -> None:
    caller = await make_caller(skew_window=0, strict=Strictness(timestamp=True))
    stamp = chinaums_client.compact(chinaums_client.beijing_now() - timedelta(hours=8))
    answer = await caller.signed(CLOSE, close_body(), timestamp=stamp)
    assert answer.json["errCode"] == "SUCCESS"
    assert "X-Mockums-Warning" not in answer.headers


async def test_faithful_mode_answers_only_what_the_gateway_would(make_caller: MakeCaller) -> None:
    caller = await make_caller(faithful=True)
    answer = await caller.raw(CLOSE, close_body(), None)
    assert answer.json == {"errCode": "1001", "errInfo": "缺少Authorization认证头"}
    stamp = chinaums_client.compact(chinaums_client.beijing_now() - timedelta(hours=8))
    flagged = await caller.signed(CLOSE, close_body(), timestamp=stamp)
    assert not [h for h in flagged.headers if h.startswith("X-Mockums")]


async def test_gateway_errors_can_be_overridden_from_configuration(make_caller: MakeCaller) -> None:
    caller = await make_caller(gateway_errors={"bad_signature": {"status": 403, "errCode": "BAD_SIGN"}})
    answer = await caller.raw(CLOSE, close_body(), chinaums_client.open_body_sig(DEMO_APP.app_id, "x", b"{}"))
    assert answer.status == 403
    assert (answer.json["errCode"], answer.json["errInfo"]) == ("BAD_SIGN", "签名验证失败")
