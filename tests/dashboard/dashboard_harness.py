"""Driving the dashboard in a real headless Chromium (Debian's `chromium` and `chromium-driver`, through
Selenium), against a real mockums in a background thread, with requests signed and sent from outside.

The browser tests skip, saying why, only where no Chromium is installed; under CI (`CI` set) a missing
browser fails them instead, since `.ci/run` installs it.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NoReturn
from urllib.parse import parse_qsl

import chinaums_client
import pytest

from mockums.config import DEMO_APP, Settings

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)
CHROMEDRIVER = shutil.which("chromedriver")
WIDTH, HEIGHT = 1280, 800
MID = "898201612345678"
CLOSE, ORDER = "/v1/netpay/wx/app-pre-close", "/v1/netpay/wx/app-pre-order"
WAIT = 6.0  # seconds any one thing may take to show (the list polls every second)
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SETTINGS = Settings(seed=7, notify_schedule=(0, 0.05, 0.05, 0.05), tick_interval=0.05, watch=False)
_LOADS = itertools.count()  # each `Page.open` a URL of its own, so that it is a new document, never a fragment move


def missing(what: str) -> NoReturn:
    """Skip (no browser on this machine), or fail under CI, which installs one."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}: CI must run the browser tests (.ci/run installs Chromium)")
    pytest.skip(f"{what}: the browser tests need Debian's chromium and chromium-driver "
                "(apt-get install chromium chromium-driver)")


