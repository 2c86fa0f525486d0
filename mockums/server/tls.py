"""HTTPS for clients that will not speak plain HTTP: a certificate of the user's own, or one mockums makes
for itself at start (with trustme, the `mockums[tls]` extra) from a throwaway certificate authority whose
certificate it writes to a file for clients to trust."""

from __future__ import annotations

import ipaddress
import os
import re
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mockums.config import ConfigError, Settings

LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")  # what a certificate made by mockums is always valid for
WILDCARDS = ("", "0.0.0.0", "::")  # listening addresses that are not names a client connects to


@dataclass(frozen=True)
class Tls:
    """A server-side TLS context, and where the CA certificate to trust is (None for the user's own cert)."""

    context: ssl.SSLContext
    ca_file: Path | None
    names: tuple[str, ...]  # the names the made certificate is valid for (empty for the user's own)
    certificate: Path | None  # the user's certificate file (None when mockums made one)


def names_for(settings: Settings) -> tuple[str, ...]:
    """Loopback names, the listening host when it is one a client can use, and the names asked for."""
    wanted = [*LOCAL_NAMES, *([] if settings.host in WILDCARDS else [settings.host]), *settings.tls_names]
    return tuple(dict.fromkeys(name.strip("[]") for name in wanted))


_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _valid_name(name: str) -> bool:
    """An IP address, or a DNS name of letters, digits and hyphens (a leading `*.` allowed)."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        labels = name.removeprefix("*.").rstrip(".").split(".")
        return len(name) <= 253 and all(_LABEL.fullmatch(label) for label in labels)
    return True


def own_certificate(cert: Path, key: Path | None) -> Tls:
    """A context serving the user's certificate (and key; None when the key is in the same PEM file)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(f"--tls-cert {cert}{f' --tls-key {key}' if key else ''}: cannot load: {reason}") from None
    return Tls(context, None, (), cert)


def made_certificate(names: tuple[str, ...], ca_file: Path | None) -> Tls:
    """A context serving a certificate for `names`, issued by a CA made now; its certificate is written to
    `ca_file` (a new temporary folder's ca.pem when None)."""
    try:
        import trustme  # noqa: PLC0415 - an optional extra, needed only for --tls without a certificate
    except ImportError:
        raise ConfigError("--tls makes its certificate with trustme: pip install 'mockums[tls]' "
                          "(or give your own with --tls-cert and --tls-key)") from None
    bad = [name for name in names if not _valid_name(name)]
    if bad:
        raise ConfigError(f"--tls-name: {bad[0]!r} is not a host name or IP address")
    authority = trustme.CA(organization_name="mockums sandbox (not a real CA)")
    issued = authority.issue_cert(*names)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    issued.configure_cert(context)
    target = ca_file or Path(tempfile.mkdtemp(prefix="mockums-tls-")) / "ca.pem"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed into place: whoever waits for the file (a CI script, a client) never
        # reads it half written.
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        partial.write_bytes(authority.cert_pem.bytes())
        os.replace(partial, target)
    except OSError as error:
        raise ConfigError(f"--tls-ca-file {target}: cannot write the CA certificate: {error.strerror}") from None
    return Tls(context, target, names, None)


def server_tls(settings: Settings) -> Tls | None:
    """What `mockums serve` serves HTTPS with, or None for plain HTTP. ConfigError names what is wrong."""
    if settings.tls_cert is not None:
        return own_certificate(settings.tls_cert, settings.tls_key)
    if settings.tls_key is not None:
        raise ConfigError("--tls-key needs --tls-cert (the certificate that goes with the key)")
    if not settings.tls:
        return None
    return made_certificate(names_for(settings), settings.tls_ca_file)
