"""A sample request envelope for an operation: every element of its input, ready to edit.

The envelope is what a person starts from, so it shows the whole input message from the
schema, with placeholder values of the right type and XML comments that say what the
markup cannot: ``<!-- optional -->``, ``<!-- repeated: 0 or more -->`` (the element is
shown once), ``<!-- one of: a, b -->``, ``<!-- choice: fill in one of the following -->``
(the first alternative is filled in, the others follow in ``<!-- or: … -->``
comments, so the sample is valid as it is). Recursive types are expanded once and then
stopped with a comment, and a very large message is cut short with a comment, so a
schema such as Workday's still gives a usable sample quickly.

The Header element is always there, empty when the operation declares no soap:header,
so WS-Security or other headers have an obvious place. Namespaces are declared once,
on the Envelope, with short prefixes (``tns``, ``ns1``…). rpc operations get the
wrapper element named after the operation; rpc/encoded ones also carry ``xsi:type``
and ``encodingStyle``. There is no XML declaration, so the text parses as a Python
string as well as bytes.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from lxml import etree
from zeep.xsd import All, Choice, ComplexType, Element, Group, Sequence
from zeep.xsd import Any as XsdAny
from zeep.xsd.types.simple import AnySimpleType

from apiclient.protocols.soap_wsdl_types import (
    EnumerationIndex,
    array_item_type,
    builtin_name,
    is_body_wrapper,
    list_item_type,
    occurrence_note,
    simple_content,
    type_key,
    type_label,
    union_first_type,
)
from apiclient.protocols.soap_xml import (
    SOAP11_ENCODING_NS,
    SOAP12_ENCODING_NS,
    SOAP_ENCODING_NAMESPACES,
    SOAP_NAMESPACES,
    XSD_NS,
    XSI_NS,
)

# Beyond these, a sample stops growing: it is for editing, not a schema dump.
MAX_ELEMENTS = 2000
MAX_DEPTH = 40
_MAX_VALUES_SHOWN = 20

_PLACEHOLDERS = {
    "boolean": "true",
    "decimal": "0.0",
    "float": "0.0",
    "double": "0.0",
    "integer": "0",
    "nonNegativeInteger": "0",
    "nonPositiveInteger": "0",
    "positiveInteger": "1",
    "negativeInteger": "-1",
    "long": "0",
    "int": "0",
    "short": "0",
    "byte": "0",
    "unsignedLong": "0",
    "unsignedInt": "0",
    "unsignedShort": "0",
    "unsignedByte": "0",
    "date": "2026-01-31",
    "dateTime": "2026-01-31T12:00:00Z",
    "time": "12:00:00",
    "duration": "P1D",
    "gYear": "2026",
    "gYearMonth": "2026-01",
    "gMonth": "--01",
    "gMonthDay": "--01-31",
    "gDay": "---31",
    "base64Binary": "ZGF0YQ==",
    "hexBinary": "00",
    "anyURI": "http://example.com/",
    "language": "en",
    "QName": "name",
    "NOTATION": "name",
    "Name": "name",
    "NCName": "name",
    "ID": "id1",
    "IDREF": "id1",
    "IDREFS": "id1",
    "ENTITY": "name",
    "ENTITIES": "name",
    "NMTOKEN": "token",
    "NMTOKENS": "token",
    "string": "string",
    "normalizedString": "string",
    "token": "string",
}
_ENCODING_REFERENCES = {"id", "href", "ref", "nodeType", "root"}
_XMLNS_RE = re.compile(r'\s+xmlns(?::[\w.-]+)?="[^"]*"')
_PREFERRED_PREFIXES = {
    XSD_NS: "xsd",
    XSI_NS: "xsi",
    SOAP11_ENCODING_NS: "soapenc",
    SOAP12_ENCODING_NS: "soapenc",
}


def build_sample_envelope(
    message: Any, *, soap_version: str, encoded: bool, enumerations: EnumerationIndex
) -> str:
    """The sample for zeep's input ``message`` (a SoapMessage, or None for no input)."""
    env_ns = SOAP_NAMESPACES[soap_version]
    env_prefix = "soap" if soap_version == "1.2" else "soapenv"
    encoding_ns = SOAP12_ENCODING_NS if soap_version == "1.2" else SOAP11_ENCODING_NS
    builder = _SampleBuilder(enumerations, encoded=encoded)
    envelope = etree.Element(f"{{{env_ns}}}Envelope", nsmap={env_prefix: env_ns})
    header = etree.SubElement(envelope, f"{{{env_ns}}}Header")
    body = etree.SubElement(envelope, f"{{{env_ns}}}Body")
    if message is not None:
        if message.header is not None:
            for _, element in message.header.type.elements:
                builder.element(header, element)
        if message.body is not None:
            if is_body_wrapper(message.body):
                for _, element in message.body.type.elements:
                    builder.element(body, element)
            else:
                node = builder.element(body, message.body)
                if encoded and node is not None:
                    node.set(f"{{{env_ns}}}encodingStyle", encoding_ns)
    nsmap = {env_prefix: env_ns, **{prefix: ns for ns, prefix in builder.prefixes.items()}}
    etree.cleanup_namespaces(envelope, top_nsmap=nsmap, keep_ns_prefixes=list(nsmap))
    return etree.tostring(envelope, pretty_print=True, encoding="unicode")


