"""Host names as mockums compares them: the name in a `Host` header or a URL, whether it stays on this machine,
and whether it matches a configured pattern (`allowed_hosts`, `notify_hosts`). Standard library only."""

from __future__ import annotations

import ipaddress


def host_name(host: str) -> str:
    """The name or address in a `Host` header or URL netloc, without its port, brackets or final dot,
    in lower case (`[::1]:8000` → `::1`, `LocalHost.:80` → `localhost`)."""
    host = host.strip().lower()
    if host.startswith("["):  # an IPv6 address: `[::1]` or `[::1]:8000`, nothing else after the bracket
        address, bracket, port = host[1:].partition("]")
        return address if bracket and (not port or (_port(port[1:]) and port[0] == ":")) else host
    if host.count(":") == 1:
        name, _, port = host.partition(":")
        host = name if _port(port) else host
    return host.rstrip(".")


def _port(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 5


def ip_address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `name` is, or None when it is a name."""
    try:
        return ipaddress.ip_address(name.split("%", maxsplit=1)[0])
    except ValueError:
        return None


def is_loopback_name(name: str) -> bool:
    """`localhost`, a name under `.localhost` (RFC 6761 keeps them on this machine), or a loopback address."""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = ip_address(name)
    mapped = getattr(address, "ipv4_mapped", None)
    return address is not None and (address.is_loopback or (mapped is not None and mapped.is_loopback))


def host_matches(name: str, pattern: str) -> bool:
    """Whether host `name` (as `host_name` gives it) matches `pattern`: a name or address, `*` (any host), or
    `*.example.com` / `.example.com` (that name and any below it)."""
    if pattern == "*":
        return True
    pattern = host_name(pattern)
    if pattern.startswith(("*.", ".")):
        suffix = pattern.lstrip("*")
        return name == suffix[1:] or name.endswith(suffix)
    return name == pattern


def without_secrets(url: str) -> str:
    """A URL as messages, logs and health show it: no user or password (`redis://…@host:6379/0`; a password may
    itself hold an `@`) and no query (which may carry `password=`)."""
    scheme, sep, rest = url.partition("://")
    rest, query, _ = rest.partition("?")
    place, slash, path = rest.partition("/")
    if "@" in place:
        place = "…@" + place.rpartition("@")[2]
    return scheme + sep + place + slash + path + ("?…" if query else "")
