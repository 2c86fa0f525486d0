"""The cashier page over HTTP: each handler parses, makes one call to the core facade, and renders the
view it gets with the templates shipped in `cashier_page/` (no CDN, works offline).

The page is public, like the platform's: it is served wherever the API is reachable, outside the guarded
control API, and it acts only on the order or code its link names.
"""

from __future__ import annotations

import codecs
import re
from functools import cache
from html import escape
from importlib import resources
from string import Template
from urllib.parse import parse_qsl

from aiohttp import web

from mockums.core.sandbox import CashierRedirect, CashierView
from mockums.errors import ControlError, Invalid, StoreUnavailable
from mockums.server.connections import BodyTooLarge, ClientGone, gone, read_body, too_large
from mockums.server.control.problems import STORE_UNAVAILABLE
from mockums.server.control.routes import SANDBOX
from mockums.server.dashboard import asset
from mockums.server.shield import guarded

CSS_PATH = "/netpay-portal/cashier.css"
SHARED_CSS_PATH = "/netpay-portal/mockums.css"  # the dashboard's stylesheet: the cashier shares its look
_PART = re.compile(r"<!-- part:([a-z-]+) -->\n(.*?)(?=<!-- part:|\Z)", re.S)
# The page loads its two stylesheets and nothing else, posts its form to itself (whose answer may send the
# browser on to the merchant's http(s) returnUrl), and may not be framed: no page can overlay it to trick a click.
POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; "
          "base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": POLICY, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
FORM_TYPE = "application/x-www-form-urlencoded"
# The charsets a cashier form is read in: UTF-8 (what the page declares) and what Chinese pages send.
CHARSETS = frozenset({"utf-8", "gbk", "gb18030", "gb2312", "ascii", "iso8859-1"})
MAX_FIELDS = 50  # the page's form has three


class TooLargeForm(ControlError):
    """A form body over `max_body_bytes`; the connection closes after the answer (the rest is not read)."""

    status = 413


class UnsupportedForm(ControlError):
    """A body that is not a form (multipart, JSON…): the page posts application/x-www-form-urlencoded."""

    status = 415


# Every label in Chinese and in English: a machine without a CJK font shows the Chinese as boxes.
_OUTCOMES = {"paid": ("支付成功 Paid", "The payment is done; the merchant is being notified."),
             "cancelled": ("支付已取消 Cancelled", "Nothing was paid."),
             "left": ("订单未支付 Not paid", "You left without paying.")}


def _read(name: str) -> str:
    return (resources.files("mockums.server") / "cashier_page" / name).read_text(encoding="utf-8")


@cache
def _templates() -> tuple[Template, dict[str, Template]]:
    parts = {name: Template(text.strip()) for name, text in _PART.findall(_read("parts.html"))}
    return Template(_read("page.html")), parts


def _part(name: str, **values: str) -> str:
    """A named fragment of parts.html with `values` filled in (callers escape text; parts nest as they are)."""
    return _templates()[1][name].substitute(values)


def _page(title: str, merchant: str, body: str) -> str:
    return _templates()[0].substitute(title=escape(title), merchant=escape(merchant), shared_css=SHARED_CSS_PATH,
                                      css=CSS_PATH, body=body)


def render(view: CashierView, action: str) -> str:
    """The HTML of one cashier view; `action` is the URL the form posts back to (the page's own)."""
    title = view.title
    if view.outcome:
        headline, text = _OUTCOMES[view.outcome]
        return _page(title, view.merchant, _part("outcome", outcome=view.outcome, headline=escape(headline),
                                                   text=escape(view.notice or text)))
    facts = ""
    if view.wallet:
        facts += _part("fact", label="支付方式 Wallet", value=escape(view.wallet))
    description = ""
    if view.description:
        description = _part("fact", label="描述 Description", value=escape(view.description))
    choices = ""
    if view.amount is None:
        choices += _part("amount-input")
    if view.wallet_choices:
        options = "".join(_part("option", value=escape(value), label=escape(label))
                          for value, label in view.wallet_choices)
        choices += _part("wallets", options=options)
    form = _part("form", action=escape(action), choices=choices, pay_disabled="" if view.can_pay else " disabled")
    body = _part("order", amount=escape(view.amount or "—"), order_id=escape(view.order_id), wallet_fact=facts,
                 status=escape(view.status), status_class=view.tone,
                 description_fact=description, expires=escape(view.expires),
                 notice=_part("notice", text=escape(view.notice)) if view.notice else "", form=form)
    return _page(title, view.merchant, body)


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/html", headers=HEADERS)


