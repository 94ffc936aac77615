"""What the WSDL tests share: where the WSDLs are, small WSDLs to write, look-ups.

Fixtures built on these (``no_internet``, ``corpus``, ``hospital``, ``assorted``) are in
``conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

from corpus_paths import WSDL_CORPUS

from apiclient.protocols.soap_wsdl import LoadedWsdl, SoapOperation

FILES = Path(__file__).parent / "wsdl_files"
CORPUS = WSDL_CORPUS
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"

# {schema}: inside <xs:schema>; {doc}: the operation's documentation;
# {messages}: more wsdl:message elements.
MINIMAL_WSDL = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" targetNamespace="urn:t">
  <types>
    <xs:schema targetNamespace="urn:t">{schema}</xs:schema>
  </types>
  <message name="In"><part name="x" type="xs:string"/></message>{messages}
  <portType name="P"><operation name="Op"><documentation>{doc}</documentation>
    <input message="tns:In"/></operation></portType>
  <binding name="B" type="tns:P">
    <soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Op"><soap:operation soapAction="urn:t/Op"/>
      <input><soap:body use="literal" namespace="urn:t"/></input></operation>
  </binding>
  <service name="S"><port name="P" binding="tns:B">
    <soap:address location="http://127.0.0.1:9/t"/></port></service>
</definitions>
"""


def minimal_wsdl(*, schema: str = "", doc: str = "", messages: str = "") -> str:
    return MINIMAL_WSDL.format(schema=schema, doc=doc, messages=messages)


# rpc/literal Add, a document message with two parts (Two), a huge message (Huge).
RPC_AND_PARTS = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" targetNamespace="urn:t">
  <types>
    <xs:schema targetNamespace="urn:t" elementFormDefault="qualified">
      <xs:element name="First" type="xs:int"/>
      <xs:element name="Second" type="xs:date"/>
      <xs:simpleType name="Country"><xs:restriction base="xs:string">{countries}
      </xs:restriction></xs:simpleType>
      <xs:complexType name="Wide"><xs:sequence>{wide}</xs:sequence></xs:complexType>
      <xs:complexType name="Row"><xs:sequence>{row}</xs:sequence></xs:complexType>
      <xs:element name="Big" type="tns:Wide"/>
    </xs:schema>
  </types>
  <message name="AddIn"><part name="a" type="xs:int"/><part name="country" type="tns:Country"/>
  </message>
  <message name="AddOut"><part name="sum" type="xs:int"/></message>
  <message name="TwoIn"><part name="one" element="tns:First"/>
    <part name="two" element="tns:Second"/></message>
  <message name="BigIn"><part name="big" element="tns:Big"/></message>
  <portType name="P">
    <operation name="Add"><input message="tns:AddIn"/><output message="tns:AddOut"/></operation>
    <operation name="Two"><input message="tns:TwoIn"/></operation>
    <operation name="Huge"><input message="tns:BigIn"/></operation>
  </portType>
  <binding name="B" type="tns:P">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Add"><soap:operation style="rpc"/>
      <input><soap:body use="literal" namespace="urn:t:calc"/></input>
      <output><soap:body use="literal" namespace="urn:t:calc"/></output></operation>
    <operation name="Two"><input><soap:body use="literal"/></input></operation>
    <operation name="Huge"><input><soap:body use="literal"/></input></operation>
  </binding>
  <service name="S"><port name="P" binding="tns:B">
    <soap:address location="http://127.0.0.1:9/t"/></port></service>
</definitions>
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def find_operation(wsdl: LoadedWsdl, port: str, name: str) -> SoapOperation:
    """The operation ``name`` of ``port`` in the WSDL's first service (it must exist)."""
    found = wsdl.find(wsdl.services[0].name, port, name)
    assert found is not None, f"{port}/{name}"
    return found
