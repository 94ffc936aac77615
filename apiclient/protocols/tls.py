"""The TLS options of a client connection (:class:`ClientTls`), read the same way by
every engine that has them: the files a person names are checked here, with messages
that name the file, before any traffic.

gRPC builds its credentials from the files' bytes (:func:`read_tls_file`); a ``wss://``
socket takes an ``ssl.SSLContext`` (:func:`client_ssl_context`).
"""

from __future__ import annotations

import ssl
from pathlib import Path

from apiclient.core.models import ClientTls
from apiclient.protocols.errors import RequestBuildError

__all__ = ["check_client_pair", "client_ssl_context", "load_client_pair", "read_tls_file"]


def read_tls_file(path: str, what: str) -> bytes:
    """The bytes of a TLS file; ``what`` names it in the error ("CA file", "client key")."""
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise RequestBuildError(
            f"The {what} {path} cannot be read: {exc.strerror or exc}. Check the TLS settings."
        ) from None


def check_client_pair(cert_file: str, key_file: str) -> None:
    """A client certificate is only usable with its key, and a key with its certificate."""
    if bool(cert_file) != bool(key_file):
        raise RequestBuildError(
            "A client certificate needs its key, and a key its certificate: set both or neither."
        )


def client_ssl_context(tls: ClientTls) -> ssl.SSLContext:
    """An SSL context for ``tls``: the CA file's certificates (else the system's roots),
    the client certificate and key when given, no verification when ``verify`` is off.

    ``server_name`` is not part of a context: pass it as the handshake's server name.
    Blocking (it reads files and the system's CA bundle, tens of milliseconds): call it
    in a worker thread. Raises ``RequestBuildError`` naming the file that is missing,
    unreadable or not PEM.
    """
    ca_file = tls.ca_file.strip()
    cert_file = tls.client_cert_file.strip()
    key_file = tls.client_key_file.strip()
    check_client_pair(cert_file, key_file)
    if ca_file:
        read_tls_file(ca_file, "CA file")  # for a message naming it when it is missing
        try:
            # With a CA file, only its certificates are trusted (as with gRPC's roots).
            context = ssl.create_default_context(cafile=str(Path(ca_file).expanduser()))
        except ssl.SSLError as exc:
            raise RequestBuildError(
                f"The CA file {ca_file} holds no usable certificate ({exc.reason or exc})."
                " It must be PEM (text starting with -----BEGIN CERTIFICATE-----)."
            ) from None
    else:
        context = ssl.create_default_context()
    if cert_file:
        for path, what in ((cert_file, "client certificate"), (key_file, "client key")):
            read_tls_file(path, what)
        load_client_pair(context, cert_file, key_file)
    if not tls.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def load_client_pair(context: ssl.SSLContext, cert_file: str, key_file: str) -> None:
    """Make ``context`` present the certificate ``cert_file`` with its key ``key_file``
    (PEM). These settings have no passphrase: an encrypted key is refused with a message
    (the password is a callable so that OpenSSL never prompts on the terminal, which it
    does when there is none). Raises ``RequestBuildError`` naming the files."""
    asked: list[bool] = []

    def no_passphrase() -> bytes:
        asked.append(True)
        return b""

    cert, key = str(Path(cert_file).expanduser()), str(Path(key_file).expanduser())
    try:
        context.load_cert_chain(cert, key, password=no_passphrase)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        if asked:
            raise RequestBuildError(
                f"The client key {key_file} is encrypted, and these TLS settings take no"
                " passphrase: use a key without one (openssl pkey -in key.pem -out"
                " plain-key.pem)."
            ) from None
        reason = getattr(exc, "reason", None) or exc
        raise RequestBuildError(
            f"The client certificate {cert_file} and key {key_file} could not be loaded"
            f" ({reason}). Both must be PEM, and the key must belong to the certificate."
        ) from None
