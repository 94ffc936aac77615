"""What the sample builder and the response checker need to know about XSD types.

zeep resolves the schema into type objects (elements, sequences, choices, builtin
types) but drops every facet on the way: an enumeration is just a string to zeep. The
:class:`EnumerationIndex` reads the enumerations back from the schema documents the
transport kept, keyed the way zeep names types: a named simpleType by its own QName,
an anonymous one by the QName of the element or attribute that holds it (which is
what zeep calls it too). Two anonymous types can share that key (``Status`` in
``Visit`` and ``Status`` in ``Patient``); they are told apart by the name of their
nearest named ancestor in the schema, matched against where the caller is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from lxml import etree
from zeep.xsd import ComplexType, Element
from zeep.xsd.types.collection import ListType, UnionType
from zeep.xsd.types.simple import AnySimpleType

from apiclient.protocols.soap_wsdl_documents import ReadDocument
from apiclient.protocols.soap_xml import SOAP_ENCODING_NAMESPACES, SOAP_VERSIONS, XSD_NS

_SIMPLE_TYPE = f"{{{XSD_NS}}}simpleType"
_RESTRICTION = f"{{{XSD_NS}}}restriction"
_ENUMERATION = f"{{{XSD_NS}}}enumeration"
_NAMED_CONTAINERS = {"element", "complexType", "group", "attributeGroup", "attribute"}


def builtin_name(xsd_type: object) -> str | None:
    """The XSD builtin a zeep simple type derives from ('int', 'date'…), if any."""
    for cls in type(xsd_type).__mro__:
        qname = getattr(cls, "_default_qname", None)
        if qname is not None and cls.__module__ == "zeep.xsd.types.builtins":
            return etree.QName(qname).localname
    return None


def simple_content(xsd_type: ComplexType) -> AnySimpleType | None:
    """The simple type of a complexType with simpleContent (text plus attributes)."""
    nested = xsd_type.elements_nested
    if len(nested) == 1 and isinstance(nested[0][1], Element):
        inner = nested[0][1].type
        if isinstance(inner, AnySimpleType):
            return inner
    return None


def array_item_type(xsd_type: ComplexType) -> tuple[etree.QName, object] | None:
    """For a SOAP-encoded array type: its arrayType attribute's name and the item type
    (from wsdl:arrayType)."""
    for _, attribute in xsd_type.attributes:
        qname = getattr(attribute, "qname", None)
        if (
            qname is not None
            and qname.localname == "arrayType"
            and qname.namespace in SOAP_ENCODING_NAMESPACES
        ):
            return qname, getattr(attribute, "array_type", None) or AnySimpleType()
    return None


def is_body_wrapper(element: Element) -> bool:
    """zeep wraps a document message with several parts in an element named soap:Body."""
    qname = element.qname
    return qname.localname == "Body" and qname.namespace in SOAP_VERSIONS


def list_item_type(xsd_type: AnySimpleType) -> AnySimpleType | None:
    return xsd_type.item_type if isinstance(xsd_type, ListType) else None


def union_first_type(xsd_type: AnySimpleType) -> AnySimpleType | None:
    if isinstance(xsd_type, UnionType) and xsd_type.item_types:
        return xsd_type.item_types[0]
    return None


def occurrence_note(min_occurs: int, max_occurs: int | str) -> str | None:
    """The comment for an element's cardinality, or None for exactly once."""
    if max_occurs == "unbounded":
        return f"repeated: {min_occurs} or more"
    if isinstance(max_occurs, int) and max_occurs > 1:
        return f"repeated: {min_occurs} to {max_occurs}"
    if min_occurs == 0:
        return "optional"
    return None


def type_key(xsd_type: Any) -> str:
    """Identity of a type for recursion checks: zeep copies types while resolving."""
    qname = getattr(xsd_type, "qname", None)
    return qname.text if qname is not None else f"anonymous:{id(xsd_type)}"


def type_label(xsd_type: Any) -> str:
    qname = getattr(xsd_type, "qname", None)
    return qname.localname if qname is not None else "this type"


class EnumerationIndex:
    """The enumeration values of the simple types in a set of schema documents."""

    def __init__(self, documents: Sequence[ReadDocument]) -> None:
        self._named: dict[str, etree._Element] = {}
        self._anonymous: dict[str, list[tuple[str | None, etree._Element]]] = {}
        self._cache: dict[int, tuple[str, ...]] = {}
        for schema in _schemas(documents):
            namespace = schema.get("targetNamespace")
            for simple in schema.iter(_SIMPLE_TYPE):
                parent = simple.getparent()
                if parent is schema and simple.get("name"):
                    self._named[etree.QName(namespace, simple.get("name")).text] = simple
                elif parent is not None and _names_anonymous_type(parent):
                    key = etree.QName(namespace, parent.get("name")).text
                    self._anonymous.setdefault(key, []).append((_context_name(parent), simple))

    def values(self, xsd_type: Any, context: Sequence[str] = ()) -> tuple[str, ...]:
        """The allowed values of ``xsd_type``; ``context`` lists enclosing names, outermost
        first (element names and type names on the way down)."""
        qname = getattr(xsd_type, "qname", None)
        if qname is None:
            return ()
        key = qname.text
        candidates = self._anonymous.get(key, [])
        for name in reversed(context):
            matching = {self._values_of(node) for ctx, node in candidates if ctx == name}
            if len(matching) == 1:
                return matching.pop()
        if key in self._named:
            return self._values_of(self._named[key])
        everything = {self._values_of(node) for _, node in candidates}
        return everything.pop() if len(everything) == 1 else ()

    def _values_of(
        self, simple: etree._Element, seen: frozenset[str] = frozenset()
    ) -> tuple[str, ...]:
        cached = self._cache.get(id(simple))
        if cached is not None:
            return cached
        values: tuple[str, ...] = ()
        restriction = simple.find(_RESTRICTION)
        if restriction is not None:
            values = tuple(e.get("value", "") for e in restriction.findall(_ENUMERATION))
            if not values:
                values = self._base_values(restriction, seen)
        self._cache[id(simple)] = values
        return values

    def _base_values(self, restriction: etree._Element, seen: frozenset[str]) -> tuple[str, ...]:
        inner = restriction.find(_SIMPLE_TYPE)
        if inner is not None:
            return self._values_of(inner, seen)
        base = restriction.get("base")
        if not base:
            return ()
        prefix, _, local = base.rpartition(":")
        namespace = restriction.nsmap.get(prefix or None)
        key = etree.QName(namespace, local).text
        if key in seen or key not in self._named:
            return ()
        return self._values_of(self._named[key], seen | {key})


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _names_anonymous_type(node: etree._Element) -> bool:
    """An element or attribute with a name, whose inline simpleType zeep names after it."""
    return bool(node.get("name")) and _local(node) in ("element", "attribute")


def _context_name(node: etree._Element) -> str | None:
    """The name of the nearest named schema component around ``node``."""
    for ancestor in node.iterancestors():
        if _local(ancestor) in _NAMED_CONTAINERS and ancestor.get("name"):
            return ancestor.get("name")
        if _local(ancestor) == "schema":
            return None
    return None


def _schemas(documents: Sequence[ReadDocument]) -> Iterator[etree._Element]:
    for document in documents:
        root = document.root
        if root.tag == f"{{{XSD_NS}}}schema":
            yield root
        else:
            yield from root.iter(f"{{{XSD_NS}}}schema")
