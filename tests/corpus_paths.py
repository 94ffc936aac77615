"""Where the shared corpus of real-world files is (WSDLs, schemas, exports...).

It lives next to the checkout as ``../shared/corpus``; a clone elsewhere finds it through
``$APICLIENT_CORPUS`` or the team machine's ``/work/shared/corpus``. Tests that need it
skip, saying where they looked, when it is nowhere.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def _corpus() -> Path:
    candidates = [Path(os.environ["APICLIENT_CORPUS"])] if "APICLIENT_CORPUS" in os.environ else []
    candidates += [_REPO.parent / "shared" / "corpus", Path("/work/shared/corpus")]
    return next((path for path in candidates if path.is_dir()), candidates[0])


CORPUS = _corpus()
WSDL_CORPUS = CORPUS / "wsdl"
