//! FHIR R4 (4.0.1) export: a [`Chart`] as a `collection` Bundle. Pure functions, no
//! database; the handlers in `routes/export.rs` load the chart and audit the export.
//!
//! Resource ids are our UUIDs and every `fullUrl` is `urn:uuid:<id>`, so references
//! inside the Bundle are `urn:uuid:` references. Staff appear only by display name
//! (`Reference.display`), never by user id. Code choices:
//!
//! | ours | FHIR |
//! | --- | --- |
//! | appointment `booked`, `confirmed` | `booked` (R4 has no separate "confirmed": a confirmed booking is still booked) |
//! | `checked_in`, `in_progress` | `checked-in` (R4 `arrived` means waiting *before* check-in; R4 has no "in progress", the Encounter carries that) |
//! | `completed` · `cancelled` · `no_show` | `fulfilled` · `cancelled` · `noshow` |
//! | consultation `signed` · `draft` | Encounter `finished` · `in-progress`, class v3 ActCode `AMB` |
//! | procedure `signed` · `draft` | Procedure `completed` · `in-progress` |
//! | consent `pending` · `signed` · `revoked` (after signing) · `revoked` (never signed) · `expired` | `proposed` · `active` · `inactive` · `rejected` · `inactive` |
//! | consent scope `treatment` · `photography`, `marketing` | consentScope `treatment` · `patient-privacy` |
//! | adverse event severity `mild` · `moderate` · `severe` · `serious` | severity `mild` · `moderate` · `severe` · `severe`; seriousness `Serious` only for `serious`, else `Non-serious` |
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::api::adverse::AdverseEvent;
use crate::api::appointments::Appointment;
use crate::api::consents::Consent;
use crate::api::measurements::Measurement;
use crate::api::notes::{Consultation, Procedure};
use crate::domain::adverse::Severity;
use crate::domain::clinical::NoteStatus;
use crate::domain::consent::{ConsentScope, ConsentStatus};
use crate::domain::schedule::AppointmentStatus;
use crate::services::chart::{Chart, ChartPhoto};

/// The media type of every export answer.
pub const FHIR_JSON: &str = "application/fhir+json";
/// Our own code system for skin metrics (the codes are the API's metric names).
pub const SKIN_METRIC_SYSTEM: &str = "https://dermachart.invalid/fhir/CodeSystem/skin-metric";
/// Our own code system for adverse-event kinds.
pub const ADVERSE_KIND_SYSTEM: &str =
    "https://dermachart.invalid/fhir/CodeSystem/adverse-event-kind";
/// Medical record numbers.
pub const MRN_SYSTEM: &str = "https://dermachart.invalid/fhir/NamingSystem/mrn";
/// Consent templates, as the policy a Consent follows.
pub const CONSENT_POLICY_BASE: &str = "https://dermachart.invalid/fhir/consent-template/";
pub const UCUM: &str = "http://unitsofmeasure.org";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const LOINC: &str = "http://loinc.org";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const MEDIA_TYPE: &str = "http://terminology.hl7.org/CodeSystem/media-type";
const AE_SEVERITY: &str = "http://terminology.hl7.org/CodeSystem/adverse-event-severity";
const AE_SERIOUSNESS: &str = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness";
const AE_OUTCOME: &str = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome";

/// Who the export is for: it decides where photo links point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// `/patients/{id}/export`: photos at `/api/v1/photos/{id}`.
    Staff,
    /// `/me/export`: photos at `/api/v1/me/photos/{id}`.
    Patient,
}

