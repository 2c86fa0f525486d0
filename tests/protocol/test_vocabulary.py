"""A situation's message, filled in: placeholders and escaped braces as `str.format` reads them."""

from __future__ import annotations

import pytest

from mockums.protocol.vocabulary import Situation


def test_a_message_is_filled_in_and_its_escaped_braces_read_as_format_reads_them() -> None:
    assert Situation("X", "refund {refund_order_id} is {amount} fen", "when").text(
        refund_order_id="R1", amount=5) == "refund R1 is 5 fen"
    assert Situation("X", "no placeholders", "when").text() == "no placeholders"
    assert Situation("X", "a {{literal}} }} brace", "when").text() == "a {literal} } brace"
    with pytest.raises(ValueError, match=r"Single .\}. encountered"):  # a lone closing brace, with values or without
        Situation("X", "a lone } brace", "when").text()
