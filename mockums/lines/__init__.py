"""Product lines as packages: each declares its endpoints, vocabulary, answers, rules, notifications,
cashier pages and bundled scenarios (`line.ProductLine`); a `Registry` says which lines a sandbox serves.

- `netpay`: the WeChat/Alipay mini-program and APP orders, and the shared query, close and refund calls.
- `h5`: H5 orders created by a browser GET and paid at the cashier page.
- `bills`: QR-code bills (C扫B) and the page a scanned code opens.
- `poslink`: POS link (B扫C), the cashier scanning the customer's payment code, on v2, v4 and v6.
"""

from __future__ import annotations

from mockums.lines.bills import BILLS
from mockums.lines.h5 import H5
from mockums.lines.line import Book, CashierRedirect, CashierView, Page, Paid, ProductLine, Services
from mockums.lines.netpay import NETPAY
from mockums.lines.poslink import POSLINK
from mockums.lines.registry import Registry

DEFAULT_LINES: tuple[ProductLine, ...] = (NETPAY, H5, BILLS, POSLINK)
DEFAULT_REGISTRY = Registry(DEFAULT_LINES)
"""The lines mockums serves unless told otherwise."""

__all__ = ["BILLS", "DEFAULT_LINES", "DEFAULT_REGISTRY", "H5", "NETPAY", "POSLINK", "Book", "CashierRedirect",
           "CashierView", "Page", "Paid", "ProductLine", "Registry", "Services"]
