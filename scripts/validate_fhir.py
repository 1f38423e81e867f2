#!/usr/bin/env python3
"""Validates DermaChart's FHIR R4 exports with an external R4 model library.

Usage: scripts/validate_fhir.py FILE_OR_DIR...   (a directory means its *.json files)
       scripts/validate_fhir.py --self-test       (proves a broken Bundle is refused)

Each file must hold one Bundle. It is parsed by `fhir.resources` 5.1.1 (the FHIR
4.0.1 models: strict, so unknown elements, wrong types and missing required
elements fail), then checked here for what those models do not check: the code
lists DermaChart promises (Appointment, Encounter, Consent, Procedure, Observation,
Media, AdverseEvent), UCUM units, the Consent invariant ppc-1, our ids and
urn:uuid references. Exits 0 when every file passes, 1 with a message per problem
otherwise, 2 when the library is missing.
"""
import json
import pathlib
import re
import sys

try:
    import fhir.resources
    from fhir.resources.bundle import Bundle
    from fhir.resources.fhirabstractbase import FHIRValidationError
except ImportError:  # pragma: no cover - reported to the caller
    print(
        "validate_fhir: the Python package fhir.resources==5.1.1 is not installed "
        "(python3 -m pip install -r scripts/requirements-fhir.txt)",
        file=sys.stderr,
    )
    sys.exit(2)

if fhir.resources.__fhir_version__ != "4.0.1":
    print(f"validate_fhir: fhir.resources models FHIR {fhir.resources.__fhir_version__}, "
          "not R4 4.0.1 (install scripts/requirements-fhir.txt)", file=sys.stderr)
    sys.exit(2)

UCUM = "http://unitsofmeasure.org"
SKIN_METRIC = "https://dermachart.invalid/fhir/CodeSystem/skin-metric"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"

# The R4 (4.0.1) required value sets of the elements we fill.
APPOINTMENT_STATUS = {"proposed", "pending", "booked", "arrived", "fulfilled", "cancelled",
                      "noshow", "entered-in-error", "checked-in", "waitlist"}
PARTICIPATION_STATUS = {"accepted", "declined", "tentative", "needs-action"}
ENCOUNTER_STATUS = {"planned", "arrived", "triaged", "in-progress", "onleave", "finished",
                    "cancelled", "entered-in-error", "unknown"}