def _problem(error: ControlError) -> web.StreamResponse:
    said = f"{STORE_UNAVAILABLE}: {error.message}" if isinstance(error, StoreUnavailable) else error.message
    body = _part("problem", headline="无法支付 (cannot pay)", text=escape(said))
    response = _html(_page("收银台 Cashier", "", body), error.status)
    return too_large(response) if isinstance(error, TooLargeForm) else response


def read_form(raw: bytes, content_type: str | None, charset: str | None) -> dict[str, str]:
    """The buyer's form from a body: urlencoded, in `charset` (UTF-8 when not said); the first of a repeated
    name wins. Invalid, UnsupportedForm: what is wrong, worded for the page."""
    if not raw.strip():
        return {}
    if content_type != FORM_TYPE:
        raise UnsupportedForm(f"the form must be sent as {FORM_TYPE}, not {str(content_type)[:60]!r}")
    try:
        encoding = codecs.lookup(charset or "utf-8").name
    except LookupError:
        encoding = ""
    if encoding not in CHARSETS:
        raise Invalid(f"the form's charset {str(charset)[:40]!r} is not one the cashier reads; send UTF-8")
    try:
        pairs = parse_qsl(raw.decode(encoding), keep_blank_values=True, encoding=encoding, errors="strict",
                          max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError as error:
        raise Invalid(f"the form is not {encoding} text ({error.reason} at byte {error.start})") from None
    except ValueError:
        raise Invalid(f"the form has more than {MAX_FIELDS} fields") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


def _own_url(request: web.Request) -> str:
    raw = request.rel_url.raw_query_string
    return request.path + (f"?{raw}" if raw else "")


async def page(request: web.Request) -> web.StreamResponse:
    """GET: the page a cashier link opens."""
    try:
        view = request.app[SANDBOX].cashier_page(request.path, request.rel_url.raw_query_string)
    except ControlError as error:
        return _problem(error)
    return _html(render(view, _own_url(request)))


async def act(request: web.Request) -> web.StreamResponse:
    """POST: the buyer pressed Pay, Cancel or Leave unpaid. The body is read as the API's are: within
    `idle_timeout` and `max_body_bytes`."""
    sandbox = request.app[SANDBOX]
    try:
        try:
            raw = await read_body(request, sandbox.settings.max_body_bytes, sandbox.settings.idle_timeout)
        except BodyTooLarge as error:
            raise TooLargeForm(str(error)) from None
        form = read_form(raw, request.content_type if request.headers.get("Content-Type") else None,
                         request.charset)
        outcome = sandbox.cashier_act(request.path, request.rel_url.raw_query_string, form)
    except ClientGone as error:
        return gone(request, error)
    except ControlError as error:
        return _problem(error)
    if isinstance(outcome, CashierRedirect):
        return web.Response(status=303, headers={**HEADERS, "Location": outcome.url})
    return _html(render(outcome, _own_url(request)))


async def stylesheet(_: web.Request) -> web.StreamResponse:
    """The page's own rules (on top of the shared look)."""
    return web.Response(text=_read("cashier.css"), content_type="text/css", headers={"Cache-Control": "max-age=300"})


async def shared_stylesheet(_: web.Request) -> web.StreamResponse:
    """The dashboard's stylesheet, served where the public cashier page can reach it (its colours and fonts)."""
    return web.Response(body=asset("mockums.css"), content_type="text/css", headers={"Cache-Control": "max-age=300"})


def add_routes(app: web.Application, paths: tuple[str, ...]) -> None:
    """The cashier page at each of `paths` (GET shows it, POST acts), and its stylesheet."""
    app.router.add_get(CSS_PATH, guarded(stylesheet))
    app.router.add_get(SHARED_CSS_PATH, guarded(shared_stylesheet))
    for path in paths:
        app.router.add_get(path, guarded(page))
        app.router.add_post(path, guarded(act))