/// The Bundle of a chart. For the patient's own export pass `chart.for_patient()`.
pub fn bundle(chart: &Chart, audience: Audience, generated_at: DateTime<Utc>) -> Value {
    let patient_ref = reference(chart.patient.id.0);
    let mut entries = vec![patient(chart)];
    entries.extend(
        chart
            .appointments
            .iter()
            .map(|a| appointment(chart, a, &patient_ref)),
    );
    entries.extend(
        chart
            .consultations
            .iter()
            .map(|c| encounter(chart, c, &patient_ref)),
    );
    entries.extend(chart.consents.iter().map(|c| consent(c, &patient_ref)));
    entries.extend(
        chart
            .procedures
            .iter()
            .map(|p| procedure(chart, p, &patient_ref)),
    );
    entries.extend(
        chart
            .measurements
            .iter()
            .map(|m| observation(m, &patient_ref)),
    );
    entries.extend(
        chart
            .photos
            .iter()
            .map(|p| media(p, audience, &patient_ref)),
    );
    entries.extend(
        chart
            .adverse_events
            .iter()
            .map(|e| adverse_event(chart, e, &patient_ref)),
    );
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": instant(generated_at),
        "entry": entries
            .into_iter()
            .map(|resource| {
                let id = resource["id"].as_str().unwrap_or_default().to_owned();
                json!({"fullUrl": format!("urn:uuid:{id}"), "resource": resource})
            })
            .collect::<Vec<_>>(),
    })
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn reference(id: uuid::Uuid) -> Value {
    json!({ "reference": format!("urn:uuid:{id}") })
}

fn text(t: &str) -> Value {
    json!({ "text": t })
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"coding": [{"system": system, "code": code, "display": display}], "text": display})
}

/// Puts `value` under `key` unless it is empty.
fn put(resource: &mut Value, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        resource[key] = v;
    }
}

fn non_empty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn patient(chart: &Chart) -> Value {
    let p = &chart.patient;
    let mut r = json!({
        "resourceType": "Patient",
        "id": p.id.0.to_string(),
        "identifier": [{"system": MRN_SYSTEM, "value": p.mrn}],
        "active": !p.archived,
        "name": [{"use": "official", "family": p.family_name, "given": [p.given_name]}],
        "gender": p.sex.map_or("unknown", |s| s.as_str()),
        "birthDate": p.date_of_birth.format("%Y-%m-%d").to_string(),
    });
    let mut telecom = Vec::new();
    if let Some(phone) = p.phone.as_deref().and_then(non_empty) {
        telecom.push(json!({"system": "phone", "value": phone}));
    }
    if let Some(email) = p.email.as_deref().and_then(non_empty) {
        telecom.push(json!({"system": "email", "value": email}));
    }
    put(
        &mut r,
        "telecom",
        (!telecom.is_empty()).then(|| json!(telecom)),
    );
    put(
        &mut r,
        "address",
        p.address
            .as_deref()
            .and_then(non_empty)
            .map(|a| json!([{ "text": a }])),
    );
    put(
        &mut r,
        "contact",
        p.emergency_contact.as_ref().map(|c| {
            json!([{
                "relationship": [text(&c.relationship)],
                "name": {"text": c.name},
                "telecom": [{"system": "phone", "value": c.phone}],
            }])
        }),
    );
    r
}

/// R4 Appointment.status for ours (see the module table).
pub fn appointment_status(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Booked | AppointmentStatus::Confirmed => "booked",
        AppointmentStatus::CheckedIn | AppointmentStatus::InProgress => "checked-in",
        AppointmentStatus::Completed => "fulfilled",
        AppointmentStatus::Cancelled => "cancelled",
        AppointmentStatus::NoShow => "noshow",
    }
}

fn appointment(chart: &Chart, a: &Appointment, patient_ref: &Value) -> Value {
    let practitioner = chart
        .practitioner_names
        .get(&a.practitioner_id)
        .map_or("Clinic practitioner", String::as_str);
    let mut patient_actor = patient_ref.clone();
    patient_actor["display"] = json!(format!(
        "{} {}",
        chart.patient.given_name, chart.patient.family_name
    ));
    let mut r = json!({
        "resourceType": "Appointment",
        "id": a.id.0.to_string(),
        "status": appointment_status(a.status),
        "start": instant(a.starts_at),
        "end": instant(a.ends_at),
        "created": instant(a.created_at),
        "participant": [
            {"actor": patient_actor, "required": "required", "status": "accepted"},
            {"actor": {"display": practitioner}, "required": "required", "status": "accepted"},
        ],
    });
    put(
        &mut r,
        "serviceType",
        chart
            .service_names
            .get(&a.service_id)
            .map(|name| json!([text(name)])),
    );
    put(
        &mut r,
        "cancelationReason",
        a.cancel_reason.as_deref().and_then(non_empty).map(text),
    );
    // Staff notes are left out of the patient's view before this point.
    put(
        &mut r,
        "comment",
        a.notes.as_deref().and_then(non_empty).map(|n| json!(n)),
    );
    r
}

