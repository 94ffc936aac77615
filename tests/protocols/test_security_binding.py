"""Servers the app starts listen on 127.0.0.1 unless told otherwise: the mock host and
the webhook receiver, checked on the sockets the kernel lists as listening (Linux's
/proc/net/tcp), not only on the URLs they report."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from webhook_helpers import Receivers

from apiclient.core.models import WebhookRequest
from apiclient.protocols.webhook_config import receiver_config
from mock_servers.host import DEFAULT_HOST

pytestmark = pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="reads the listening sockets from /proc"
)

_LISTEN = "0A"


def listening_addresses(port: int) -> set[str]:
    """The IPv4 and IPv6 addresses with a socket listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, _colon, hex_port = fields[1].partition(":")
            if fields[3] == _LISTEN and int(hex_port, 16) == port:
                found.add(_address(address))
    return found


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return ".".join(str(b) for b in reversed(raw))
    words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]  # host order per 32-bit word
    data = b"".join(words)
    if data[:12] == b"\0" * 10 + b"\xff\xff":
        return ".".join(str(b) for b in data[12:])
    return ":".join(data[i : i + 2].hex() for i in range(0, 16, 2))


def test_the_mock_host_listens_on_loopback_by_default(mock_urls: dict[str, str]) -> None:
    assert DEFAULT_HOST == "127.0.0.1"
    for name, url in mock_urls.items():
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1", name
        assert listening_addresses(parts.port or 0) == {"127.0.0.1"}, name


async def test_the_webhook_receiver_listens_on_loopback_by_default(receivers: Receivers) -> None:
    assert WebhookRequest().host == "127.0.0.1"
    running = await receivers.start(receiver_config(WebhookRequest(port=0)))
    parts = urlsplit(running.url)
    assert parts.hostname == "127.0.0.1"
    assert listening_addresses(parts.port or 0) == {"127.0.0.1"}


def test_the_reader_of_listening_sockets_sees_all_interfaces() -> None:
    """The check above would catch 0.0.0.0: a socket bound there is listed as such."""
    import socket

    with socket.create_server(("0.0.0.0", 0)) as server:
        assert listening_addresses(server.getsockname()[1]) == {"0.0.0.0"}
