"""A step's `order:` block: what the order a scenario implies is (its amount, a 担保 guarantee, a 分账 split), and how
its mistakes are reported."""

from __future__ import annotations

from textwrap import dedent

from scenario_terms import terms

from mockums.ledger.plans import ImpliedOrder
from mockums.ledger.split import Division, SubOrder
from mockums.scenarios import load_text


def load(text: str) -> tuple[list[ImpliedOrder | None], list[str]]:
    result = load_text(dedent(text), "s.yaml", allowed=terms(None, None))
    return [s.steps[0].order for s in result.scenarios], [str(e) for e in result.errors]


def test_a_guarantee_and_a_split_are_read_the_split_s_amount_being_its_shares_sum() -> None:
    orders, errors = load("""\
        scenarios:
          - name: held
            match: {merOrderIdPrefix: HELD}
            respond: {order_status: TRADE_SUCCESS, order: {totalAmount: 1000, secure: true}}
          - name: split
            match: {merOrderIdPrefix: SPLIT}
            respond:
              order:
                split:
                  async: true
                  platformAmount: 0
                  subOrders: [{mid: 898201612345001, merOrderId: SUBA00000001, totalAmount: 700},
                              {mid: "898201612345002", totalAmount: 300}]
          - name: plain
            match: {merOrderIdPrefix: PLAIN}
            respond: {order_status: TRADE_SUCCESS}
        """)
    assert errors == []
    assert orders == [
        ImpliedOrder(total_amount=1000, secure=True),
        ImpliedOrder(total_amount=1000, division=Division(True, 0, (
            SubOrder("898201612345001", "SUBA00000001", 700), SubOrder("898201612345002", None, 300)))),
        None,
    ]


def test_mistakes_name_the_field_its_line_and_the_rule() -> None:
    _, errors = load("""\
        scenarios:
          - name: bad
            match: {merOrderIdPrefix: BAD}
            respond:
              order:
                totalAmount: 999
                secure: true
                split:
                  platformAmount: -1
                  subOrders:
                    - {mid: "123", totalAmount: 0}
                    - {mid: "898201612345002", merOrderId: SUB, totalAmount: 300, share: 1}
          - name: sum
            match: {merOrderIdPrefix: SUM}
            respond:
              order: {totalAmount: 999, split: {platformAmount: 100, subOrders: [{mid: "898201612345002", totalAmount: 300}]}}
          - name: nothing
            match: {merOrderIdPrefix: NONE}
            respond: {order: {secure: "true"}}
        """)
    assert errors == [
        "s.yaml:9: scenarios[0].respond.order.split.platformAmount: must be between 0 and 100000000 fen, got -1",
        "s.yaml:11: scenarios[0].respond.order.split.subOrders[0].mid: must be 8 to 15 characters, got 3 ('123')",
        "s.yaml:11: scenarios[0].respond.order.split.subOrders[0].totalAmount: must be between 1 and 100000000 fen, "
        "got 0",
        "s.yaml:12: scenarios[0].respond.order.split.subOrders[1]: unknown key 'share'; allowed keys: mid, merOrderId, "
        "totalAmount",
        "s.yaml:12: scenarios[0].respond.order.split.subOrders[1].merOrderId: must be 6 to 32 characters, got 3 ('SUB')",
        "s.yaml:16: scenarios[1].respond.order.totalAmount: 999 is not Σ subOrders.totalAmount + platformAmount = 400 "
        "(rule: totalAmount = Σ subOrders.totalAmount + platformAmount; leave totalAmount out to take the sum)",
        "s.yaml:19: scenarios[2].respond.order.secure: expected true or false, got the string 'true'",
    ]


def test_a_guarantee_cannot_be_split() -> None:
    _, errors = load("""\
        scenarios:
          - name: both
            match: {merOrderIdPrefix: BOTH}
            respond:
              order:
                secure: true
                split: {platformAmount: 0, subOrders: [{mid: "898201612345002", totalAmount: 300}]}
        """)
    assert errors == ["s.yaml:7: scenarios[0].respond.order.split: not allowed with secure: true (rule: an order is a "
                      "guarantee (secure) or split, not both, as secureTransaction excludes a split)"]
