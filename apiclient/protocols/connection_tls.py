"""The SSL contexts of HTTP clients: what they trust (the defaults, or a CA file), which
client certificate they present, and which protocols they offer by ALPN.

A context is described by a :class:`TlsKey` (hashable, cheap to make on every send) and
built once per key (:func:`ssl_context`): building one that verifies costs ~30 ms of
CPU. Files are part of the key with their size and modification time, so an edited CA
file or certificate is read again.
"""

from __future__ import annotations

import functools
import os
import secrets
import ssl
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import certifi

from apiclient.core.models import ClientCertificate
from apiclient.protocols.errors import ClientCertificateError, RequestBuildError

# What httpcore offers by ALPN on a TLS connection, by whether HTTP/2 is on.
ALPN_HTTP1 = ("http/1.1",)
ALPN_HTTP2 = ("http/1.1", "h2")


@dataclass(frozen=True)
class FileStamp:
    """A file as it is now: an edit changes the stamp, so what was read from it is stale."""

    path: str
    mtime_ns: int
    size: int


def stamp(path_text: str, what: str, host: str | None = None) -> FileStamp:
    """The stamp of the file a person named; ``what`` names it in the error ("CA file"),
    ``host`` the host of the client certificate it belongs to, if it does."""
    path = str(Path(path_text.strip()).expanduser())
    try:
        status = os.stat(path)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        if host is None:
            raise RequestBuildError(
                f"The {what} {path} cannot be read: {reason}. Check the path in the request"
                " settings."
            ) from None
        raise ClientCertificateError(
            f"The {what} {path} cannot be read: {reason}. Check the client certificate for"
            f" {host} in the collection's certificates.",
            host=host,
        ) from None
    return FileStamp(path, status.st_mtime_ns, status.st_size)


@dataclass(frozen=True)
class CertificateKey:
    """A client certificate as files (PEM pair or PKCS#12) and the passphrase."""

    host: str
    cert: FileStamp | None = None
    key: FileStamp | None = None
    pfx: FileStamp | None = None
    passphrase: str = field(default="", repr=False)


def certificate_key(certificate: ClientCertificate) -> CertificateKey:
    """Check that ``certificate`` names its files and stamp them; raises
    :class:`ClientCertificateError` naming the host when it does not."""
    host = certificate.host.strip()
    pfx, cert, key = (
        certificate.pfx_file.strip(),
        certificate.cert_file.strip(),
        certificate.key_file.strip(),
    )
    if pfx:
        return CertificateKey(
            host, pfx=stamp(pfx, "PKCS#12 file", host), passphrase=certificate.passphrase
        )
    if not cert or not key:
        raise ClientCertificateError(
            f"The client certificate for {host} needs a certificate file and its key file"
            " (PEM), or a PKCS#12 file: set them in the collection's certificates.",
            host=host,
        )
    return CertificateKey(
        host,
        cert=stamp(cert, "client certificate", host),
        key=stamp(key, "client key", host),
        passphrase=certificate.passphrase,
    )


@dataclass(frozen=True)
class TlsKey:
    """Everything that shapes a client's SSL context."""

    verify: bool = True
    ca_file: FileStamp | None = None
    certificate: CertificateKey | None = None
    http2: bool = False


class SharedSslContext(ssl.SSLContext):
    """An SSL context whose ALPN list is set once, when it is built, so that many
    clients on many threads can share it.

    httpcore calls ``set_alpn_protocols`` before every TLS connection. Done for real,
    that rewrites the context while other threads (the runner's send workers) create
    connections from it with the GIL released: a data race inside OpenSSL. Here it only
    checks that the list is the one already set; creating connections reads the context
    and nothing else writes it, which OpenSSL allows from any number of threads. A
    context for HTTP/2 offers ``h2`` too, so it is never shared with HTTP/1.1 clients.
    """

    alpn: tuple[str, ...] = ALPN_HTTP1

    def set_alpn_protocols(self, alpn_protocols: Iterable[str]) -> None:
        if tuple(alpn_protocols) != self.alpn:
            raise ValueError(f"This shared SSL context offers only {list(self.alpn)} by ALPN.")


SSL_CONTEXTS_KEPT = 32
"""SSL contexts remembered (each CA file, certificate and HTTP/2 choice makes one);
the least recently used is dropped past this many."""


@functools.lru_cache(maxsize=SSL_CONTEXTS_KEPT)
def ssl_context(key: TlsKey) -> ssl.SSLContext:
    """The SSL context for ``key``, shared by every client of the process, built as
    httpx builds its own: trusting the CA file when one is set, else ``SSL_CERT_FILE``,
    else ``SSL_CERT_DIR``, else certifi's bundle; with no checks at all when ``verify``
    is off; presenting the client certificate when there is one.

    Shared because building one that verifies costs ~30 ms of CPU (parsing the CA
    bundle; passing it as bytes saves nothing), 100 times that for a run of 100
    concurrent sends, while one that does not verify costs ~0.3 ms. Blocking: call it
    in a worker thread. Raises :class:`RequestBuildError` for a CA file that holds no
    certificate, :class:`ClientCertificateError` for a certificate that cannot be loaded.
    """
    context = SharedSslContext(ssl.PROTOCOL_TLS_CLIENT)  # checks certificates and names
    context.alpn = ALPN_HTTP2 if key.http2 else ALPN_HTTP1
    if not key.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif key.ca_file is not None:
        _load_ca_file(context, key.ca_file.path)
    elif os.environ.get("SSL_CERT_FILE"):
        context.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
    elif os.environ.get("SSL_CERT_DIR"):
        context.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
    else:
        context.load_verify_locations(cafile=certifi.where())
    if key.certificate is not None:
        load_client_certificate(context, key.certificate)
    if keylog := os.environ.get("SSLKEYLOGFILE"):  # as ssl's default context does
        context.keylog_filename = keylog
    ssl.SSLContext.set_alpn_protocols(context, list(context.alpn))
    return context


