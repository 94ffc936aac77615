"""SOAP bindings that set a broken operation aside instead of failing the whole WSDL.

zeep resolves every binding while it loads, and one operation whose header names a
message the WSDL never defines (Workday's hrextract.wsdl does this for every
operation) makes the whole load fail. Real WSDLs are often that sloppy, and a person
still wants the operations that are fine. These subclasses, handed to zeep through the
transport's ``binding_classes`` hook, record the problem and carry on:

* a header naming an undefined message or part is left out (``dropped_headers``);
* an operation that still cannot be resolved is removed (``notes`` says why);
* a binding whose portType is missing resolves to no operations (``unusable``).

They also remember each operation's ``use`` (literal or encoded), which zeep reads
from soap:body and then forgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zeep.exceptions import Error as ZeepError
from zeep.wsdl import bindings
from zeep.wsdl.bindings.soap import SoapOperation


class LenientBinding:
    """Mixin over zeep's SoapBinding; see the module docstring."""

    name: Any
    port_name: Any
    port_type: Any
    _operations: dict[str, SoapOperation]

    if TYPE_CHECKING:  # provided by zeep's binding, which the subclasses mix this into

        def all(self) -> dict[str, SoapOperation]: ...

    def resolve(self, definitions: Any) -> None:
        self.unusable: str | None = None
        self.notes: list[str] = []
        self.dropped_headers: dict[str, list[str]] = {}
        self.uses: dict[str, str] = {}
        try:
            self.port_type = definitions.get("port_types", self.port_name.text)
        except IndexError:
            self.unusable = (
                f"its binding {self.name.localname} refers to the portType "
                f"{self.port_name.localname}, which the WSDL does not define"
            )
            self._operations = {}
            return
        for name, operation in list(self._operations.items()):
            self.uses[name] = _body_use(operation)
            for message in _drop_undefined_headers(operation, definitions):
                self.dropped_headers.setdefault(message, []).append(name)
            try:
                operation.resolve(definitions)
            except (ZeepError, IndexError, KeyError, AttributeError, ValueError) as exc:
                self.notes.append(
                    f"Operation {name} (binding {self.name.localname}) is not shown: "
                    f"{_reason(exc)}."
                )
                del self._operations[name]


class LenientSoap11Binding(LenientBinding, bindings.Soap11Binding):
    """zeep's SOAP 1.1 binding, lenient."""


class LenientSoap12Binding(LenientBinding, bindings.Soap12Binding):
    """zeep's SOAP 1.2 binding, lenient."""


def _pending(message: Any) -> dict[str, Any] | None:
    """What zeep parsed from soap:body/soap:header, kept until the message resolves."""
    info = getattr(message, "_resolve_info", None)
    return info if isinstance(info, dict) else None


def _body_use(operation: SoapOperation) -> str:
    info = _pending(operation.input) or _pending(operation.output)
    body = info.get("body") if info else None
    return str(body.get("use") or "literal") if body else "literal"


def _drop_undefined_headers(operation: SoapOperation, definitions: Any) -> list[str]:
    """Remove soap:header entries zeep could not resolve; return the messages named."""
    dropped: list[str] = []
    for message in (operation.input, operation.output):
        info = _pending(message)
        if not info or not info.get("header"):
            continue
        kept = []
        for header in info["header"]:
            qname = header["message"]
            try:
                abstract = definitions.get("messages", qname.text)
                abstract.parts[header["part"]]  # a KeyError when the part is missing
            except (IndexError, KeyError):
                dropped.append(qname.localname)
                continue
            kept.append(header)
        info["header"] = kept
    return dropped


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "message", "") or exc).strip().rstrip(".")
    if isinstance(exc, IndexError) and text.startswith("No definition"):
        # "No definition '{ns}Name' in 'messages' found"
        parts = text.split("'")
        if len(parts) >= 4:
            kind = parts[3].rstrip("s").replace("port_type", "portType")
            return f"it refers to the {kind} {parts[1]}, which the WSDL does not define"
    return text or type(exc).__name__
