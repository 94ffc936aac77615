"""Errors of the mock servers, each with a message a person can act on.

Kept apart from host.py so the modules that start servers can raise them without
importing the host (which imports them).
"""


class MockServerError(Exception):
    """A mock server could not start or stop; the message says what to do."""


class PortInUseError(MockServerError):
    """The port a mock server needs is taken by another process."""

    def __init__(self, name: str, host: str, port: int) -> None:
        super().__init__(
            f"Port {port} for the {name} mock is already in use on {host}. "
            "Stop what uses it, or start with --ephemeral to pick free ports."
        )
        self.name = name
        self.host = host
        self.port = port
