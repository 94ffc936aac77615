"""A WSDL of thousands of operations loaded in the SOAP tab: time, longest GUI stall."""

from __future__ import annotations

import asyncio
import time

from bench_common import fresh_app_dirs, stall_meter, window_on_loop


def _big_wsdl(operations: int) -> str:
    """A document/literal WSDL with ``operations`` operations, each with a nested type."""
    types, messages, port_ops, binding_ops = [], [], [], []
    for i in range(operations):
        types.append(
            f'<xs:element name="Op{i}"><xs:complexType><xs:sequence>'
            + "".join(f'<xs:element name="Field{j}" type="xs:string"/>' for j in range(8))
            + '<xs:element name="Child" minOccurs="0"><xs:complexType><xs:sequence>'
            '<xs:element name="Value" type="xs:int" maxOccurs="unbounded"/>'
            "</xs:sequence></xs:complexType></xs:element>"
            "</xs:sequence></xs:complexType></xs:element>"
            f'<xs:element name="Op{i}Response" type="xs:string"/>'
        )
        messages.append(
            f'<message name="Op{i}In"><part name="p" element="tns:Op{i}"/></message>'
            f'<message name="Op{i}Out"><part name="p" element="tns:Op{i}Response"/></message>'
        )
        port_ops.append(
            f'<operation name="Op{i}"><input message="tns:Op{i}In"/>'
            f'<output message="tns:Op{i}Out"/></operation>'
        )
        binding_ops.append(
            f'<operation name="Op{i}"><soap:operation soapAction="urn:big/Op{i}"/>'
            '<input><soap:body use="literal"/></input>'
            '<output><soap:body use="literal"/></output></operation>'
        )
    return (
        '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" '
        'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:big" targetNamespace="urn:big">'
        '<types><xs:schema targetNamespace="urn:big" elementFormDefault="qualified">'
        + "".join(types)
        + "</xs:schema></types>"
        + "".join(messages)
        + '<portType name="BigPort">'
        + "".join(port_ops)
        + '</portType><binding name="BigBinding" type="tns:BigPort">'
        '<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>'
        + "".join(binding_ops)
        + '</binding><service name="BigService"><port name="BigSoap" binding="tns:BigBinding">'
        '<soap:address location="http://127.0.0.1:9/big"/></port></service></definitions>'
    )


def bench_big_wsdl(operations: int) -> None:
    """Load a WSDL of many operations in the SOAP tab: how long, and the longest stall of
    the GUI thread meanwhile (zeep parses in a worker thread but holds the GIL)."""

    from apiclient.ui.workers import import_in_worker

    tmp = fresh_app_dirs()
    wsdl = tmp / "big.wsdl"
    wsdl.write_text(_big_wsdl(operations), encoding="utf-8")
    loop, window = window_on_loop()
    gaps, last, ticker = stall_meter()

    async def measure() -> tuple[float, float]:
        soap = window.soap
        window.tabs.setCurrentWidget(soap)
        soap.wsdl_panel.location.setText(str(wsdl))
        # zeep and lxml are imported by then in a session (first SOAP use); their import
        # is a start-up cost, measured apart from the load.
        await import_in_worker("apiclient.protocols.soap_wsdl", "apiclient.protocols.soap")
        await asyncio.sleep(0.2)
        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        start = time.perf_counter()
        soap.load_wsdl()
        while soap.is_loading():
            await asyncio.sleep(0.005)
        loaded = time.perf_counter() - start
        await asyncio.sleep(0.1)
        ticker.stop()
        assert soap.wsdl is not None, soap.wsdl_panel.status.text()
        return loaded, max(gaps) * 1000

    with loop:
        loaded, stall = loop.run_until_complete(measure())
        loop.run_until_complete(window.shutdown())
    print(f"wsdl_{operations}_ops_load_s: {loaded:.2f} s ({wsdl.stat().st_size // 1024} KB)")
    print(f"wsdl_{operations}_ops_max_stall_ms: {stall:.0f} ms")


def run(quick: bool) -> None:
    bench_big_wsdl(operations=500 if quick else 3000)
