"""The 分账 rules as pure functions (`mockums.lines.netpay.division`): the edges the HTTP tests leave out."""

from __future__ import annotations

from mockums.ledger.model import Order
from mockums.ledger.split import Division, SplitRefund, SubOrder, SubRefund
from mockums.lines.netpay import division

SUB = "898201612340001"


def _order(split: Division | None, *, paid: bool = True) -> Order:
    return Order("898201612345678", "31940000000001", "netpay", "TRADE_SUCCESS" if paid else "WAIT_BUYER_PAY", 360,
                 7, "4200001", 0.0, 1800.0, paid_at=1.0 if paid else None, division=split)


def test_twenty_sub_merchants_are_allowed_and_flags_may_be_text() -> None:
    subs = [{"mid": f"8982016123400{n:02d}", "totalAmount": 18} for n in range(20)]
    split = division.split_of({"divisionFlag": "true", "platformAmount": 0, "subOrders": subs}, 360)
    assert isinstance(split, Division) and len(split.sub_orders) == 20 and not split.asynchronous


def test_a_split_without_a_list_of_objects_is_refused() -> None:
    for sub_orders in ("[]", [SUB], {"mid": SUB}, None):
        refused = division.split_of({"divisionFlag": True, "platformAmount": 360, "subOrders": sub_orders}, 360)
        assert isinstance(refused, division.Refusal) and refused.situation == "bad_request"
        assert "subOrders required with a split" in str(refused.details["details"])


def test_no_flag_and_no_sub_orders_is_no_split() -> None:
    assert division.split_of({"divisionFlag": False, "platformAmount": 0, "subOrders": []}, 360) is None


def test_a_refund_counts_only_the_shares_of_refunds_that_count() -> None:
    split = Division(False, 60, (SubOrder(SUB, None, 300),),
                     refunds=(SplitRefund("R1", 0, (SubRefund(SUB, None, None, 300),)),))
    failed = _order(split)._replace(refunds=())  # R1 is not among the order's refunds that count
    allowed = division.refund_split(failed, {"platformAmount": 0, "subOrders": [{"mid": SUB, "totalAmount": 300}]},
                                    300)
    assert allowed == SplitRefund("", 0, (SubRefund(SUB, None, None, 300),))


def test_confirm_refuses_what_is_not_an_asynchronous_split_paid() -> None:
    asynchronous = Division(True, 60, (SubOrder(SUB, None, 300),))
    assert division.confirm(_order(None), {"platformAmount": 60}, 2.0) == division.Refusal("division_not_async", {})
    assert division.confirm(_order(asynchronous, paid=False), {"platformAmount": 60}, 2.0) == division.Refusal(
        "division_unpaid", {})
    confirmed = division.confirm(_order(asynchronous), {"platformAmount": "60"}, 2.0)
    assert confirmed == asynchronous._replace(confirmed_at=2.0)
    assert division.split_values(_order(confirmed if isinstance(confirmed, Division) else None)) == {
        "asynDivisionFlag": True, "platformAmount": 60, "subOrders": [{"mid": SUB, "totalAmount": 300}],
        "asynDivisionStatus": "success"}
