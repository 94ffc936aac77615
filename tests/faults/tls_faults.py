"""Certificates that must not be trusted, made at test time, and an HTTPS server for them.

* ``self_signed``: a leaf for 127.0.0.1 signed by its own key (no CA vouches for it).
* ``expired``: a leaf for 127.0.0.1 from the test CA (``ca_file``) that expired a year
  ago, so a client that trusts the CA still refuses it for its dates alone.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["BadCertificates", "HttpsServer", "make_bad_certificates"]


@dataclass(frozen=True)
class ServerPem:
    """A server's certificate chain and key, as PEM files."""

    cert_file: str
    key_file: str

    def context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def pair(self) -> tuple[bytes, bytes]:
        """(key, chain) as ``grpc.ssl_server_credentials`` takes them."""
        return Path(self.key_file).read_bytes(), Path(self.cert_file).read_bytes()


@dataclass(frozen=True)
class BadCertificates:
    ca_file: str  # the CA that issued ``expired``; a client may trust it
    self_signed: ServerPem
    expired: ServerPem


def _self_signed(folder: Path) -> ServerPem:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-signed.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "self-signed.pem", folder / "self-signed.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ServerPem(str(cert_file), str(key_file))


def make_bad_certificates(folder: Path) -> BadCertificates:
    """Write both certificates and the CA into ``folder``."""
    ca = trustme.CA()
    ca.cert_pem.write_to_path(folder / "ca.pem")
    now = dt.datetime.now(dt.UTC)
    expired = ca.issue_cert(
        "127.0.0.1",
        not_before=now - dt.timedelta(days=400),
        not_after=now - dt.timedelta(days=365),
    )
    expired.cert_chain_pems[0].write_to_path(folder / "expired.pem")
    expired.private_key_pem.write_to_path(folder / "expired.key")
    return BadCertificates(
        ca_file=str(folder / "ca.pem"),
        self_signed=_self_signed(folder),
        expired=ServerPem(str(folder / "expired.pem"), str(folder / "expired.key")),
    )


class _Hello(BaseHTTPRequestHandler):
    """Answers anything with 200; a client that gets here has accepted the certificate."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b"hello over tls"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: failed handshakes are the point of these tests."""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A refused handshake is expected here, not worth a traceback on stderr."""


class HttpsServer:
    """``http.server`` over TLS with ``pem``, on 127.0.0.1 and a free port."""

    def __init__(self, pem: ServerPem) -> None:
        self._server = _QuietServer(("127.0.0.1", 0), _Hello)
        self._server.socket = pem.context().wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    def start(self) -> HttpsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
