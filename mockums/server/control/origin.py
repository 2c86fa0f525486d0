"""Who may drive the control API from a browser: nobody but its own pages.

Three checks, each answered as a problem with the status it carries:

- **Host** (DNS rebinding): a page on `evil.example` whose name is made to resolve to 127.0.0.1 talks to
  mockums as a same-origin page, but its requests carry `Host: evil.example`. Every request under the
  prefix must name a loopback host (`localhost`, `*.localhost`, a loopback address), the host mockums
  listens on, the public URL's host, a `--tls-name`, or a host the configuration allows (`allowed_hosts`);
  with `--control-remote` any IP address too (a rebinding attack needs a name). Anything else: 403.
- **Origin** (cross-site requests): a call that changes state and carries `Origin` or `Sec-Fetch-Site`
  must come from this server's own origin (or the public URL's); anything else: 403.
- **Content type**: a body a cross-site form can send without asking first (`text/plain`, form-urlencoded,
  multipart, or none at all) is refused with 415, naming the type to send.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from mockums.config import Settings
from mockums.hosts import host_matches, host_name, ip_address, is_loopback_name

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What an HTML form (or a no-cors fetch) sends without a CORS preflight.
FORM_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
SAME_ORIGIN_FETCH = frozenset({"same-origin", "none"})  # `none`: the person typed the address
WILDCARDS = ("", "0.0.0.0", "::")  # listening addresses that are not names a client connects to
DEFAULT_PORTS = {"http": 80, "https": 443}


def known_hosts(settings: Settings) -> tuple[str, ...]:
    """The names the configuration says mockums is reached by: its listening host (unless a wildcard), the
    public URL's host, the TLS names, and `allowed_hosts`."""
    names = [*([] if settings.host in WILDCARDS else [settings.host]), *settings.tls_names, *settings.allowed_hosts]
    if settings.public_url:
        names.append(urlsplit(settings.public_url).hostname or "")
    return tuple(names)


def host_allowed(header: str | None, settings: Settings) -> bool:
    """Whether a request's `Host` names this server (no header, as HTTP/1.0 allows, is this server too)."""
    if header is None:
        return True
    name = host_name(header)
    if is_loopback_name(name) or (settings.control_remote and ip_address(name) is not None):
        return True
    return any(host_matches(name, allowed) for allowed in known_hosts(settings))


def foreign_host_problem(header: str) -> str:
    """Why a request naming `header` as its host is refused, and how to allow that name."""
    shown = header[:100]
    return (f"Host {shown!r} is not a name this mockums answers control calls for (a page whose name was made to "
            "point at this machine, DNS rebinding, looks like this); if you reach mockums by that name, allow "
            f"it: --allowed-host {host_name(shown) or 'NAME'} (MOCKUMS_ALLOWED_HOST, allowed_hosts in the config "
            "file), or set --public-url")


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin or URL, the port made explicit; None when it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.rstrip("."), port or DEFAULT_PORTS[parts.scheme]


def same_origin(origin: str, host: str | None, public_urls: Iterable[str]) -> bool:
    """Whether `origin` (an Origin header) is this server as the request reached it (its `Host`) or as a
    public URL names it. The scheme is not compared with the request's own: behind a proxy that ends TLS, a
    page on https reaches mockums over http."""
    given = _origin(origin)
    if given is None:
        return False
    if host is not None:
        own = _origin(f"{given[0]}://{host}")  # the origin's scheme: a Host without a port means its default
        if own is not None and own[1:] == given[1:]:
            return True
    return any(_origin(url) == given for url in public_urls)


def cross_site_problem(method: str, origin: str | None, fetch_site: str | None, host: str | None,
                       settings: Settings) -> str | None:
    """Why a state-changing call is refused as cross-site, or None (a safe method, or this server's own page)."""
    if method in SAFE_METHODS:
        return None
    if fetch_site is not None and fetch_site.strip().lower() not in SAME_ORIGIN_FETCH:
        return (f"cross-site control calls are refused (Sec-Fetch-Site: {fetch_site[:40]!r}); only the dashboard's "
                "own page, or a client that is not a browser, may change the sandbox")
    public = (settings.public_url,) if settings.public_url else ()
    if origin is not None and not same_origin(origin, host, public):
        return (f"cross-site control calls are refused (Origin {origin[:100]!r} is not this server); only the "
                "dashboard's own page, or a client that is not a browser, may change the sandbox")
    return None


def content_type_problem(method: str, content_type: str | None, has_body: bool, path: str) -> str | None:
    """Why a body's content type is refused (one a cross-site form can send), naming the type to use; or None."""
    if method in SAFE_METHODS or not has_body:
        return None
    given = (content_type or "").partition(";")[0].strip().lower()
    if given and given not in FORM_TYPES:
        return None
    takes_yaml = "/scenarios" in path and not path.endswith("/reload")
    wanted = ("Content-Type: application/json, or application/yaml for YAML" if takes_yaml
              else "Content-Type: application/json")
    shown = f"Content-Type {given!r}" if given else "no Content-Type"
    return (f"a control call's body must be sent with {wanted}, not {shown} (a type any web page's form can send "
            "is refused, so no page can drive the sandbox)")
