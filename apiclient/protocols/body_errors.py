"""The error of a response whose body began but did not all arrive or could not be kept.

It is not in :mod:`.errors` with the rest of the tree because it carries the response
itself (what did arrive, kept in a file), which only the HTTP engines know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apiclient.protocols.errors import ProtocolError

if TYPE_CHECKING:
    from apiclient.protocols.rest import RestResponse


class PartialBodyError(ProtocolError):
    """A spooled body stopped early: the server closed the connection, or its file could
    not be written (a full disk). ``response`` is the response with what arrived (its
    ``body_file`` marked incomplete, kept for the user); ``cause`` is the network error
    it stopped on, ``None`` when the disk failed."""

    def __init__(
        self, message: str, *, response: RestResponse, cause: ProtocolError | None
    ) -> None:
        super().__init__(message)
        self.response = response
        self.cause = cause
