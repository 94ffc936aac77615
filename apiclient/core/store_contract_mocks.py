"""Where a collection's contract mocks point, as written in ``collection.yaml``.

A contract inside the collection folder is stored relative to it with ``/`` separators,
so the collection still finds it after a clone to another place or system; one outside
is stored absolute. Pins are written sorted by operation, so a diff shows one pin.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from apiclient.core.models import ContractMockSettings


def stored_path(root: Path, contract: Path) -> str:
    """How ``collection.yaml`` refers to ``contract``: relative to ``root`` when inside it."""
    absolute = contract.absolute()
    try:
        return PurePosixPath(*absolute.relative_to(root.absolute()).parts).as_posix()
    except ValueError:
        return str(absolute)


def resolved_path(root: Path, stored: str) -> Path:
    """The contract file ``stored`` names, for a collection in ``root``."""
    path = Path(stored)
    return path if path.is_absolute() else root / path


def detached(root: Path, mocks: list[ContractMockSettings]) -> list[ContractMockSettings]:
    """``mocks`` of the collection in ``root`` with absolute file paths, so a copy of the
    collection written elsewhere still finds the contracts, which are not copied."""
    return [
        mock.model_copy(update={"file": str(resolved_path(root.absolute(), mock.file))}, deep=True)
        for mock in mocks
    ]


def for_file(mocks: list[ContractMockSettings]) -> list[ContractMockSettings]:
    """``mocks`` as written: in the user's order, each one's pins sorted by operation."""
    return [
        mock.model_copy(update={"pins": dict(sorted(mock.pins.items()))}, deep=True)
        for mock in mocks
    ]