def start_browser() -> Any:
    """A headless Chromium at 1280×800, driven by the system chromedriver (never a downloaded one)."""
    if not (CHROMIUM and CHROMEDRIVER):
        missing(f"no Chromium installed ({'chromedriver' if CHROMIUM else 'chromium'} not found on PATH)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("selenium is not installed (pip install -e '.[test]')")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # One renderer process for every page, rather than a new one for each site a test navigates to (about:blank,
    # the dashboard, a data: URL): the pages are the same, and the browser tests took 7 to 14 % less CPU time
    # (the machine's, Chromium's processes included; three back-to-back pairs) and 1 to 2 s less.
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-extensions", "--no-proxy-server", "--lang=en-US",
                     f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars",
                     "--disable-site-isolation-trials", "--renderer-process-limit=1"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    resize(driver, WIDTH, HEIGHT)
    return driver


def resize(driver: Any, width: int, height: int) -> None:
    """The page's viewport, exactly (a phone's when narrow)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def http(url: str, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with NO_PROXY.open(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode()


@dataclass
class Sandbox:
    """The server under test, seen from outside: signed API calls and control calls over HTTP."""

    url: str

    def control(self, method: str, path: str, body: object = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        status, answer = http(self.url + "/__mockums" + path, method, data, {"Content-Type": "application/json"})
        assert status < 300, (status, answer)
        return answer

    def signed(self, path: str, mer_order_id: str, key: str = DEMO_APP.app_key, timestamp: str | None = None,
               nonce: str | None = None, **fields: object) -> tuple[bytes, str, dict[str, Any]]:
        """A request signed the way the SDK samples sign (with `key`), sent to the API: body, header, answer."""
        body = chinaums_client.go_json(chinaums_client.close_request(mer_order_id, **fields))  # type: ignore[arg-type]
        header = chinaums_client.open_body_sig(DEMO_APP.app_id, key, body, timestamp=timestamp, nonce=nonce)
        status, answer = http(self.url + path, "POST", body,
                              {"Authorization": header, "Content-Type": "application/json"})
        assert status in (200, 401), (status, answer)
        return body, header, answer


    def pos(self, path: str, body: dict[str, object]) -> dict[str, Any]:
        """A POS-link request (its own fields, no merOrderId or mid), signed the way the SDK samples sign."""
        raw = json.dumps(body, ensure_ascii=False).encode()
        header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, raw)
        status, answer = http(self.url + path, "POST", raw, {"Authorization": header, "Content-Type": "application/json"})
        assert status == 200, (status, answer)
        assert isinstance(answer, dict)
        return answer


@dataclass
class Receiver:
    """A merchant's notifyUrl on 127.0.0.1 answering SUCCESS; keeps each form it receives."""

    forms: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    @contextmanager
    def running(self) -> Iterator[Receiver]:
        forms = self.forms

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                forms.append(dict(parse_qsl(self.rfile.read(length).decode())))
                self.send_response(200)
                self.send_header("Content-Length", "7")
                self.end_headers()
                self.wfile.write(b"SUCCESS")

            def log_message(self, *_: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}/notify"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()


class Page:
    """The dashboard in the browser: open a view, wait for what it shows, act on it."""

    def __init__(self, driver: Any, url: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver, self.url, self.by = driver, url, By
        # A wait mostly lasts until the page's next poll (every second): each check is a round trip through
        # chromedriver into the page, and checking every 0.2 s instead of every 0.05 s took 0.7-0.8 s less CPU over
        # the browser tests (chromedriver's and Chromium's included; two back-to-back pairs), their time the same.
        self._wait = WebDriverWait(driver, WAIT, poll_frequency=0.2)

    def open(self, fragment: str = "#/requests") -> None:
        """Load the page afresh (not just a new fragment) at a view: a query of its own, which the dashboard does not
        read, makes the address one the browser has not shown, so it loads a new document. The way through
        about:blank that this replaced, two navigations for each, took about a fifth more of the browser's CPU
        (fifteen loads: 4.7 s against 3.75 s, three pairs)."""
        self.driver.get(f"{self.url}/__mockums/?load={next(_LOADS)}{fragment}")
        self.until(lambda: self.js("return document.querySelector('#version').textContent !== ''"),
                   "the dashboard to start")

    def go(self, fragment: str) -> None:
        """Move to another view as a click on a link would (same page)."""
        self.js("location.hash = arguments[0]", fragment)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def until(self, condition: Callable[[], Any], what: str) -> Any:
        from selenium.common.exceptions import StaleElementReferenceException, TimeoutException

        def check(_: Any) -> Any:
            try:
                return condition()
            except StaleElementReferenceException:
                return False

        try:
            return self._wait.until(check)
        except TimeoutException:
            raise AssertionError(f"the dashboard did not show {what} within {WAIT} s;\n{self.text('main')}") from None

    def find(self, css: str) -> Any:
        return self.driver.find_element(self.by.CSS_SELECTOR, css)

    def all(self, css: str) -> list[Any]:
        return list(self.driver.find_elements(self.by.CSS_SELECTOR, css))

    def text(self, css: str) -> str:
        found = self.all(css)
        return str(found[0].text) if found else ""

    def shows(self, css: str, text: str) -> Any:
        """Wait until the element `css` contains `text`; the element."""
        return self.until(lambda: next((e for e in self.all(css) if text in e.text), None),
                          f"{text!r} in {css}")

    def click(self, css: str, text: str | None = None) -> None:
        element = self.shows(css, text) if text is not None else self.until(lambda: self.find(css), css)
        self.until(element.is_enabled, f"{css} enabled")
        element.click()

    def rows(self) -> list[str]:
        return [str(row.text) for row in self.all("#journal-list .mk-row")]

    def fact(self, term: str, within: str = "main") -> str:
        """The value next to a term in a definition list."""
        return str(self.js("""
            const term = [...document.querySelectorAll(arguments[1] + ' dt')].find(dt => dt.textContent === arguments[0]);
            return term ? term.nextElementSibling.textContent : null;""", term, within))


SCREENSHOT_SCRIPT = """
const [source, width, height, done] = arguments;
const image = new Image();
image.onload = () => {
  const canvas = document.createElement('canvas');
  canvas.width = width; canvas.height = height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0, width, height);
  const pixels = context.getImageData(0, 0, width, height).data;
  const grey = [];
  for (let i = 0; i < pixels.length; i += 4) grey.push(Math.round((pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3));
  done([image.naturalWidth, image.naturalHeight, grey]);
};
image.onerror = () => done(null);
image.src = source;
"""


def thumbnail(driver: Any, png: bytes, width: int = 64, height: int = 40) -> tuple[int, int, list[int]]:
    """A PNG's size and a small greyscale copy of it, drawn by the browser (no imaging library needed)."""
    import base64

    driver.get("about:blank")
    driver.set_script_timeout(10)
    found = driver.execute_async_script(SCREENSHOT_SCRIPT, "data:image/png;base64," + base64.b64encode(png).decode(),
                                        width, height)
    assert found is not None, "the browser could not decode the PNG"
    return int(found[0]), int(found[1]), [int(v) for v in found[2]]
