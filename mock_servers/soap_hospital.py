"""The hospital records service behind hospital.wsdl (document/literal).

GetPatientRecord and AdmitPatient are open; ListWardPatients needs a WS-Security
UsernameToken. Admissions live in memory, one store per `create_hospital_service` call.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from lxml import etree
from lxml.builder import ElementMaker

from mock_servers.soap_endpoint import Operation, SoapCall, SoapService
from mock_servers.soap_envelope import FaultCode, SoapFault
from mock_servers.soap_wssecurity import token_required

TYPES_NS = "urn:apiclient:mock:hospital:types"
ACTION = "urn:apiclient:mock:hospital/{}"
NURSE_USERNAME = "nurse"
NURSE_PASSWORD = "s3cret"

_T = ElementMaker(namespace=TYPES_NS, nsmap={None: TYPES_NS})


@dataclass(frozen=True)
class Medication:
    code: str
    name: str
    dose: str  # xsd:decimal, kept as written
    unit: str
    frequency: str
    active: bool


@dataclass(frozen=True)
class Patient:
    patient_id: str
    given: tuple[str, ...]
    family: str
    birth_date: str
    gender: str
    address: tuple[tuple[str, ...], str, str, str] | None  # lines, city, postal code, country
    medications: tuple[Medication, ...]


PATIENTS = {
    patient.patient_id: patient
    for patient in (
        Patient(
            "P001",
            ("Ada",),
            "Lovelace",
            "1815-12-10",
            "female",
            (("12 St James's Square", "St James's"), "London", "SW1Y 4JH", "GB"),
            (
                Medication("N02BE01", "Paracetamol", "500", "mg", "every 6 hours", True),
                Medication("A11CC05", "Colecalciferol", "1000", "IU", "daily", False),
            ),
        ),
        Patient(
            "P002",
            ("Alan", "Mathison"),
            "Turing",
            "1912-06-23",
            "male",
            None,
            (Medication("A06AD11", "Lactulose", "12.5", "ml", "twice daily", True),),
        ),
    )
}
# Who lies on which ward when the service starts; admissions add to it.
WARDS = {"Cardiology": ("P001",), "Neurology": ("P002",)}


def _text(payload: etree._Element, path: str) -> str:
    """Text of a child in the types namespace ("" when absent); the schema has
    already checked the structure, so only values are left to judge."""
    return payload.findtext(path, default="", namespaces={"t": TYPES_NS}).strip()


def _known_patient(patient_id: str) -> Patient:
    if not patient_id:
        raise SoapFault(FaultCode.CLIENT, "PatientID is required")
    patient = PATIENTS.get(patient_id)
    if patient is None:
        raise SoapFault(
            FaultCode.CLIENT,
            f"No patient with ID '{patient_id}'",
            detail=_T.PatientNotFound(_T.PatientID(patient_id)),
        )
    return patient


def _patient_record(patient: Patient, with_medications: bool) -> etree._Element:
    record = _T.Patient(
        _T.PatientID(patient.patient_id),
        _T.Name(*(_T.Given(name) for name in patient.given), _T.Family(patient.family)),
        _T.BirthDate(patient.birth_date),
        _T.Gender(patient.gender),
    )
    if patient.address is not None:
        lines, city, postal_code, country = patient.address
        record.append(
            _T.Address(
                *(_T.Line(line) for line in lines),
                _T.City(city),
                _T.PostalCode(postal_code),
                _T.Country(country),
            )
        )
    if with_medications:
        record.append(
            _T.Medications(
                *(
                    _T.Medication(
                        _T.Code(m.code),
                        _T.Name(m.name),
                        _T.Dose(m.dose),
                        _T.Unit(m.unit),
                        _T.Frequency(m.frequency),
                        _T.Active("true" if m.active else "false"),
                    )
                    for m in patient.medications
                )
            )
        )
    return record


def get_patient_record(call: SoapCall) -> etree._Element:
    patient = _known_patient(_text(call.payload, "t:PatientID"))
    with_medications = _text(call.payload, "t:IncludeMedications") in {"true", "1"}
    return _T.GetPatientRecordResponse(_patient_record(patient, with_medications))


def _ward_code(ward: str) -> str:
    letters = "".join(char for char in ward if char.isalnum()).upper()
    return letters[:4] or "WARD"


def create_hospital_service(schema: etree.XMLSchema) -> SoapService:
    """A hospital with a fresh admissions store; `schema` is hospital_types.xsd."""
    admission_numbers = itertools.count(1)
    wards = {ward: list(patients) for ward, patients in WARDS.items()}
    beds_taken = {ward: len(patients) for ward, patients in WARDS.items()}

    def admit_patient(call: SoapCall) -> etree._Element:
        patient = _known_patient(_text(call.payload, "t:Admission/t:PatientID"))
        ward = _text(call.payload, "t:Admission/t:Ward")
        if not ward:
            raise SoapFault(FaultCode.CLIENT, "Ward is required")
        response = _T.AdmitPatientResponse(_T.AdmissionID(f"ADM-{next(admission_numbers):04d}"))
        # Routine admissions wait for a bed; urgent and emergency ones get one at once.
        if _text(call.payload, "t:Admission/t:Priority") == "routine":
            response.append(_T.Status("waitlisted"))
            return response
        beds_taken[ward] = beds_taken.get(ward, 0) + 1
        patients = wards.setdefault(ward, [])
        if patient.patient_id not in patients:
            patients.append(patient.patient_id)
        response.extend(
            [_T.Bed(f"{_ward_code(ward)}-{beds_taken[ward]:02d}"), _T.Status("admitted")]
        )
        return response

    def list_ward_patients(call: SoapCall) -> etree._Element:
        if call.user is None:
            raise token_required()
        ward = _text(call.payload, "t:Ward")
        return _T.ListWardPatientsResponse(*(_T.PatientID(p) for p in wards.get(ward, ())))

    return SoapService(
        operations={
            f"{{{TYPES_NS}}}{name}": Operation(ACTION.format(name), handler)
            for name, handler in (
                ("GetPatientRecord", get_patient_record),
                ("AdmitPatient", admit_patient),
                ("ListWardPatients", list_ward_patients),
            )
        },
        understood_headers=frozenset({f"{{{TYPES_NS}}}RequestContext"}),
        schema=schema,
        accounts={NURSE_USERNAME: NURSE_PASSWORD},
    )
