"""The order ledger: orders and refunds, QR codes and the bills they collect, the store, the rules that
move them, the plans they obey (payment, refunds, notifications) and the answers that show them. Pure: no
HTTP, time given in."""