fn encounter(chart: &Chart, c: &Consultation, patient_ref: &Value) -> Value {
    let signed = c.status == NoteStatus::Signed;
    let linked = c
        .appointment_id
        .and_then(|id| chart.appointments.iter().find(|a| a.id == id));
    let mut period = match linked {
        Some(a) => json!({"start": instant(a.starts_at), "end": instant(a.ends_at)}),
        None => json!({"start": instant(c.created_at)}),
    };
    if linked.is_none() {
        if let Some(at) = c.signed_at {
            period["end"] = json!(instant(at));
        }
    }
    let mut r = json!({
        "resourceType": "Encounter",
        "id": c.id.0.to_string(),
        "status": if signed { "finished" } else { "in-progress" },
        "class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "type": [text("Consultation")],
        "subject": patient_ref,
        "participant": [{"individual": {"display": chart.staff_name(c.author_id)}}],
        "period": period,
    });
    put(
        &mut r,
        "appointment",
        linked.map(|a| json!([reference(a.id.0)])),
    );
    let reasons: Vec<Value> = c
        .content
        .concerns
        .iter()
        .filter_map(|concern| serde_json::to_value(concern).ok())
        .filter_map(|v| v.as_str().map(|s| text(&s.replace('_', " "))))
        .collect();
    put(
        &mut r,
        "reasonCode",
        (!reasons.is_empty()).then(|| json!(reasons)),
    );
    r
}

/// R4 Consent.status for ours (see the module table).
pub fn consent_status(c: &Consent) -> &'static str {
    match c.status {
        ConsentStatus::Pending => "proposed",
        ConsentStatus::Signed => "active",
        ConsentStatus::Revoked if c.signed_at.is_none() => "rejected",
        ConsentStatus::Revoked | ConsentStatus::Expired => "inactive",
    }
}

fn consent(c: &Consent, patient_ref: &Value) -> Value {
    let (scope_code, scope_display) = match c.scope {
        ConsentScope::Treatment => ("treatment", "Treatment"),
        ConsentScope::Photography | ConsentScope::Marketing => {
            ("patient-privacy", "Privacy Consent")
        }
    };
    let mut r = json!({
        "resourceType": "Consent",
        "id": c.id.0.to_string(),
        "status": consent_status(c),
        "scope": coding(CONSENT_SCOPE, scope_code, scope_display),
        "category": [coding(LOINC, "59284-0", "Patient Consent")],
        "patient": patient_ref,
        "dateTime": instant(c.signed_at.unwrap_or(c.requested_at)),
        // ppc-1: a Consent names the policy it follows — the template version signed.
        "policy": [{"uri": format!("{CONSENT_POLICY_BASE}{}/v{}", c.family_id.0, c.template_version)}],
        "policyRule": {"text": format!("{} (version {})", c.title, c.template_version)},
    });
    if let Some(signed) = c.signed_at {
        let mut period = json!({"start": instant(signed)});
        if let Some(end) = c.revoked_at.or(c.expires_at) {
            period["end"] = json!(instant(end));
        }
        r["provision"] = json!({"type": "permit", "period": period});
    }
    r
}

fn procedure(chart: &Chart, p: &Procedure, patient_ref: &Value) -> Value {
    let service = chart
        .service_names
        .get(&p.service_id)
        .map_or("Procedure", String::as_str);
    let content = &p.content;
    let mut r = json!({
        "resourceType": "Procedure",
        "id": p.id.0.to_string(),
        "status": if p.status == NoteStatus::Signed { "completed" } else { "in-progress" },
        "code": text(service),
        "subject": patient_ref,
        "performedDateTime": instant(p.performed_at),
        "performer": [{"actor": {"display": chart.staff_name(p.author_id)}}],
    });
    let sites: Vec<Value> = content
        .application
        .areas
        .iter()
        .filter_map(|a| non_empty(&a.area).map(text))
        .collect();
    put(
        &mut r,
        "bodySite",
        (!sites.is_empty()).then(|| json!(sites)),
    );
    let products: Vec<Value> = content
        .products
        .iter()
        .map(|prod| text(&format!("{} (lot {})", prod.name, prod.lot_number)))
        .collect();
    put(
        &mut r,
        "usedCode",
        (!products.is_empty()).then(|| json!(products)),
    );
    put(
        &mut r,
        "complication",
        non_empty(&content.complications).map(|t| json!([text(t)])),
    );
    put(
        &mut r,
        "followUp",
        non_empty(&content.aftercare).map(|t| json!([text(t)])),
    );
    r
}

