"""The exception tree of ``apiclient.core``.

Every error carries a message written for the person using the app: what failed, where,
and what to try. The UI shows ``str(error)`` as is, so no message here should need a
traceback to make sense.

```
CoreError
├── StoreError                  reading or writing files (.path)
│   └── CollectionLoadError     a collection folder that cannot be opened at all
└── VariableError               {{variable}} resolution
    ├── UndefinedVariableError  unknown names (.names, .where, .unknown)
    ├── VariableCycleError      a value that refers back to itself (.chain)
    └── VariableExpansionError  values nested too deep or expanding to too much text
```
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_KEEP_OPEN = "your changes are still open in the app"
_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


class CoreError(Exception):
    """Base of every error raised by ``apiclient.core``; ``message`` is fit for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class StoreError(CoreError):
    """A file or folder could not be read or written; ``path`` says which."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path

    @classmethod
    def from_os_error(
        cls, exc: OSError, path: Path, action: str = "save", *, keep: str = _KEEP_OPEN
    ) -> StoreError:
        """Word an ``OSError`` for a person, so nobody has to decode ``errno`` values.

        ``action`` is the verb of the failed step ("save", "delete", "rename", "read");
        ``keep`` what is safe all the same (by default: the changes are still open).
        """
        code = exc.errno
        if code in _DISK_FULL:
            message = (
                f"The disk is full while saving {path}. Free some space and save again; {keep}."
            )
        elif code == errno.EROFS:
            message = (
                f"Cannot {action} {path}: the disk or folder is read-only. Move the collection "
                f"to a writable place or make the disk writable; {keep}."
            )
        elif code in (errno.EACCES, errno.EPERM):
            message = (
                f"Cannot {action} {path}: permission denied. Check that you may write to this "
                f"folder (owner and permissions); {keep}."
            )
        else:
            cause = exc.strerror or str(exc)
            message = f"Could not {action} {path}: {cause}. {keep[:1].upper()}{keep[1:]}."
        return cls(message, path)


class CollectionLoadError(StoreError):
    """The collection itself (its folder or ``collection.yaml``) cannot be opened."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"Cannot open the collection at {path}: {reason}", path)
        self.reason = reason


class VariableError(CoreError):
    """A ``{{variable}}`` could not be resolved."""


@dataclass(frozen=True)
class UnknownVariable:
    """One unknown name, where it was used, and the closest defined name if any."""

    name: str
    where: str
    suggestion: str | None = None


class UndefinedVariableError(VariableError):
    """One or more ``{{names}}`` are not defined in any scope.

    ``names`` lists each unknown name once, ``where`` the places they were used (joined
    by ", " when there are several), ``unknown`` each (name, place, suggestion).
    """

    def __init__(self, unknown: Sequence[UnknownVariable]) -> None:
        self.unknown = tuple(unknown)
        self.names = tuple(dict.fromkeys(u.name for u in self.unknown))
        self.where = ", ".join(dict.fromkeys(u.where for u in self.unknown))
        super().__init__(_undefined_message(self.unknown))


def _undefined_message(unknown: Sequence[UnknownVariable]) -> str:
    parts = []
    for item in unknown:
        part = f"{{{{{item.name}}}}} in {item.where}"
        if item.suggestion is not None:
            part += f" (did you mean {{{{{item.suggestion}}}}}?)"
        parts.append(part)
    if len(unknown) == 1:
        only = unknown[0]
        text = f"Unknown variable {{{{{only.name}}}}} in {only.where}."
        advice = "Define it in the environment, the collection or the request, "
        advice += "or check its spelling."
        if only.suggestion is not None:
            advice += f" Did you mean {{{{{only.suggestion}}}}}?"
        return f"{text} {advice}"
    return (
        f"Unknown variables {', '.join(parts)}. Define them in the environment, the "
        "collection or the request, or check their spelling."
    )


class VariableCycleError(VariableError):
    """A variable's value refers back to itself, directly or through others."""

    def __init__(self, chain: Sequence[str], where: str) -> None:
        self.chain = tuple(chain)
        self.where = where
        path = " -> ".join(self.chain)
        super().__init__(
            f"Variable {{{{{self.chain[0]}}}}} in {where} refers to itself ({path}). "
            "Change one of these values so the chain ends in plain text."
        )


class VariableExpansionError(VariableError):
    """Values that refer to others too deeply, or so many times over that the text would
    grow without bound (a "billion laughs" of variables); ``name`` is where it started."""

    def __init__(self, name: str, where: str, problem: str) -> None:
        self.name = name
        self.where = where
        super().__init__(
            f"Variable {{{{{name}}}}} in {where} {problem}. Change the values it refers to "
            "so they end in plain text sooner."
        )
