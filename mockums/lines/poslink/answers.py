"""The values POS-link answers show of a payment: its UMS ids and the wallet's, its times as the gateway writes them
(HHmmss, MMdd, yyyyMMdd), its amounts, and what a query says of it. Derived again from the order and the seed each
time, as the netpay family's generated values are; nothing here is kept."""

from __future__ import annotations

from datetime import datetime

from mockums.clock import BEIJING
from mockums.ledger.generate import Generator
from mockums.ledger.model import Order, Refund
from mockums.lines.poslink.store import PosFacts
from mockums.lines.poslink.vocabulary import QUERY_RESULTS
from mockums.lines.poslink.wallets import wallet_named
from mockums.protocol.statuses import TRADE_CLOSED, TRADE_REFUND, TRADE_SUCCESS, WAIT_BUYER_PAY
from mockums.protocol.wallets import WALLETS


def moment(epoch: float) -> str:
    """yyyyMMddHHmmss, Beijing time."""
    return datetime.fromtimestamp(epoch, BEIJING).strftime("%Y%m%d%H%M%S")


def ums_id(generator: Generator, at: float, *parts: object) -> str:
    """A UMS order id as real answers show one: yyyyMMddHHmmss and 12 digits (26), derived from the seed and `parts`."""
    return moment(at) + generator.wallet_id("#" * 12, at, "poslink", *parts)


def times(at: float) -> dict[str, object]:
    """A trade's times as POS link writes them: transactionTime HHmmss, the dates as MMdd and yyyyMMdd (settled the
    same day)."""
    text = moment(at)
    return {"transactionTime": text[8:], "transactionDate": text[4:8], "transactionDateWithYear": text[:8],
            "settlementDate": text[4:8], "settlementDateWithYear": text[:8]}


def state(order: Order, facts: PosFacts | None) -> str:
    """What became of a payment, in QUERY_RESULTS' words: paid, refunded, paying, voided, reversed, failed, timeout."""
    if order.status == TRADE_SUCCESS:
        return "paid"
    if order.status == TRADE_REFUND:
        return "refunded"
    if order.status == WAIT_BUYER_PAY:
        return "paying"
    if order.status == TRADE_CLOSED and facts is not None and facts.ending is not None:
        return facts.ending
    return "failed"


def trade(order: Order, generator: Generator, at: float) -> dict[str, object]:
    """The values every trade answer shows: ids, times of `at`, reference numbers and the wallet's name."""
    wallet = wallet_named(order.target_sys)
    made = generator.order_values(order.mid, order.mer_order_id, WALLETS[order.target_sys], order.created_at,
                                  order.seed)
    seq = str(made["seqId"])
    return {"merchantOrderId": order.mer_order_id, "orderId": order.target_order_id, **times(at),
            "retrievalRefNum": seq, "systemTraceNum": seq[5:11], "batchNo": "000001",
            "thirdPartyName": wallet.third_party_name, "cardAttr": "91", "mchntName": made["merName"],
            "chnlType": wallet.channel_type}


def paid(order: Order, generator: Generator) -> dict[str, object]:
    """What pay answers of a payment."""
    made = generator.order_values(order.mid, order.mer_order_id, WALLETS[order.target_sys], order.created_at,
                                  order.seed)
    return {**trade(order, generator, order.paid_at or order.created_at),
            "thirdPartyOrderId": made["targetOrderId"], "thirdPartyBuyerId": buyer(order, generator),
            "thirdPartyPayInformation": f"现金:{order.total_amount}", "transactionAmount": order.total_amount,
            "actualTransactionAmount": order.total_amount, "amount": order.total_amount}


def buyer(order: Order, generator: Generator) -> str:
    """The customer's id at the wallet."""
    shape = WALLETS[order.target_sys].buyer_id.text
    return generator.wallet_id(shape, order.created_at, "buyer", order.mid, order.mer_order_id)


def query(order: Order, facts: PosFacts | None, generator: Generator) -> dict[str, object]:
    """What query answers of a payment: queryResCode and its description, and the original trade."""
    found = state(order, facts)
    code, description = QUERY_RESULTS[found]
    if found == "failed" and facts is not None and facts.why:
        description = f"{description}: {facts.why}"
    values = paid(order, generator)
    return {"queryResCode": code, "queryResDesc": description, "merchantOrderId": order.mer_order_id,
            "orderId": order.target_order_id,
            "originalTransactionTime": moment(order.paid_at or order.created_at),
            "originalSettlementDate": moment(order.paid_at or order.created_at)[:8],
            "originalPayCode": facts.pay_code if facts is not None else None, "originalBatchNo": values["batchNo"],
            "originalSystemTraceNum": values["systemTraceNum"], "origialRetrievalRefNum": values["retrievalRefNum"],
            "originalRetrievalRefNum": values["retrievalRefNum"], "originalTransactionAmount": order.total_amount,
            "amount": order.total_amount, "refundedAmount": order.refunded,
            "actualTransactionAmount": order.total_amount, "thirdPartyName": values["thirdPartyName"],
            "thirdPartyBuyerId": values["thirdPartyBuyerId"], "thirdPartyOrderId": values["thirdPartyOrderId"],
            "orderStatus": order.status}


def refunded(order: Order, refund: Refund, generator: Generator) -> dict[str, object]:
    """What refund answers of one of a payment's refunds."""
    return {**trade(order, generator, refund.created_at),
            "refundOrderId": ums_id(generator, refund.created_at, "refund", order.mid, order.mer_order_id,
                                    refund.refund_order_id),
            "refundTargetOrderId": refund.target_order_id, "refundInvoiceAmount": str(refund.amount),
            "transactionAmount": refund.amount, "totalRefundPromotionAmt": "0", "acqInstCode": "UNIONPAY"}


def refund_found(order: Order, refund: Refund, facts: PosFacts | None, generator: Generator) -> dict[str, object]:
    """What query-refund answers of one refund."""
    done = trade(order, generator, refund.created_at)
    return {"queryResCode": "00", "refundRequestId": refund.refund_order_id, "merchantOrderId": order.mer_order_id,
            "orderId": order.target_order_id,
            "transactionTime": done["transactionTime"], "transactionDate": done["transactionDate"],
            "settlementDate": done["settlementDate"], "retrievalRefNum": done["retrievalRefNum"],
            "payCode": facts.pay_code if facts is not None else None, "dealDate": done["transactionDateWithYear"],
            "dealTime": done["transactionTime"], "dealType": "refund", "originalAmount": order.total_amount,
            "refundInvoiceAmount": str(refund.amount)}