def _comment(parent: etree._Element, text: str) -> None:
    # A comment may not contain "--" nor end with "-".
    parent.append(etree.Comment(f" {text.replace('--', '- -')} "))


class _SampleBuilder:
    """Walks zeep's element and type objects and appends sample XML."""

    def __init__(self, enumerations: EnumerationIndex, *, encoded: bool) -> None:
        self.enumerations = enumerations
        self.encoded = encoded
        self.prefixes: dict[str, str] = {}
        self.elements = 0
        self.cut = False
        self.context: list[str] = []
        self.expanding: list[str] = []

    def prefix(self, namespace: str) -> str:
        """A short prefix for ``namespace``, given in order of first use."""
        if namespace not in self.prefixes:
            taken = set(self.prefixes.values())
            prefix = _PREFERRED_PREFIXES.get(namespace) or "tns"
            number = 0
            while prefix in taken:
                number += 1
                prefix = f"ns{number}"
            self.prefixes[namespace] = prefix
        return self.prefixes[namespace]

    def _tag(self, qname: etree.QName) -> str:
        if qname.namespace:
            self.prefix(qname.namespace)
        return qname.text

    def element(
        self, parent: etree._Element, element: Element, *, in_choice: bool = False
    ) -> etree._Element | None:
        if self.cut:
            return None
        if self.elements >= MAX_ELEMENTS:
            self.cut = True
            _comment(parent, f"sample cut short here: it has more than {MAX_ELEMENTS} elements")
            return None
        note = occurrence_note(element.min_occurs, element.max_occurs)
        if note and not (in_choice and note == "optional"):
            _comment(parent, note)
        xsd_type = element.type
        text_type = xsd_type if isinstance(xsd_type, AnySimpleType) else None
        if isinstance(xsd_type, ComplexType):
            text_type = simple_content(xsd_type)
        values = self.enumerations.values(text_type, self.context) if text_type else ()
        if values:
            shown = ", ".join(values[:_MAX_VALUES_SHOWN])
            more = f", … ({len(values)} values)" if len(values) > _MAX_VALUES_SHOWN else ""
            _comment(parent, f"one of: {shown}{more}")
        node = etree.SubElement(parent, self._tag(element.qname))
        self.elements += 1
        self.fill(node, xsd_type, element.name, values)
        return node

    def fill(self, node: etree._Element, xsd_type: Any, name: str, values: tuple[str, ...]) -> None:
        if isinstance(xsd_type, ComplexType):
            self._complex(node, xsd_type, name, values)
        elif isinstance(xsd_type, AnySimpleType):
            self._xsi_type(node, xsd_type)
            node.text = self.value(xsd_type, values)
        else:
            node.text = "?"

    def _complex(
        self, node: etree._Element, xsd_type: ComplexType, name: str, values: tuple[str, ...]
    ) -> None:
        key = type_key(xsd_type)
        if key in self.expanding:
            _comment(node, f"recursive: {type_label(xsd_type)} repeats here; not expanded")
            return
        if len(self.expanding) >= MAX_DEPTH:
            _comment(node, f"nested more than {MAX_DEPTH} levels deep; not expanded")
            return
        self.expanding.append(key)
        self.context.extend((name, type_label(xsd_type)))
        try:
            self._xsi_type(node, xsd_type)
            self._attributes(node, xsd_type)
            content = simple_content(xsd_type)
            array = array_item_type(xsd_type) if self.encoded else None
            if content is not None:
                node.text = self.value(content, values)
            elif array is not None:
                self._array(node, *array)
            else:
                for _, particle in xsd_type.elements_nested:
                    self.particle(node, particle)
        finally:
            self.expanding.pop()
            del self.context[-2:]

    def particle(self, parent: etree._Element, particle: Any, *, in_choice: bool = False) -> None:
        if self.cut:
            return
        if isinstance(particle, Element):
            self.element(parent, particle, in_choice=in_choice)
        elif isinstance(particle, XsdAny):
            note = occurrence_note(particle.min_occurs, particle.max_occurs)
            _comment(parent, f"any element may go here{f' ({note})' if note else ''}")
        elif isinstance(particle, Choice):
            note = occurrence_note(particle.min_occurs, particle.max_occurs)
            if note:
                _comment(parent, note)
            _comment(parent, "choice: fill in one of the following")
            options = list(particle)
            if options:
                self.particle(parent, options[0], in_choice=True)
            for option in options[1:]:
                self._commented_option(parent, option)
        elif isinstance(particle, Sequence | All | Group):
            note = occurrence_note(particle.min_occurs, particle.max_occurs)
            if note and not in_choice:
                _comment(parent, f"{note}: the following group")
            for child in particle.child if isinstance(particle, Group) else particle:
                self.particle(parent, child)
            if note and not in_choice:
                _comment(parent, "end of group")

    def _commented_option(self, parent: etree._Element, option: Any) -> None:
        """Another alternative of a choice, as XML inside a comment, so the sample stays
        valid as it is and switching means uncommenting."""
        scratch = etree.Element("scratch")
        self.particle(scratch, option, in_choice=True)
        holder = etree.Element("holder", nsmap={p: ns for ns, p in self.prefixes.items()})
        holder.extend(list(scratch))
        etree.cleanup_namespaces(
            holder, top_nsmap=holder.nsmap, keep_ns_prefixes=list(holder.nsmap)
        )
        for comment in holder.xpath("//comment()"):
            comment.getparent().remove(comment)
        etree.indent(holder, space="  ")
        markup = "".join(etree.tostring(child, encoding="unicode") for child in holder)
        lines = _XMLNS_RE.sub("", markup).strip().splitlines()
        if len(lines) == 1:
            _comment(parent, f"or: {lines[0]}")
        elif lines:
            pad = "  " * (len(list(parent.iterancestors())) + 1)
            rest = textwrap.dedent("\n".join(lines[1:])).splitlines()
            body = "\n".join(f"{pad}  {line}" for line in [lines[0], *rest])
            _comment(parent, f"or:\n{body}\n{pad}")

    def _attributes(self, node: etree._Element, xsd_type: ComplexType) -> None:
        for _, attribute in xsd_type.attributes:
            qname = getattr(attribute, "qname", None)
            if qname is None or attribute.type is None:
                continue  # anyAttribute
            if qname.namespace in SOAP_ENCODING_NAMESPACES:
                continue  # arrayType and friends: written by _array
            if self.encoded and not attribute.required and qname.text in _ENCODING_REFERENCES:
                continue  # id/href of multi-ref encoding: noise in a sample
            values = self.enumerations.values(attribute.type, self.context)
            node.set(self._tag(qname), attribute.default or self.value(attribute.type, values))

    def _array(self, node: etree._Element, attribute_name: etree.QName, item_type: Any) -> None:
        """A SOAP-encoded array: declare one item and show it."""
        node.set(self._tag(attribute_name), f"{self._type_ref(item_type)}[1]")
        _comment(node, "repeated: one item shown")
        item = etree.SubElement(node, "item")
        self.elements += 1
        self.fill(item, item_type, "item", ())

    def _type_ref(self, xsd_type: Any) -> str:
        """``prefix:name`` of a type, for xsi:type and arrayType."""
        builtin = builtin_name(xsd_type) if isinstance(xsd_type, AnySimpleType) else None
        if builtin:
            return f"{self.prefix(XSD_NS)}:{builtin}"
        qname = getattr(xsd_type, "qname", None)
        if qname is not None and qname.namespace:
            return f"{self.prefix(qname.namespace)}:{qname.localname}"
        return f"{self.prefix(XSD_NS)}:anyType"

    def _xsi_type(self, node: etree._Element, xsd_type: Any) -> None:
        if not self.encoded:
            return
        if isinstance(xsd_type, AnySimpleType) or getattr(xsd_type, "is_global", False):
            node.set(f"{{{XSI_NS}}}type", self._type_ref(xsd_type))
            self.prefix(XSI_NS)

    def value(self, xsd_type: Any, values: tuple[str, ...]) -> str:
        """A placeholder that parses as ``xsd_type``."""
        if values:
            return values[0]
        inner = list_item_type(xsd_type) or union_first_type(xsd_type)
        if inner is not None:
            return self.value(inner, self.enumerations.values(inner, self.context))
        return _PLACEHOLDERS.get(builtin_name(xsd_type) or "", "?")
