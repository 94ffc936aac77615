"""Nothing from a response is ever executed: no module of the app or of the mock
servers calls eval, exec, compile on text, pickle/marshal loads, an unsafe YAML
loader or a shell. The WebSocket "script" is a list of steps (send, expect) matched
as data, not code, and JSONPath/XPath/regex checks are evaluated by their libraries
as queries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from apiclient.core import yaml_text

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("apiclient", "mock_servers")
# Called by name (builtins) or as module.attribute.
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_ATTRIBUTES = {
    ("pickle", "loads"),
    ("pickle", "load"),
    ("marshal", "loads"),
    ("yaml", "unsafe_load"),
    ("yaml", "full_load"),
    ("os", "system"),
    ("os", "popen"),
    ("subprocess", "run"),
    ("subprocess", "Popen"),
    ("subprocess", "call"),
    ("subprocess", "check_output"),
}
SOURCES = sorted(
    path
    for package in PACKAGES
    for path in (ROOT / package).rglob("*.py")
    if "grpc_generated" not in path.parts
)


def _calls(tree: ast.AST) -> list[tuple[str, str]]:
    """(module or "", name) of every call in ``tree``."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name):
            found.append(("", function.id))
        elif isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
            found.append((function.value.id, function.attr))
    return found


def test_no_source_executes_text() -> None:
    assert len(SOURCES) > 100
    offenders = []
    for path in SOURCES:
        for module, name in _calls(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if (not module and name in FORBIDDEN_NAMES) or (module, name) in FORBIDDEN_ATTRIBUTES:
                offenders.append(f"{path.relative_to(ROOT)}: {module}.{name}".replace(": .", ": "))
    assert offenders == []


def test_yaml_tags_that_would_run_code_are_refused() -> None:
    with pytest.raises(yaml.YAMLError):
        yaml_text.load('!!python/object/apply:os.system ["echo owned"]')
