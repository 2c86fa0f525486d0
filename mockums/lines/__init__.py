"""Product lines as packages: each declares its endpoints, vocabulary, answers, rules, notifications,
cashier pages and bundled scenarios (`line.ProductLine`); a `Registry` says which lines a sandbox serves.

- `netpay`: the WeChat/Alipay mini-program and APP orders, and the shared query, close and refund calls.
- `h5`: H5 orders created by a browser GET and paid at the cashier page.
- `bills`: QR-code bills (C扫B) and the page a scanned code opens.
"""

from __future__ import annotations

from mockums.lines.bills import BILLS
from mockums.lines.h5 import H5
from mockums.lines.line import Book, CashierRedirect, CashierView, Page, Paid, ProductLine, Services
from mockums.lines.netpay import NETPAY
from mockums.lines.registry import Registry

DEFAULT_LINES: tuple[ProductLine, ...] = (NETPAY, H5, BILLS)
DEFAULT_REGISTRY = Registry(DEFAULT_LINES)
"""The lines mockums serves unless told otherwise."""

__all__ = ["BILLS", "DEFAULT_LINES", "DEFAULT_REGISTRY", "H5", "NETPAY", "Book", "CashierRedirect", "CashierView",
           "Page", "Paid", "ProductLine", "Registry", "Services"]
