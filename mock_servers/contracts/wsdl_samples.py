"""Sample values for zeep's schema objects, valid for the schema and plausible for the
names: the keyword arguments zeep's message ``serialize`` takes.

Simple values are generated in their lexical form (what the XML holds) and turned into
what zeep expects with the type's own ``pythonvalue``, so every built-in type, and
every type derived from one, is written back exactly as generated.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from zeep.xsd import (
    All,
    AnySimpleType,
    AnyType,
    Choice,
    ComplexType,
    Element,
    Group,
    ListType,
    Sequence,
    UnionType,
)
from zeep.xsd import Any as AnyParticle
from zeep.xsd.types import builtins as b

from mock_servers.contracts.fake_data import FakeData
from mock_servers.contracts.wsdl_facets import FacetIndex, Facets

# Optional elements stop this deep, so recursive types stay finite; required ones later.
OPTIONAL_DEPTH = 6
REQUIRED_DEPTH = 20
# Integer types with small ranges, and the bounds of the sign-restricted ones.
_INTEGER_BOUNDS: list[tuple[type, int | None, int | None]] = [
    (b.UnsignedByte, 0, 255),
    (b.Byte, -128, 127),
    (b.UnsignedShort, 0, 65535),
    (b.Short, -32768, 32767),
    (b.PositiveInteger, 1, None),
    (b.NonNegativeInteger, 0, None),
    (b.NegativeInteger, None, -1),
    (b.NonPositiveInteger, None, 0),
]
_NAME_TYPES = (b.NCName, b.Name, b.NmToken)
# What fills a required xsd:any: an element of the mock's own (lax processing accepts it).
ANY_TAG = "{urn:apiclient:mock}sample"


class SampleGenerator:
    """Values for elements and types, the same for the same seed and path."""

    def __init__(self, fake: FakeData, facets: FacetIndex) -> None:
        self.fake = fake
        self.facets = facets

    def element(self, element: Element, path: str, depth: int = 0) -> Any:
        """The value of ``element``: a list when it repeats, None when left out."""
        optional = element.min_occurs == 0
        if depth > (OPTIONAL_DEPTH if optional else REQUIRED_DEPTH):
            return None
        if element.max_occurs != 1:
            high = 4 if element.max_occurs == "unbounded" else min(4, int(element.max_occurs))
            low = min(max(int(element.min_occurs), 2), high)
            count = self.fake.list_length(path, low, high)
            return [
                self.type(element.type, f"{path}[{i}]", element.name, depth) for i in range(count)
            ]
        return self.type(element.type, path, element.name, depth)

    def type(self, type_: Any, path: str, name: str, depth: int) -> Any:
        """A value of the zeep type ``type_`` for a field called ``name``."""
        if isinstance(type_, ComplexType):
            return self.complex(type_, path, depth + 1)
        if isinstance(type_, ListType):
            item = type_.item_type
            return [self.type(item, f"{path}[{i}]", name, depth) for i in range(2)]
        if isinstance(type_, UnionType):
            return self.type(type_.item_types[0], path, name, depth)
        if isinstance(type_, AnySimpleType | AnyType):
            lexical = self.lexical(type_, path, name)
            return type_.pythonvalue(lexical) if isinstance(type_, AnySimpleType) else lexical
        return self.fake.string(path, name)

    def complex(self, type_: ComplexType, path: str, depth: int) -> dict[str, Any]:
        """Keyword arguments for a complex type: its elements, then its attributes."""
        values = self._fill(type_.elements_nested, path, depth, {})
        for name, attribute in type_.attributes:
            if getattr(attribute, "type", None) is None or name.startswith("_attr_"):
                continue
            values[name] = self.type(
                attribute.type, f"{path}@{name}", attribute.name or name, depth
            )
        return {key: value for key, value in values.items() if value is not None}

    def _fill(
        self, particles: list[tuple[str | None, Any]], path: str, depth: int, into: dict[str, Any]
    ) -> dict[str, Any]:
        """Add the values of zeep's ``(name, particle)`` pairs to ``into``.

        A repeating group is a list of dicts under the name zeep gives it; any other
        group spreads its elements among its parent's.
        """
        for name, particle in particles:
            if isinstance(particle, Element):
                label = particle.name if name and not name.startswith("_value_") else ""
                into[str(name)] = self.element(
                    particle, f"{path}.{label}" if label else path, depth
                )
            elif isinstance(particle, AnyParticle):
                if particle.min_occurs > 0:
                    value = etree.Element(ANY_TAG)
                    value.text = self.fake.string(f"{path}.{name}", "value")
                    into[str(name)] = [value] if particle.accepts_multiple else value
            elif isinstance(particle, Choice | Sequence | All | Group):
                if name is not None and particle.accepts_multiple:
                    into[name] = [self._group(particle, f"{path}.{name}", depth)]
                else:
                    into.update(self._group(particle, path, depth))
        return into

    def _group(self, particle: Any, path: str, depth: int) -> dict[str, Any]:
        if isinstance(particle, Group):
            return self._group(particle.child, path, depth)
        if isinstance(particle, Choice):
            if not len(particle):
                return {}
            option = particle[0]
            if isinstance(option, Element):
                return self._fill([(option.attr_name, option)], path, depth, {})
            return self._group(option, path, depth)
        return self._fill(particle.elements_nested, path, depth, {})

    def lexical(self, type_: Any, path: str, name: str) -> str:
        """The text of a simple value of ``type_``, within its facets."""
        facets = self.facets.get(getattr(type_, "qname", None) and type_.qname.text)
        if facets is not None and facets.enumeration:
            return str(self.fake.choice(path, facets.enumeration))
        facets = facets or Facets()
        if isinstance(type_, b.Boolean):
            return "true" if self.fake.boolean(path) else "false"
        if isinstance(type_, b.Integer):
            return str(self._integer(type_, path, name, facets))
        if isinstance(type_, b.Decimal | b.Float | b.Double):
            low, high = facets.number_range()
            return f"{self.fake.number(path, name, low, high):.2f}"
        moment = self.fake.string(path, name, "date-time")
        temporal = {
            b.DateTime: moment,
            b.Date: moment[:10],
            b.Time: moment[11:19],
            b.gYearMonth: moment[:7],
            b.gYear: moment[:4],
            b.gMonthDay: "--" + moment[5:10],
            b.gDay: "---" + moment[8:10],
            b.gMonth: "--" + moment[5:7],
        }
        for kind, text in temporal.items():
            if isinstance(type_, kind):
                return text
        if isinstance(type_, b.Duration):
            return f"P{self.fake.integer(path, 'days', 1, 30)}D"
        if isinstance(type_, b.HexBinary):
            return self.fake.rng(path).randbytes(8).hex().upper()
        if isinstance(type_, b.Base64Binary):
            return "aGVsbG8gd29ybGQ="
        if isinstance(type_, b.AnyURI):
            return self.fake.string(path, name, "uri")
        if isinstance(type_, b.Language):
            return self.fake.string(path, "language")
        if isinstance(type_, b.QName):
            return "value"
        if isinstance(type_, _NAME_TYPES):
            return self._name_token(path, name, type_)
        return self._text(path, name, facets, isinstance(type_, b.Token))

    def _integer(self, type_: Any, path: str, name: str, facets: Facets) -> int:
        low, high = facets.number_range()
        for kind, kind_low, kind_high in _INTEGER_BOUNDS:
            if isinstance(type_, kind):
                if kind_low is not None:
                    low = kind_low if low is None else max(low, kind_low)
                if kind_high is not None:
                    high = kind_high if high is None else min(high, kind_high)
                break
        return self.fake.integer(
            path,
            name,
            None if low is None else int(low),
            None if high is None else int(high),
        )

    def _name_token(self, path: str, name: str, type_: Any) -> str:
        word = str(self.fake.choice(path, ("alpha", "river", "amber", "orbit", "cedar")))
        token = f"{word}-{self.fake.integer(path, 'id', 100, 999)}"
        many = isinstance(type_, b.NmTokens | b.IDREFS | b.Entities)
        return f"{token} {word}-1" if many else token

    def _text(self, path: str, name: str, facets: Facets, collapse: bool) -> str:
        text = self.fake.string(path, name)
        if collapse:
            text = " ".join(text.split())
        low, high = facets.length_range()
        if high is not None:
            text = text[:high].rstrip() if collapse else text[:high]
        if low is not None and len(text) < low:
            text = (text + "x" * low)[: max(low, high or low)]
        return text
