"""The notification signature against the vectors the ChinaUMS spec prints (H5支付 v20221020).

Vectors: §1.9.4 (sign string, MD5, SHA256 with the §1.9.3 example key) and the §1.10 sample
notification URL, as quoted in zhangyan-git/panda_v2 `internal/provider/ums/keyappend_spec_test.go`.
The spec prints the §1.9.4 digests in lowercase; the platform sends uppercase, which is what we produce.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl

import pytest

from mockums.notify.signing import (
    REDACTED,
    notification_sign,
    redacted_sign_string,
    sign_notification,
    sign_string,
    verify_notification,
)

SPEC_KEY = "fcAmtnx7MwismjWNhNKdHC44mNXtnEQeJkRrhKJwyrW2ysRR"  # the spec's published example key
GOODS = ('[{"body":"微信二维码测试","price":"1","goodsName":"微信二维码测试",'
         '"goodsId":"1","quantity":"1","goodsCategory":"TEST"}]')
SPEC_PARAMS = {
    "billDate": "2017-06-26", "billNo": "31940000201700002", "goods": GOODS, "instMid": "QRPAYDEFAULT",
    "mid": "898340149000005", "msgSrc": "WWW.TEST.COM", "msgType": "bills.getQRCode",
    "requestTimestamp": "2017-06-26 17:28:02", "tid": "88880001", "totalAmount": "1", "walletOption": "SINGLE",
}
SPEC_PAYLOAD = ("billDate=2017-06-26&billNo=31940000201700002&goods=" + GOODS
                + "&instMid=QRPAYDEFAULT&mid=898340149000005&msgSrc=WWW.TEST.COM&msgType=bills.getQRCode"
                + "&requestTimestamp=2017-06-26 17:28:02&tid=88880001&totalAmount=1&walletOption=SINGLE")
SPEC_MD5 = "57f81baf8e3bae1190b26d6c733038af"
SPEC_SHA256 = "a9eced8dd8425d1fc4047cf94e672c69ed1073557ee831c51287341cfab0b21f"

SPEC_NOTIFICATION_QUERY = (
    "payTime=2022-06-21+17%3A13%3A04&ns=cyuT&connectSys=OPENCHANNEL"
    "&sign=714DAF2ACAA090E79B80F843829ED4251652742DDC44BF596EEEA6732D154C62"
    "&merName=%E6%B5%8B%E8%AF%95%E9%80%80%E8%B4%A75%281111%29&mid=898340149000005"
    "&invoiceAmount=1&settleDate=2022-06-21"
    "&billFunds=%E7%8E%B0%E9%87%91%E6%94%AF%E4%BB%980.01%E5%85%83%E3%80%82"
    "&buyerId=o8wNP0RtDiUq4NzMZyAGK5psp6hs&mchntUuid=4aa8728a06a04f7385869df8b659cd01"
    "&tid=88880001&instMid=YUEDANDEFAULT&receiptAmount=1"
    "&targetOrderId=4200001471202206211141496123&signType=SHA256"
    "&orderDesc=%E6%B5%8B%E8%AF%95%E9%80%80%E8%B4%A75%281111%29&seqId=01120706230N"
    "&merOrderId=3194278460076848369664&targetSys=WXPay&totalAmount=1"
    "&createTime=2022-06-21+17%3A12%3A53&buyerPayAmount=1"
    "&notifyId=e82a0275-f767-4f77-90c2-614c91222275&subInst=000100&status=TRADE_SUCCESS"
)
SPEC_NOTIFICATION_SIGN = "714DAF2ACAA090E79B80F843829ED4251652742DDC44BF596EEEA6732D154C62"


def spec_notification() -> dict[str, str]:
    return dict(parse_qsl(SPEC_NOTIFICATION_QUERY, keep_blank_values=True))


def test_sign_string_matches_the_spec_payload() -> None:
    assert sign_string(SPEC_PARAMS, SPEC_KEY) == SPEC_PAYLOAD + SPEC_KEY


def test_md5_and_sha256_match_the_spec_vectors_in_uppercase() -> None:
    assert notification_sign(SPEC_PARAMS, SPEC_KEY, "MD5") == SPEC_MD5.upper()
    assert notification_sign(SPEC_PARAMS, SPEC_KEY, "SHA256") == SPEC_SHA256.upper()
    assert notification_sign(SPEC_PARAMS, SPEC_KEY) == SPEC_SHA256.upper()  # SHA256 is the default


def test_sign_type_is_case_insensitive() -> None:
    assert notification_sign(SPEC_PARAMS, SPEC_KEY, "md5") == SPEC_MD5.upper()
    assert notification_sign(SPEC_PARAMS, SPEC_KEY, "sha256") == SPEC_SHA256.upper()


def test_unknown_sign_type_is_refused() -> None:
    with pytest.raises(ValueError, match="RSA2"):
        notification_sign(SPEC_PARAMS, SPEC_KEY, "RSA2")


def test_the_spec_notification_verifies_and_its_sign_is_reproduced() -> None:
    params = spec_notification()
    assert params["merName"] == "测试退货5(1111)"  # decoded values are what gets signed
    assert verify_notification(params, SPEC_KEY)
    assert notification_sign(params, SPEC_KEY, params["signType"]) == SPEC_NOTIFICATION_SIGN


def test_sign_notification_rebuilds_the_spec_notification() -> None:
    unsigned = {k: v for k, v in spec_notification().items() if k not in ("sign", "signType")}
    signed = sign_notification(unsigned, SPEC_KEY)
    assert signed["signType"] == "SHA256"
    assert signed["sign"] == SPEC_NOTIFICATION_SIGN
    assert signed == spec_notification()
    assert "sign" not in unsigned  # the input is not modified


def test_sign_type_is_signed_so_the_spec_sign_needs_it() -> None:
    without_sign_type = {k: v for k, v in spec_notification().items() if k != "signType"}
    assert notification_sign(without_sign_type, SPEC_KEY) != SPEC_NOTIFICATION_SIGN
    assert "signType=SHA256&status=" in sign_string(spec_notification(), SPEC_KEY)


@pytest.mark.parametrize("name", ["totalAmount", "merName", "notifyId", "ns", "signType"])
def test_any_tampered_field_fails_verification(name: str) -> None:
    params = spec_notification()
    params[name] = "MD5" if name == "signType" else "TAMPERED"
    assert not verify_notification(params, SPEC_KEY)


def test_wrong_key_missing_sign_or_unknown_sign_type_fail() -> None:
    assert not verify_notification(spec_notification(), SPEC_KEY + "x")
    assert not verify_notification({k: v for k, v in spec_notification().items() if k != "sign"}, SPEC_KEY)
    assert not verify_notification({**spec_notification(), "sign": ""}, SPEC_KEY)
    assert not verify_notification({**spec_notification(), "signType": "RSA"}, SPEC_KEY)


def test_verification_ignores_hex_case_and_defaults_to_sha256() -> None:
    params = spec_notification()
    assert verify_notification({**params, "sign": SPEC_NOTIFICATION_SIGN.lower()}, SPEC_KEY)
    unsigned = {"mid": "898340149000005", "status": "TRADE_SUCCESS"}
    no_sign_type = {**unsigned, "sign": notification_sign(unsigned, SPEC_KEY)}
    assert verify_notification(no_sign_type, SPEC_KEY)


def test_md5_signed_notification_verifies() -> None:
    signed = sign_notification({"mid": "1", "status": "TRADE_SUCCESS"}, "k", "md5")
    assert signed["signType"] == "MD5"
    assert len(signed["sign"]) == 32
    assert signed["sign"] == signed["sign"].upper()
    assert verify_notification(signed, "k")


def test_empty_values_are_dropped_and_sign_is_excluded() -> None:
    params = {"b": "2", "a": "1", "empty": "", "sign": "WHATEVER"}
    assert sign_string(params, "KEY") == "a=1&b=2KEY"
    assert notification_sign(params, "KEY") == hashlib.sha256(b"a=1&b=2KEY").hexdigest().upper()


def test_keys_sort_in_ascii_order() -> None:
    assert sign_string({"b": "1", "a": "2", "B": "3", "_x": "4"}, "") == "B=3&_x=4&a=2&b=1"


def test_non_ascii_values_are_signed_as_utf8_raw_values() -> None:
    params = {"merName": "测试 商户&1", "mid": "1"}
    expected = hashlib.sha256("merName=测试 商户&1&mid=1密钥".encode()).hexdigest().upper()
    assert notification_sign(params, "密钥") == expected


def test_redacted_sign_string_never_shows_the_key() -> None:
    text = redacted_sign_string(SPEC_PARAMS)
    assert text == SPEC_PAYLOAD + REDACTED
    assert SPEC_KEY not in text
    assert REDACTED == "<notify key redacted>"