CONSENT_STATUS = {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"}
CONSENT_SCOPES = {"adr", "research", "patient-privacy", "treatment"}
EVENT_STATUS = {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
                "entered-in-error", "unknown"}
OBSERVATION_STATUS = {"registered", "preliminary", "final", "amended", "corrected",
                      "cancelled", "entered-in-error", "unknown"}
AE_ACTUALITY = {"actual", "potential"}
AE_SEVERITIES = {"mild", "moderate", "severe"}
AE_SERIOUSNESSES = {"Non-serious", "Serious", "SeriousResultsInDeath",
                    "SeriousResultsInHospitalization", "SeriousIsLifeThreatening",
                    "SeriousResultsInDisability", "SeriousResultsInCongenitalAnomaly",
                    "SeriousRequiresPreventImpairment"}
AE_OUTCOMES = {"resolved", "recovering", "ongoing", "resolvedWithSequelae", "fatal", "unknown"}
GENDERS = {"male", "female", "other", "unknown"}
# Each metric's one UCUM unit (src/domain/outcomes.rs).
METRIC_UNITS = {
    "skin_moisture": "[arb'U]", "firmness": "mm", "elasticity": "1",
    "wrinkle_severity": "{score}", "pigmentation": "[arb'U]", "gais": "{score}",
    "satisfaction": "{score}",
}
# FHIR dateTime with a time (so a zone is required) or a date; instants are the former.
DATE_TIME = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?$")
TIME_KEYS = {"timestamp", "start", "end", "created", "dateTime", "effectiveDateTime",
             "performedDateTime", "createdDateTime", "date", "recordedDate", "birthDate"}
INSTANT_KEYS = {"timestamp", "start", "end"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def codes(concept, system):
    """The codes of a CodeableConcept in one system."""
    return [c.get("code") for c in (concept or {}).get("coding", []) if c.get("system") == system]


def one_code(problems, where, concept, system, allowed):
    found = codes(concept, system)
    if len(found) != 1 or found[0] not in allowed:
        problems.append(f"{where}: needs one {system} code of {sorted(allowed)}, has {found}")


def check_codes(bundle):
    """What the R4 models do not check. Returns a list of problems."""
    problems = []
    if bundle.get("type") != "collection":
        problems.append(f"Bundle.type is {bundle.get('type')!r}, not 'collection'")
    entries = bundle.get("entry") or []
    full_urls = set()
    for i, entry in enumerate(entries):
        r = entry.get("resource") or {}
        rid = r.get("id", "")
        if not UUID.match(rid):
            problems.append(f"entry[{i}] {r.get('resourceType')}: id {rid!r} is not a UUID")
        if entry.get("fullUrl") != f"urn:uuid:{rid}":
            problems.append(f"entry[{i}]: fullUrl {entry.get('fullUrl')!r} is not urn:uuid:<id>")
        if entry.get("fullUrl") in full_urls:
            problems.append(f"entry[{i}]: fullUrl {entry.get('fullUrl')!r} appears twice")
        full_urls.add(entry.get("fullUrl"))
    patients = [e["resource"] for e in entries if (e.get("resource") or {}).get("resourceType") == "Patient"]
    if len(patients) != 1:
        problems.append(f"the Bundle holds {len(patients)} Patient resources, not 1")

    def refs(node, path):
        if isinstance(node, dict):
            for k in TIME_KEYS & node.keys():
                v = node[k]
                if not isinstance(v, str) or not DATE_TIME.match(v) or (
                        k in INSTANT_KEYS and "T" not in v):
                    problems.append(f"{path}.{k} {v!r} is not a FHIR dateTime/instant")
            ref = node.get("reference")
            if isinstance(ref, str) and ref not in full_urls:
                problems.append(f"{path}.reference {ref!r} resolves to no entry of the Bundle")
            for k, v in node.items():
                refs(v, f"{path}.{k}")
        elif isinstance(node, list):
            for j, v in enumerate(node):
                refs(v, f"{path}[{j}]")

    for i, entry in enumerate(entries):
        r = entry.get("resource") or {}
        kind = r.get("resourceType")
        where = f"entry[{i}] {kind}/{r.get('id')}"
        refs(r, where)
        if kind == "Patient":
            if r.get("gender") not in GENDERS:
                problems.append(f"{where}: gender {r.get('gender')!r}")
        elif kind == "Appointment":
            if r.get("status") not in APPOINTMENT_STATUS:
                problems.append(f"{where}: status {r.get('status')!r} is not an R4 AppointmentStatus")
            participants = r.get("participant") or []
            if not participants:
                problems.append(f"{where}: no participant")
            for p in participants:
                if p.get("status") not in PARTICIPATION_STATUS:
                    problems.append(f"{where}: participant status {p.get('status')!r}")
                if "actor" not in p and "type" not in p:
                    problems.append(f"{where}: app-1 participant needs actor or type")
        elif kind == "Encounter":
            if r.get("status") not in ENCOUNTER_STATUS:
                problems.append(f"{where}: status {r.get('status')!r}")
            cls = r.get("class") or {}
            if cls.get("system") != ACT_CODE or not cls.get("code"):
                problems.append(f"{where}: class must be a v3 ActCode")
        elif kind == "Consent":
            if r.get("status") not in CONSENT_STATUS:
                problems.append(f"{where}: status {r.get('status')!r} is not an R4 ConsentState")
            one_code(problems, f"{where}.scope", r.get("scope"), CONSENT_SCOPE, CONSENT_SCOPES)
            if not r.get("category"):
                problems.append(f"{where}: no category")
            if not r.get("policy") and not r.get("policyRule"):
                problems.append(f"{where}: ppc-1 needs policy or policyRule")
        elif kind == "Procedure":
            if r.get("status") not in EVENT_STATUS:
                problems.append(f"{where}: status {r.get('status')!r}")
        elif kind == "Observation":
            if r.get("status") not in OBSERVATION_STATUS:
                problems.append(f"{where}: status {r.get('status')!r}")
            metric = codes(r.get("code"), SKIN_METRIC)
            q = r.get("valueQuantity") or {}
            if len(metric) != 1 or metric[0] not in METRIC_UNITS:
                problems.append(f"{where}: code needs one {SKIN_METRIC} metric, has {metric}")
            elif q.get("system") != UCUM or q.get("code") != METRIC_UNITS[metric[0]]:
                problems.append(
                    f"{where}: {metric[0]} must be in UCUM {METRIC_UNITS[metric[0]]!r}, "
                    f"has system {q.get('system')!r} code {q.get('code')!r}")
        elif kind == "Media":
            if r.get("status") not in EVENT_STATUS:
                problems.append(f"{where}: status {r.get('status')!r}")
            content = r.get("content") or {}
            if "data" in content or not content.get("url") or not content.get("contentType"):
                problems.append(f"{where}: content needs contentType and url, never inline data")
        elif kind == "AdverseEvent":
            if r.get("actuality") not in AE_ACTUALITY:
                problems.append(f"{where}: actuality {r.get('actuality')!r}")
            one_code(problems, f"{where}.seriousness", r.get("seriousness"), AE_SERIOUSNESS, AE_SERIOUSNESSES)
            one_code(problems, f"{where}.severity", r.get("severity"), AE_SEVERITY, AE_SEVERITIES)
            one_code(problems, f"{where}.outcome", r.get("outcome"), AE_OUTCOME, AE_OUTCOMES)
    return problems


def validate(bundle):
    """Every problem of one Bundle (JSON already parsed)."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return ["not a Bundle"]
    problems = []
    try:
        parsed = Bundle(bundle, strict=True)
        parsed.as_json()  # checks required elements once more, on the way out
    except FHIRValidationError as e:
        problems.append(f"FHIR R4 schema: {e}")
    except Exception as e:  # the models raise plain exceptions for some type errors
        problems.append(f"FHIR R4 schema: {type(e).__name__}: {e}")
    return problems + check_codes(bundle)


def files_of(args):
    out = []
    for a in args:
        p = pathlib.Path(a)
        out.extend(sorted(p.glob("*.json")) if p.is_dir() else [p])
    return out


def self_test():
    """A valid Bundle passes; each kind of breakage is refused."""
    pid, aid, cid = ("00000000-0000-7000-8000-00000000000" + str(n) for n in (1, 2, 3))
    good = {
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:{pid}", "resource": {"resourceType": "Patient", "id": pid, "gender": "female"}},
            {"fullUrl": f"urn:uuid:{aid}", "resource": {
                "resourceType": "Appointment", "id": aid, "status": "booked",
                "participant": [{"actor": {"reference": f"urn:uuid:{pid}"}, "status": "accepted"}]}},
            {"fullUrl": f"urn:uuid:{cid}", "resource": {
                "resourceType": "Observation", "id": cid, "status": "final",
                "code": {"coding": [{"system": SKIN_METRIC, "code": "firmness"}]},
                "subject": {"reference": f"urn:uuid:{pid}"},
                "valueQuantity": {"value": 1.2, "system": UCUM, "code": "mm", "unit": "mm"}}},
        ],
    }
    assert validate(good) == [], validate(good)
    breakages = {
        "unknown element": lambda b: b["entry"][0]["resource"].update(colour="blue"),
        "missing required Appointment.status": lambda b: b["entry"][1]["resource"].pop("status"),
        "non-R4 appointment status": lambda b: b["entry"][1]["resource"].update(status="confirmed"),
        "non-UCUM unit": lambda b: b["entry"][2]["resource"]["valueQuantity"].update(system="http://example.org"),
        "wrong unit for the metric": lambda b: b["entry"][2]["resource"]["valueQuantity"].update(code="cm"),
        "an instant without a zone": lambda b: b["entry"][1]["resource"].update(
            start="2026-01-01T10:00:00", end="2026-01-01T11:00:00Z"),
        "dangling reference": lambda b: b["entry"][2]["resource"]["subject"].update(reference="urn:uuid:nope"),
        "not a collection": lambda b: b.update(type="document"),
    }
    for name, breaks in breakages.items():
        bad = json.loads(json.dumps(good))
        breaks(bad)
        assert validate(bad), f"self-test: a Bundle with {name} was accepted"
    print(f"validate_fhir self-test: a valid Bundle passes, {len(breakages)} broken ones are refused")


def main(argv):
    if argv == ["--self-test"]:
        self_test()
        return 0
    files = files_of(argv)
    if not files:
        print("validate_fhir: no Bundle files given", file=sys.stderr)
        return 1
    failed = 0
    for f in files:
        try:
            bundle = json.loads(pathlib.Path(f).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            print(f"FAIL {f}: cannot read JSON: {e}")
            failed += 1
            continue
        problems = validate(bundle)
        kinds = sorted({(e.get("resource") or {}).get("resourceType", "?") for e in bundle.get("entry") or []})
        if problems:
            failed += 1
            print(f"FAIL {f}:")
            for p in problems:
                print(f"  - {p}")
        else:
            print(f"ok   {f}: FHIR {fhir.resources.__fhir_version__} Bundle, "
                  f"{len(bundle.get('entry') or [])} entries ({', '.join(kinds)})")
    print(f"validate_fhir: {len(files) - failed} of {len(files)} Bundle(s) valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