fn observation(m: &Measurement, patient_ref: &Value) -> Value {
    let display = m.metric.replace('_', " ");
    let mut r = json!({
        "resourceType": "Observation",
        "id": m.id.0.to_string(),
        "status": "final",
        "category": [coding(OBSERVATION_CATEGORY, "exam", "Exam")],
        "code": coding(SKIN_METRIC_SYSTEM, &m.metric, &display),
        "subject": patient_ref,
        "effectiveDateTime": instant(m.measured_at),
        // Units are already UCUM (domain/outcomes.rs), so unit and code are the same.
        "valueQuantity": {"value": m.value, "unit": m.unit, "system": UCUM, "code": m.unit},
    });
    put(
        &mut r,
        "device",
        m.device
            .as_deref()
            .and_then(non_empty)
            .map(|d| json!({ "display": d })),
    );
    r
}

/// Where a photo is fetched from: never inline bytes.
pub fn photo_url(photo: uuid::Uuid, audience: Audience) -> String {
    match audience {
        Audience::Staff => format!("/api/v1/photos/{photo}"),
        Audience::Patient => format!("/api/v1/me/photos/{photo}"),
    }
}

fn media(p: &ChartPhoto, audience: Audience, patient_ref: &Value) -> Value {
    let mut r = json!({
        "resourceType": "Media",
        "id": p.id.to_string(),
        "status": "completed",
        "type": coding(MEDIA_TYPE, "image", "Image"),
        "subject": patient_ref,
        "createdDateTime": instant(p.taken_at),
        "view": text(&p.view.replace('_', " ")),
        "content": {
            "contentType": p.content_type,
            "url": photo_url(p.id.0, audience),
            "title": format!("{} photo, {} view", p.kind.replace('_', "-"), p.view.replace('_', " ")),
        },
    });
    if p.width > 0 && p.height > 0 {
        r["width"] = json!(p.width);
        r["height"] = json!(p.height);
    }
    r
}

/// R4 adverse-event-severity (code, display) for ours: `serious` is the most severe grade.
pub fn adverse_severity(severity: Severity) -> (&'static str, &'static str) {
    match severity {
        Severity::Mild => ("mild", "Mild"),
        Severity::Moderate => ("moderate", "Moderate"),
        Severity::Severe | Severity::Serious => ("severe", "Severe"),
    }
}

