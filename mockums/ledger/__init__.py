"""The order ledger of the netpay family: orders and refunds as values (`model`), the moves of their lifecycle
as pure functions (`moves`), the repository that keeps them (`orders`), and the `Ledger` that applies a
product line's rule to the order a request names, caught up with time. Also the plans scenarios give orders,
and the values generated under a seed. Pure: no HTTP, time given in."""
