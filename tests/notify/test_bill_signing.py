"""The bill notification signature against the three samples published with their keys (protocol-evidence
§8.5): the C扫B document's example (MD5 and SHA-256 of the same fields) and a 2022 test-environment
one-time-code notification (SHA-256). The third published sample, a 2020 notification from production,
is left out on purpose: its key is a live merchant's communication key, and no real key belongs here."""

from __future__ import annotations

import pytest

from mockums.lines.bills.notification import bill_sign
from mockums.notify.signing import notification_sign, verify_notification

DOC_KEY = "fcAmtnx7MwismjWNhNKdHC44mNXtnEQeJkRrhKJwyrW2ysRR"
DOC_GOODS = ('[{"body":"微信二维码测试","price":"1","goodsName":"微信二维码测试","goodsId":"1","quantity":"1",'
             '"goodsCategory":"TEST"}]')
DOC_PARAMS = {"billDate": "2017-06-26", "billNo": "31940000201700002", "goods": DOC_GOODS, "instMid": "QRPAYDEFAULT",
              "mid": "898340149000005", "msgSrc": "WWW.TEST.COM", "msgType": "bills.getQRCode",
              "requestTimestamp": "2017-06-26 17:28:02", "tid": "88880001", "totalAmount": "1",
              "walletOption": "SINGLE"}

N2022_KEY = "impARTxrQcfwmRijpDNCw6hPxaWCddKEpYxjaKXDhCaTCXJ6"
N2022 = {
    "JL": "DbkZ", "billDate": "2022-09-24", "billDesc": "中保付测试商户(中保付测试商户)",
    "billNo": "8888b4f-178e-4a04-8ad4-79fa0",
    "billPayment": '{"payTime":"2022-09-24 00:57:58","paySeqId":"01175500115N","invoiceAmount":20,'
                   '"settleDate":"2022-09-24","buyerId":"o8wNP0agr1roauVXTWpuLhT2VL0M","receiptAmount":20,'
                   '"totalAmount":20,"billBizType":"bills","buyerPayAmount":20,'
                   '"targetOrderId":"4200001567202209249273711154","merOrderId":"8888b4f-178e-4a04-8ad4-79fa00",'
                   '"status":"TRADE_SUCCESS","targetSys":"WXPay"}',
    "billQRCode": "https://qr-test3.chinaums.com/bills/qrCode.do?id=10002209241195738009194596", "billStatus": "PAID",
    "counterNo": "868b0b4f178e4a048ad479fa01981786", "createTime": "2022-09-24 00:57:38", "instMid": "QRPAYDEFAULT",
    "mchntUuid": "6d47dc12a4c847eaba2eb456d201d5cd", "memberId": "fc95d158f8e54fe7ba2e923961440652",
    "merName": "中保付测试商户(中保付测试商户)", "mid": "898201612345678",
    "notifyId": "7df96f1d-0a73-41af-8c33-ec1ebe968dd7", "qrCodeId": "10002209241195738009194596",
    "qrCodeType": "BILLPAY", "receiptAmount": "20", "seqId": "01175500115N", "signType": "SHA256",
    "subInst": "100200", "tid": "88880001", "totalAmount": "20",
    "sign": "081149D185636E219BCAA1269E2D61B382907CE141DCE4E36D85B1B4B440DF76",
}


@pytest.mark.parametrize(("sign_type", "expected"), [
    ("MD5", "57F81BAF8E3BAE1190B26D6C733038AF"),
    ("SHA256", "A9ECED8DD8425D1FC4047CF94E672C69ED1073557EE831C51287341CFAB0B21F"),
])
def test_the_documents_example(sign_type: str, expected: str) -> None:
    assert notification_sign(DOC_PARAMS, DOC_KEY, sign_type) == expected


def test_the_documents_example_signed_md5_carries_no_sign_type() -> None:
    signed = bill_sign(DOC_PARAMS, DOC_KEY, "MD5")
    assert signed == {**DOC_PARAMS, "sign": "57F81BAF8E3BAE1190B26D6C733038AF"}
    assert verify_notification(signed, DOC_KEY) is False  # a verifier defaulting to SHA-256 would reject it


def test_the_2022_test_environment_notification_sha256() -> None:
    unsigned = {key: value for key, value in N2022.items() if key not in ("sign", "signType")}
    assert bill_sign(unsigned, N2022_KEY, "SHA256") == N2022
    assert verify_notification(N2022, N2022_KEY)


def test_md5_drops_a_sign_type_field_and_an_unknown_type_is_refused() -> None:
    signed = bill_sign({"billNo": "3194000001", "signType": "SHA256"}, "k", "MD5")
    assert set(signed) == {"billNo", "sign"} and len(signed["sign"]) == 32
    with pytest.raises(ValueError, match="unsupported signType"):
        bill_sign({"billNo": "3194000001"}, "k", "SHA1")


def test_the_bill_notification_check_in_the_docs_verifies_them() -> None:
    import re

    import readme as docs

    snippet = next(block for block in re.findall(r"```python\n(.*?)```", docs.page("how-to/h5-and-bills.md"), re.S)
                   if "def valid_bill" in block)
    namespace: dict[str, object] = {}
    exec(snippet, namespace)
    valid = namespace["valid_bill"]
    assert valid({**DOC_PARAMS, "sign": "57F81BAF8E3BAE1190B26D6C733038AF"}, DOC_KEY)  # type: ignore[operator]
    assert valid(N2022, N2022_KEY)  # type: ignore[operator]
    ours = bill_sign({"billNo": "3194000001", "billPayment": '{"status":"TRADE_SUCCESS"}'}, "k", "MD5")
    assert valid(ours, "k")  # type: ignore[operator]
    assert not valid({**ours, "billNo": "3194000002"}, "k")  # type: ignore[operator]
