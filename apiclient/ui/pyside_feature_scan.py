"""Stop PySide6 from reading the source of every module imported after it.

PySide6 replaces ``__import__`` to support ``from __feature__ import snake_case``: after
each import it reads the new module's source file to see whether it mentions PySide6
(PYSIDE-2029), about 40 ms over apiclient's start-up. apiclient never selects a feature,
so every module can simply be recorded as using the default (feature set 0), which is
what the scan records for modules that use PySide6 and what Qt's names mean without it.
"""

from __future__ import annotations

from types import ModuleType


def _uses_default_features(_module: ModuleType) -> bool:
    return True


def skip_feature_source_scan() -> None:
    """Record modules imported from now on without reading their source; harmless (the
    scan stays) if a PySide6 release no longer has the hook."""
    try:
        from PySide6.support import feature
    except ImportError:
        return
    if hasattr(feature, "_mod_uses_pyside"):
        feature._mod_uses_pyside = _uses_default_features
