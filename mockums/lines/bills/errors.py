"""The QR-code bill line's situations (protocol-evidence §8), on top of the netpay family's catalogue."""

from __future__ import annotations

from collections.abc import Mapping

from mockums.lines.netpay.errors import BUSINESS_ERRORS, SITUATIONS
from mockums.protocol.vocabulary import Situation, Vocabulary

BILL_SITUATIONS: Mapping[str, Situation] = {
    # The success texts are the document's (get-qrcode's also seen live);
    # no public source shows which code answers the failures, so those are ours.
    "qr_created": Situation("SUCCESS", "查询二维码成功", "get-qrcode succeeded (sic: the query's text)", "observed"),
    "qr_updated": Situation("SUCCESS", "更新二维码成功", "update-qrcode succeeded", "documented"),
    "qr_closed": Situation("SUCCESS", "成功关闭二维码", "close-qrcode succeeded", "documented"),
    "bill_exists": Situation("DUP_ORDER", "账单号重复: {bill_no}", "a billNo (or qrCodeId) already used"),
    "bill_unknown": Situation("NO_BILL", "找不到账单", "no bill with this billNo (and billDate) for the mid"),
    "qr_unknown": Situation("NO_BILL", "找不到二维码", "no code with this qrCodeId for the mid"),
    "qr_gone": Situation("OPERATION_NOT_ALLOWED", "二维码已失效 ({why})",
                         "update or close of a closed code, update of an expired one"),
    "payment_ids_taken": Situation("DUP_ORDER", "账单{bill_no}的支付订单号已被占用 ({bill_no}0..9)",
                                   "every merOrderId a bill's payment can take (billNo + 0..9) is another order's"),
    "bill_paid": Situation("OPERATION_NOT_ALLOWED", "账单已支付", "update-qrcode of a one-time code already paid"),
    "not_preauth": Situation("OPERATION_NOT_ALLOWED", "非预授权交易",
                             "a pre-authorisation call on a bill created without preauthTransaction"),
    "preauth_unpaid": Situation("OPERATION_NOT_ALLOWED", "预授权未支付",
                                "a pre-authorisation call before the bill's code was paid"),
    "preauth_completed": Situation("OPERATION_NOT_ALLOWED", "预授权已完成",
                                   "bills/preauthed or preauth-cancel of a completed pre-authorisation"),
    "preauth_not_completed": Situation("OPERATION_NOT_ALLOWED", "预授权未完成",
                                       "bills/preauthed-cancel of a pre-authorisation not completed"),
    "preauth_cancelled": Situation("OPERATION_NOT_ALLOWED", "预授权已撤销",
                                   "any pre-authorisation call after preauth-cancel"),
    "preauth_over": Situation("OPERATION_NOT_ALLOWED", "完成金额{amount}超过预授权金额{total}",
                              "bills/preauthed with completedAmount above the amount authorised"),
}

VOCABULARY = Vocabulary("SUCCESS", BUSINESS_ERRORS, {**SITUATIONS, **BILL_SITUATIONS})
