"""One notification POST: the form to a merchant's notifyUrl, and the platform's rule for what counts as
accepted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aiohttp
from yarl import URL

from mockums.hosts import host_matches, host_name
from mockums.protocol.clipping import clip

# What an accepting receiver's answer contains (the documented acknowledgement).
ACCEPTANCE_MARK = "SUCCESS"
EXCERPT_CHARS = 200  # of an answer, kept with its attempt
# Read at most this much of an answer: enough to see SUCCESS/FAILED or an error page's opening,
# without letting a receiver that streams megabytes fill our memory.
READ_LIMIT = 4096


def is_accepted(status: int, body: str) -> bool:
    """The platform's rule: a 2xx whose body contains `SUCCESS` (case-sensitive).

    The bills document says a missing `SUCCESS` substring causes the retries, so `SUCCESS`,
    `{"code":"SUCCESS"}` or `<xml>SUCCESS</xml>` are accepted; `success`, `OK`, `FAILED` and any non-2xx
    answer count as failures and trigger a retry, as they do for real.
    """
    return 200 <= status < 300 and ACCEPTANCE_MARK in body


def url_problem(url: str, hosts: Sequence[str] = ()) -> str | None:
    """Why `url` cannot be delivered to, or None. Only absolute http(s) URLs are attempted, and only to one of
    `hosts` when there are any (`notify_hosts`)."""
    shown = repr(clip(url))
    try:
        parsed = URL(url)
    except (ValueError, TypeError) as exc:
        return f"invalid notify URL {shown}: {clip(str(exc))}"
    if parsed.scheme not in ("http", "https"):
        return f"unsupported notify URL {shown}: only http:// and https:// URLs are delivered"
    if not parsed.host:
        return f"notify URL {shown} has no host"
    if hosts and not any(host_matches(host_name(parsed.host), allowed) for allowed in hosts):
        return (f"notify URL {shown}: host {clip(parsed.host, 100)!r} is not one notifications may be sent to "
                f"(notify_hosts: {', '.join(hosts)[:200]})")
    return None


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    data = bytearray()
    while len(data) < READ_LIMIT:  # bounded: each pass adds at least one byte or stops
        chunk = await response.content.read(READ_LIMIT - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


async def post_form(session: aiohttp.ClientSession, url: str, params: Mapping[str, str]) -> tuple[int, str]:
    """POST `params` as a UTF-8 form (in their order) to `url`, following no redirect: the status and the
    answer's opening."""
    # No redirects: following one would send the notification somewhere else than notifyUrl.
    async with session.post(url, data=list(params.items()), allow_redirects=False) as response:
        raw = await _read_capped(response)
        return response.status, raw.decode("utf-8", errors="replace")