fn adverse_event(chart: &Chart, e: &AdverseEvent, patient_ref: &Value) -> Value {
    let (seriousness, seriousness_display) = if e.severity == Severity::Serious {
        ("Serious", "Serious")
    } else {
        ("Non-serious", "Non-serious")
    };
    let (severity, severity_display) = adverse_severity(e.severity);
    let (outcome, outcome_display) = if e.resolved_at.is_some() {
        ("resolved", "Resolved")
    } else {
        ("ongoing", "Ongoing")
    };
    let kind = e.kind.as_str();
    let mut event = coding(ADVERSE_KIND_SYSTEM, kind, kind);
    event["text"] = json!(non_empty(&e.description).unwrap_or(kind));
    let mut r = json!({
        "resourceType": "AdverseEvent",
        "id": e.id.0.to_string(),
        "actuality": "actual",
        "event": event,
        "subject": patient_ref,
        "date": instant(e.onset_at),
        "recordedDate": instant(e.recorded_at),
        "recorder": {"display": chart.staff_name(e.recorded_by)},
        "seriousness": coding(AE_SERIOUSNESS, seriousness, seriousness_display),
        "severity": coding(AE_SEVERITY, severity, severity_display),
        "outcome": coding(AE_OUTCOME, outcome, outcome_display),
    });
    // Only link a procedure the Bundle holds (a patient's export has no drafts).
    put(
        &mut r,
        "suspectEntity",
        e.procedure_id
            .filter(|id| chart.procedures.iter().any(|p| p.id == *id))
            .map(|id| json!([{ "instance": reference(id.0) }])),
    );
    r
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;

    use super::*;
    use crate::api::adverse::AdverseEvent;
    use crate::api::notes::{
        Amendment, Application, AreaVolume, ConsultationContent, Harvest, Preparation,
        ProcedureContent, Processing, Product,
    };
    use crate::api::patients::Patient;
    use crate::db::types::*;
    use crate::domain::adverse::{AdverseKind, Phase};
    use crate::domain::clinical::{Concern, Eligibility};
    use crate::services::chart::ChartParts;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0).unwrap()
    }

    fn consultation(author: UserId, status: NoteStatus) -> Consultation {
        Consultation {
            id: ConsultationId::new(),
            patient_id: PatientId::new(),
            appointment_id: None,
            author_id: author,
            status,
            content: ConsultationContent {
                concerns: vec![Concern::FineLines],
                subjective: "s".into(),
                objective: "o".into(),
                assessment: "a".into(),
                plan: "p".into(),
                contraindications: Default::default(),
                contraindication_other: None,
                contraindication_overrides: BTreeMap::new(),
                eligibility: Eligibility::Eligible,
            },
            signed_at: (status == NoteStatus::Signed).then(|| at(10)),
            signed_by: (status == NoteStatus::Signed).then_some(author),
            content_sha256: None,
            amendments: vec![Amendment {
                id: AmendmentId::new(),
                author_id: author,
                at: at(11),
                reason: "typo".into(),
                changes: json!({"plan": "q"}),
                sha256: String::new(),
            }],
            version: 1,
            created_at: at(9),
            updated_at: at(9),
        }
    }

    /// A chart with one of everything, plus a draft consultation.
    fn chart() -> Chart {
        let author = UserId::new();
        let patient_id = PatientId::new();
        let practitioner = PractitionerId::new();
        let service = ServiceId::new();
        let appointment = |status| Appointment {
            id: AppointmentId::new(),
            patient_id,
            practitioner_id: practitioner,
            service_id: service,
            room_id: None,
            starts_at: at(9),
            ends_at: at(10),
            blocked_until: at(10),
            status,
            notes: Some("staff only".into()),
            cancel_reason: None,
            follow_up_of: None,
            follow_up_offset_days: None,
            version: 1,
            created_at: at(8),
            updated_at: at(8),
        };
        let procedure = Procedure {
            id: ProcedureId::new(),
            patient_id,
            appointment_id: AppointmentId::new(),
            service_id: service,
            consent_id: None,
            author_id: author,
            status: NoteStatus::Signed,
            performed_at: at(9),
            content: ProcedureContent {
                preparation: Preparation {
                    cleansing: "c".into(),
                    exfoliation: "e".into(),
                    anaesthesia: "a".into(),
                },
                harvest: Harvest {
                    site: "abdomen".into(),
                    volume_ml: 20.0,
                    method: "m".into(),
                },
                processing: Processing {
                    method: "m".into(),
                    duration_minutes: 60,
                    cell_count: None,
                    viability_percent: None,
                },
                application: Application {
                    method: "m".into(),
                    areas: vec![AreaVolume {
                        area: "forehead".into(),
                        volume_ml: 1.0,
                    }],
                },
                products: vec![Product {
                    name: "Serum".into(),
                    lot_number: "L1".into(),
                    expiry_date: at(9).date_naive(),
                }],
                complications: "none".into(),
                aftercare: "rest".into(),
            },
            signed_at: Some(at(10)),
            signed_by: Some(author),
            content_sha256: None,
            amendments: Vec::new(),
            version: 1,
        };
        let consent = |status, scope, signed: bool| Consent {
            id: ConsentId::new(),
            patient_id,
            template_id: ConsentTemplateId::new(),
            family_id: ConsentFamilyId::new(),
            template_version: 1,
            scope,
            title: "Facial consent".into(),
            status,
            requested_at: at(8),
            signer_name: None,
            signer_kind: None,
            guardian_name: None,
            has_signature: signed,
            signed_text: None,
            signed_text_sha256: None,
            signed_at: signed.then(|| at(8)),
            collected_by: signed.then_some(author),
            witness_id: None,
            witnessed_at: None,
            expires_at: None,
            revoked_at: None,
            revoked_reason: None,
            version: 1,
        };
        let adverse = AdverseEvent {
            id: AdverseEventId::new(),
            patient_id,
            procedure_id: Some(procedure.id),
            onset_at: at(12),
            kind: AdverseKind::Bruising,
            severity: Severity::Serious,
            phase: Phase::Harvest,
            description: "bruise".into(),
            action_taken: String::new(),
            resolved_at: None,
            recorded_by: author,
            recorded_at: at(13),
            report_due_at: None,
            reported_at: None,
            report_reference: None,
            version: 1,
        };
        Chart {
            parts: ChartParts::Full,
            patient: Patient {
                id: patient_id,
                mrn: "DC-1".into(),
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(1980, 5, 17).unwrap(),
                sex: Some(crate::domain::patient::Sex::Female),
                phone: Some("+44 20 7946 0958".into()),
                email: None,
                address: None,
                emergency_contact: None,
                allergies: Some(Vec::new()),
                medications: Some(Vec::new()),
                medical_history: Some(None),
                fitzpatrick_type: Some(Some(3)),
                archived: false,
                version: 1,
                created_at: at(8),
                updated_at: at(8),
            },
            appointments: AppointmentStatus::ALL
                .into_iter()
                .map(appointment)
                .collect(),
            consultations: vec![
                consultation(author, NoteStatus::Signed),
                consultation(author, NoteStatus::Draft),
            ],
            procedures: vec![procedure],
            consents: vec![
                consent(ConsentStatus::Signed, ConsentScope::Treatment, true),
                consent(ConsentStatus::Pending, ConsentScope::Photography, false),
                consent(ConsentStatus::Revoked, ConsentScope::Marketing, false),
            ],
            samples: Vec::new(),
            photos: vec![ChartPhoto {
                id: crate::db::types::PhotoId::new(),
                patient_id,
                taken_at: at(9),
                kind: "before".into(),
                view: "left_45".into(),
                appointment_id: None,
                procedure_id: None,
                content_type: "image/jpeg".into(),
                width: 640,
                height: 480,
                byte_size: 48_000,
                sha256: "0".repeat(64),
                thumb_width: 320,
                thumb_height: 240,
                taken_by: author,
                created_at: at(9),
                url: String::new(),
            }],
            measurements: vec![Measurement {
                id: MeasurementId::new(),
                patient_id,
                measured_at: at(9),
                metric: "skin_moisture".into(),
                value: 41.5,
                unit: "[arb'U]".into(),
                device: Some("Corneometer".into()),
                appointment_id: None,
            }],
            adverse_events: vec![adverse],
            staff_names: [(author, "Dr Grey".to_owned())].into_iter().collect(),
            practitioner_names: [(practitioner, "Dr Grey".to_owned())].into_iter().collect(),
            service_names: [(service, "Stem cell facial".to_owned())]
                .into_iter()
                .collect(),
        }
    }

    /// Lets `scripts/validate_fhir.py` check these Bundles too (they hold a Media,
    /// which the HTTP tests cannot create yet).
    fn keep_for_the_validator(name: &str, b: &Value) {
        if let Some(dir) = std::env::var_os("FHIR_EXPORT_DIR").filter(|d| !d.is_empty()) {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(std::path::Path::new(&dir).join(name), b.to_string()).unwrap();
        }
    }

    fn resources<'a>(b: &'a Value, kind: &str) -> Vec<&'a Value> {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == kind)
            .collect()
    }

    #[test]
    fn a_chart_becomes_a_collection_bundle_of_every_resource_kind_with_our_ids() {
        let c = chart();
        let b = bundle(&c, Audience::Staff, at(14));
        assert_eq!(b["resourceType"], "Bundle");
        assert_eq!(b["type"], "collection");
        for e in b["entry"].as_array().unwrap() {
            let id = e["resource"]["id"].as_str().unwrap();
            assert!(uuid::Uuid::parse_str(id).is_ok());
            assert_eq!(e["fullUrl"], format!("urn:uuid:{id}"));
        }
        for (kind, n) in [
            ("Patient", 1),
            ("Appointment", 7),
            ("Encounter", 2),
            ("Consent", 3),
            ("Procedure", 1),
            ("Observation", 1),
            ("Media", 1),
            ("AdverseEvent", 1),
        ] {
            assert_eq!(resources(&b, kind).len(), n, "{kind}");
        }
        assert_eq!(
            resources(&b, "Patient")[0]["id"],
            c.patient.id.0.to_string()
        );
    }

    #[test]
    fn codes_follow_the_r4_value_sets() {
        let b = bundle(&chart(), Audience::Staff, at(14));
        let statuses: Vec<&str> = resources(&b, "Appointment")
            .iter()
            .map(|a| a["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            [
                "booked",
                "booked",
                "checked-in",
                "checked-in",
                "fulfilled",
                "cancelled",
                "noshow"
            ]
        );
        let consents: Vec<(&str, &str)> = resources(&b, "Consent")
            .iter()
            .map(|c| {
                (
                    c["status"].as_str().unwrap(),
                    c["scope"]["coding"][0]["code"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            consents,
            [
                ("active", "treatment"),
                ("proposed", "patient-privacy"),
                ("rejected", "patient-privacy")
            ]
        );
        for c in resources(&b, "Consent") {
            assert_eq!(c["category"][0]["coding"][0]["code"], "59284-0");
            assert!(c["policy"][0]["uri"].is_string(), "ppc-1");
        }
        let enc: Vec<&str> = resources(&b, "Encounter")
            .iter()
            .map(|e| e["status"].as_str().unwrap())
            .collect();
        assert_eq!(enc, ["finished", "in-progress"]);
        assert_eq!(resources(&b, "Encounter")[0]["class"]["code"], "AMB");
        let obs = resources(&b, "Observation")[0];
        assert_eq!(obs["valueQuantity"]["system"], UCUM);
        assert_eq!(obs["valueQuantity"]["code"], "[arb'U]");
        assert_eq!(obs["code"]["coding"][0]["system"], SKIN_METRIC_SYSTEM);
        let ae = resources(&b, "AdverseEvent")[0];
        assert_eq!(ae["actuality"], "actual");
        assert_eq!(ae["seriousness"]["coding"][0]["code"], "Serious");
        assert_eq!(ae["severity"]["coding"][0]["code"], "severe");
        assert_eq!(
            ae["suspectEntity"][0]["instance"]["reference"],
            resources(&b, "Procedure")[0]["id"]
                .as_str()
                .map(|id| format!("urn:uuid:{id}"))
                .unwrap()
        );
    }

    #[test]
    fn the_patients_bundle_has_no_drafts_no_staff_notes_no_staff_ids_and_links_photos_under_me() {
        let c = chart();
        let staff_ids: Vec<String> = c.staff_names.keys().map(|u| u.to_string()).collect();
        let staff = bundle(&c, Audience::Staff, at(14));
        let staff_media = &resources(&staff, "Media")[0]["content"];
        assert!(staff_media["url"]
            .as_str()
            .unwrap()
            .starts_with("/api/v1/photos/"));
        assert!(staff_media.get("data").is_none());
        assert!(staff.to_string().contains("staff only"));

        let mine = bundle(&c.for_patient(), Audience::Patient, at(14));
        keep_for_the_validator("unit-staff-export.json", &staff);
        keep_for_the_validator("unit-me-export.json", &mine);
        assert_eq!(resources(&mine, "Encounter").len(), 1);
        assert!(resources(&mine, "Encounter")
            .iter()
            .all(|e| e["status"] == "finished"));
        let text = mine.to_string();
        assert!(!text.contains("staff only"), "appointment notes");
        for id in staff_ids {
            assert!(!text.contains(&id), "a staff user id leaked");
        }
        assert!(text.contains("Dr Grey"));
        let url = resources(&mine, "Media")[0]["content"]["url"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(url.starts_with("/api/v1/me/photos/"), "{url}");
    }
}