def _load_ca_file(context: ssl.SSLContext, path: str) -> None:
    try:
        context.load_verify_locations(cafile=path)
    except OSError as exc:  # ssl.SSLError too: no certificate in it
        reason = getattr(exc, "reason", None) or exc.strerror or str(exc)
        raise RequestBuildError(
            f"The CA file {path} holds no certificate that can be read ({reason})."
            " It must be PEM: text with -----BEGIN CERTIFICATE----- blocks."
        ) from None


def load_client_certificate(context: ssl.SSLContext, key: CertificateKey) -> None:
    """Make ``context`` present the certificate of ``key``."""
    if key.pfx is not None:
        _load_pkcs12(context, key)
        return
    assert key.cert is not None and key.key is not None
    asked: list[bool] = []

    def passphrase() -> bytes:
        # A callable, so OpenSSL never prompts on the terminal for an encrypted key
        # (it does when the password is None); being called means the key is encrypted.
        asked.append(True)
        return key.passphrase.encode("utf-8")

    try:
        context.load_cert_chain(key.cert.path, key.key.path, password=passphrase)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise _certificate_error(key, exc, encrypted=bool(asked)) from None


def _certificate_error(key: CertificateKey, exc: Exception, *, encrypted: bool) -> Exception:
    assert key.cert is not None and key.key is not None
    where = "in the collection's client certificates"
    if encrypted and not key.passphrase:
        text = (
            f"The key {key.key.path} of the client certificate for {key.host} is encrypted:"
            f" enter its passphrase {where}."
        )
    elif encrypted:
        text = (
            f"The key {key.key.path} of the client certificate for {key.host} could not be"
            f" loaded: wrong passphrase? Check the passphrase {where}."
        )
    else:
        reason = getattr(exc, "reason", None) or str(exc)
        text = (
            f"The client certificate {key.cert.path} and key {key.key.path} for {key.host}"
            f" could not be loaded ({reason}). Both must be PEM, the key must belong to the"
            " certificate, and an encrypted key needs its passphrase."
        )
    return ClientCertificateError(text, host=key.host)


def _load_pkcs12(context: ssl.SSLContext, key: CertificateKey) -> None:
    """ssl loads certificates from files only: the PKCS#12 content goes to a private
    temporary file (its key encrypted with a random one-time password), deleted at once."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    assert key.pfx is not None
    path = key.pfx.path
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ClientCertificateError(
            f"The PKCS#12 file {path} for {key.host} cannot be read: {exc.strerror or exc}.",
            host=key.host,
        ) from None
    try:
        private_key, certificate, extra = pkcs12.load_key_and_certificates(
            data, key.passphrase.encode("utf-8") or None
        )
    except (ValueError, TypeError):
        raise ClientCertificateError(
            f"The PKCS#12 file {path} could not be opened: wrong password? Check the"
            f" passphrase of the client certificate for {key.host} (or that the file is"
            " PKCS#12: .p12 or .pfx).",
            host=key.host,
        ) from None
    if private_key is None or certificate is None:
        raise ClientCertificateError(
            f"The PKCS#12 file {path} for {key.host} holds no certificate with its private"
            " key; export it again with the key included.",
            host=key.host,
        )
    one_time = secrets.token_urlsafe(24).encode("ascii")
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(one_time),
    ) + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (certificate, *extra))
    with tempfile.TemporaryDirectory(prefix="apiclient-cert-") as folder:  # mode 0700
        pem_path = os.path.join(folder, "client.pem")
        fd = os.open(pem_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
        try:
            context.load_cert_chain(pem_path, password=one_time)
        except ssl.SSLError as exc:
            raise ClientCertificateError(
                f"The certificate in the PKCS#12 file {path} for {key.host} could not be"
                f" used ({exc.reason or exc}).",
                host=key.host,
            ) from None


# --- choosing the certificate for a host ----------------------------------------------


def _split_host(pattern: str) -> tuple[str, int | None]:
    """``name[:port]`` (``[v6]:port`` too) as (lower-case name, port or None)."""
    text = pattern.strip().lower()
    if text.startswith("["):
        name, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        name, _, port_text = text.partition(":")
    else:
        name, port_text = text, ""
    return name, int(port_text) if port_text.isdigit() else None


def choose_certificate(
    certificates: Iterable[ClientCertificate], host: str, port: int
) -> ClientCertificate | None:
    """The enabled certificate for ``host``:``port``: an exact name before a
    ``*.domain`` one, one naming the port before one that does not."""
    host = host.lower()
    best: tuple[int, ClientCertificate] | None = None
    for certificate in certificates:
        if not certificate.enabled or not certificate.host.strip():
            continue
        name, wanted_port = _split_host(certificate.host)
        if wanted_port is not None and wanted_port != port:
            continue
        if name == host:
            rank = 0
        elif name.startswith("*.") and host.endswith(name[1:]):
            rank = 2
        else:
            continue
        rank += 0 if wanted_port is not None else 1
        if best is None or rank < best[0]:
            best = (rank, certificate)
    return best[1] if best is not None else None
