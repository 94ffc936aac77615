"""The calculator behind calculator.wsdl, in rpc/literal style.

In rpc/literal the Body holds a wrapper element named after the operation, in the
namespace the binding gives, with one unqualified child per message part; the reply
wrapper is the operation name plus "Response". Parts are matched by local name, since
some clients qualify them anyway.
"""

from __future__ import annotations

import decimal
import re

from lxml import etree

from mock_servers.soap_endpoint import Operation, SoapCall, SoapService
from mock_servers.soap_envelope import FaultCode, SoapFault

CALCULATOR_NS = "urn:apiclient:mock:calculator"
ACTION = "urn:apiclient:mock:calculator/{}"
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")


def _int_part(call: SoapCall, name: str) -> int:
    operation = etree.QName(call.payload).localname
    part = next(
        (c for c in call.payload.iterchildren(etree.Element) if etree.QName(c).localname == name),
        None,
    )
    if part is None:
        raise SoapFault(FaultCode.CLIENT, f"{operation} needs the part {name!r}.")
    text = (part.text or "").strip()
    if not _INTEGER.fullmatch(text) or not _INT_MIN <= int(text) <= _INT_MAX:
        raise SoapFault(
            FaultCode.CLIENT, f"Part {name!r} must be an xsd:int (32-bit integer), not {text!r}."
        )
    return int(text)


def _result(operation: str, value: str) -> etree._Element:
    wrapper = etree.Element(
        f"{{{CALCULATOR_NS}}}{operation}Response", nsmap={"calc": CALCULATOR_NS}
    )
    etree.SubElement(wrapper, "result").text = value
    return wrapper


def add(call: SoapCall) -> etree._Element:
    total = _int_part(call, "a") + _int_part(call, "b")
    if not _INT_MIN <= total <= _INT_MAX:
        raise SoapFault(FaultCode.CLIENT, f"The sum {total} does not fit in an xsd:int.")
    return _result("Add", str(total))


def divide(call: SoapCall) -> etree._Element:
    dividend, divisor = _int_part(call, "a"), _int_part(call, "b")
    if divisor == 0:
        detail = etree.Element(f"{{{CALCULATOR_NS}}}DivideByZero", nsmap={None: CALCULATOR_NS})
        etree.SubElement(detail, f"{{{CALCULATOR_NS}}}Dividend").text = str(dividend)
        raise SoapFault(FaultCode.CLIENT, "Division by zero", detail=detail)
    quotient = decimal.Decimal(dividend) / decimal.Decimal(divisor)
    # Fixed-point notation: xsd:decimal has no exponent (1/2147483647 would give 4.6E-10).
    return _result("Divide", format(quotient, "f"))


def create_calculator_service() -> SoapService:
    return SoapService(
        operations={
            f"{{{CALCULATOR_NS}}}{name}": Operation(ACTION.format(name), handler)
            for name, handler in (("Add", add), ("Divide", divide))
        }
    )
