"""The facets of the WSDL's simple types (enumerations, lengths, bounds), which zeep
reads past: generated values must respect them to validate.

Simple types are keyed as zeep names them: a named type by its qualified name, an
anonymous one by the qualified name of the element or attribute that holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

XSD_NS = "http://www.w3.org/2001/XMLSchema"
_BOUNDS = ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive")
_LENGTHS = ("length", "minLength", "maxLength")


@dataclass
class Facets:
    """What a simple type's restriction allows, beyond its base type."""

    enumeration: list[str] = field(default_factory=list)
    lengths: dict[str, int] = field(default_factory=dict)
    bounds: dict[str, float] = field(default_factory=dict)
    base: str | None = None  # the restricted type's qualified name, to inherit from

    def length_range(self) -> tuple[int | None, int | None]:
        if "length" in self.lengths:
            return self.lengths["length"], self.lengths["length"]
        return self.lengths.get("minLength"), self.lengths.get("maxLength")

    def number_range(self) -> tuple[float | None, float | None]:
        low = self.bounds.get("minInclusive")
        if low is None and "minExclusive" in self.bounds:
            low = self.bounds["minExclusive"] + 1
        high = self.bounds.get("maxInclusive")
        if high is None and "maxExclusive" in self.bounds:
            high = self.bounds["maxExclusive"] - 1
        return low, high


def _qname(node: etree._Element, value: str) -> str:
    prefix, _, local = value.rpartition(":")
    namespace = node.nsmap.get(prefix or None, "")
    return etree.QName(namespace or None, local).text


def _read(restriction: etree._Element) -> Facets:
    facets = Facets()
    if restriction.get("base"):
        facets.base = _qname(restriction, restriction.get("base", ""))
    for child in restriction:
        if not isinstance(child.tag, str):
            continue
        local, value = etree.QName(child).localname, child.get("value")
        if value is None:
            continue
        if local == "enumeration":
            facets.enumeration.append(value)
        elif local in _LENGTHS and value.isdigit():
            facets.lengths[local] = int(value)
        elif local in _BOUNDS:
            try:
                facets.bounds[local] = float(value)
            except ValueError:
                continue
    return facets


class FacetIndex:
    """Facets of every simple type in a set of WSDL and XSD documents."""

    def __init__(self, documents: Iterable[bytes]) -> None:
        self._by_name: dict[str, Facets] = {}
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        for data in documents:
            try:
                root = etree.fromstring(data, parser)
            except etree.XMLSyntaxError:
                continue
            for schema in root.iter(f"{{{XSD_NS}}}schema"):
                self._index(schema)

    def _index(self, schema: etree._Element) -> None:
        namespace = schema.get("targetNamespace") or None
        for simple in schema.iter(f"{{{XSD_NS}}}simpleType"):
            restriction = simple.find(f"{{{XSD_NS}}}restriction")
            if restriction is None:
                continue
            holder = simple.getparent()
            name = simple.get("name") or (holder.get("name") if holder is not None else None)
            if name:
                self._by_name.setdefault(etree.QName(namespace, name).text, _read(restriction))

    def get(self, qname: str | None) -> Facets | None:
        """The facets of the type named ``qname``, inheriting what its restriction lacks."""
        facets = self._by_name.get(qname or "")
        seen = {qname}
        while facets is not None and facets.base and facets.base not in seen:
            base = self._by_name.get(facets.base)
            if base is None:
                break
            seen.add(facets.base)
            facets = Facets(
                enumeration=facets.enumeration or base.enumeration,
                lengths={**base.lengths, **facets.lengths},
                bounds={**base.bounds, **facets.bounds},
                base=base.base,
            )
        return facets
