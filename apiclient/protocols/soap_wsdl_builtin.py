"""Schemas every SOAP toolkit takes for granted, served from here instead of the internet.

zeep fetches the SOAP 1.1 encoding schema from schemas.xmlsoap.org whenever an
rpc/encoded WSDL mentions it, and the xml: namespace schema from www.w3.org; gSOAP-made
WSDLs import the SOAP 1.2 encoding namespace without saying where it is. Loading must
work offline and must not depend on those hosts, so these compact equivalents (written
for apiclient, after the W3C schemas) answer for them. The 1.2 encoding schema also
declares ``arrayType``, which gSOAP uses there although the 1.2 specification does not.
"""

from __future__ import annotations

from apiclient.protocols.soap_xml import SOAP11_ENCODING_NS, SOAP12_ENCODING_NS, XML_NS

# Every XSD simple type gets a SOAP-encoding twin that carries id/href.
_SIMPLE_TYPES = (
    "string",
    "boolean",
    "float",
    "double",
    "decimal",
    "duration",
    "dateTime",
    "time",
    "date",
    "gYearMonth",
    "gYear",
    "gMonthDay",
    "gDay",
    "gMonth",
    "hexBinary",
    "base64Binary",
    "anyURI",
    "QName",
    "NOTATION",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NMTOKEN",
    "NCName",
    "NMTOKENS",
    "ID",
    "IDREF",
    "ENTITY",
    "IDREFS",
    "ENTITIES",
    "integer",
    "nonPositiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "nonNegativeInteger",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "positiveInteger",
)


def _encoding_schema(namespace: str, reference_attributes: str) -> bytes:
    simple = "".join(
        f'<xs:element name="{name}" type="tns:{name}"/>'
        f'<xs:complexType name="{name}"><xs:simpleContent><xs:extension base="xs:{name}">'
        '<xs:attributeGroup ref="tns:commonAttributes"/></xs:extension></xs:simpleContent>'
        "</xs:complexType>"
        for name in _SIMPLE_TYPES
    )
    any_content = (
        '<xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" '
        'processContents="lax"/></xs:sequence>'
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="{namespace}" '
        f'targetNamespace="{namespace}">'
        f'<xs:attributeGroup name="commonAttributes">{reference_attributes}'
        '<xs:anyAttribute namespace="##other" processContents="lax"/></xs:attributeGroup>'
        '<xs:attribute name="root" type="xs:boolean"/>'
        '<xs:attribute name="arrayType" type="xs:string"/>'
        '<xs:attribute name="offset" type="xs:string"/>'
        '<xs:attribute name="position" type="xs:string"/>'
        '<xs:attribute name="itemType" type="xs:QName"/>'
        '<xs:attribute name="arraySize" type="xs:string"/>'
        '<xs:attributeGroup name="arrayAttributes"><xs:attribute ref="tns:arrayType"/>'
        '<xs:attribute ref="tns:offset"/></xs:attributeGroup>'
        f'<xs:group name="Array">{any_content}</xs:group>'
        '<xs:element name="Array" type="tns:Array"/>'
        '<xs:complexType name="Array"><xs:group ref="tns:Array" minOccurs="0"/>'
        '<xs:attributeGroup ref="tns:arrayAttributes"/>'
        '<xs:attributeGroup ref="tns:commonAttributes"/></xs:complexType>'
        f'<xs:group name="Struct">{any_content}</xs:group>'
        '<xs:element name="Struct" type="tns:Struct"/>'
        '<xs:complexType name="Struct"><xs:group ref="tns:Struct" minOccurs="0"/>'
        '<xs:attributeGroup ref="tns:commonAttributes"/></xs:complexType>'
        '<xs:simpleType name="base64"><xs:restriction base="xs:base64Binary"/></xs:simpleType>'
        f"{simple}</xs:schema>"
    )
    return text.encode("utf-8")


_XML_SCHEMA = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    f'targetNamespace="{XML_NS}" xml:lang="en">'
    '<xs:attribute name="lang"><xs:simpleType><xs:union memberTypes="xs:language">'
    '<xs:simpleType><xs:restriction base="xs:string"><xs:enumeration value=""/>'
    "</xs:restriction></xs:simpleType></xs:union></xs:simpleType></xs:attribute>"
    '<xs:attribute name="space"><xs:simpleType><xs:restriction base="xs:NCName">'
    '<xs:enumeration value="default"/><xs:enumeration value="preserve"/>'
    "</xs:restriction></xs:simpleType></xs:attribute>"
    '<xs:attribute name="base" type="xs:anyURI"/>'
    '<xs:attribute name="id" type="xs:ID"/>'
    '<xs:attributeGroup name="specialAttrs"><xs:attribute ref="xml:base"/>'
    '<xs:attribute ref="xml:lang"/><xs:attribute ref="xml:space"/>'
    '<xs:attribute ref="xml:id"/></xs:attributeGroup>'
    "</xs:schema>"
).encode()

_SOAP11_ENCODING = _encoding_schema(
    SOAP11_ENCODING_NS,
    '<xs:attribute name="id" type="xs:ID"/><xs:attribute name="href" type="xs:anyURI"/>',
)
_SOAP12_ENCODING = _encoding_schema(
    SOAP12_ENCODING_NS,
    '<xs:attribute name="id" type="xs:ID"/><xs:attribute name="ref" type="xs:IDREF"/>'
    '<xs:attribute name="nodeType" type="xs:string"/>',
)

# Where each built-in schema is "published": the location zeep asks for, and the one
# written into an import that names the namespace but no location.
LOCATION_BY_NAMESPACE = {
    SOAP11_ENCODING_NS: SOAP11_ENCODING_NS,
    SOAP12_ENCODING_NS: SOAP12_ENCODING_NS,
    XML_NS: "https://www.w3.org/2001/xml.xsd",
}

BUILTIN_DOCUMENTS: dict[str, bytes] = {
    SOAP11_ENCODING_NS: _SOAP11_ENCODING,
    SOAP12_ENCODING_NS: _SOAP12_ENCODING,
    "https://www.w3.org/2001/xml.xsd": _XML_SCHEMA,
    "http://www.w3.org/2001/xml.xsd": _XML_SCHEMA,
}
