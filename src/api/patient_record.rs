//! `/me/record`: the patient's own chart as the patient sees it (SPEC §6 "What patients
//! see"). Every staff member appears as a `StaffName`: no type here has a field that can
//! hold a staff user's id, so none can reach the patient by construction. Each
//! conversion takes the staff DTO apart completely (no `..`), so a field added to a
//! staff DTO does not compile until this view decides what the patient sees of it.
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::adverse::AdverseEvent;
use super::appointments::Appointment;
use super::consents::Consent;
use super::measurements::Measurement;
use super::notes::{Amendment, Consultation, ConsultationContent, Procedure, ProcedureContent};
use super::patients::Patient;
use super::photos::MyPhoto;
use crate::db::types::{
    AdverseEventId, AmendmentId, AppointmentId, ConsentFamilyId, ConsentId, ConsentTemplateId,
    ConsultationId, PatientId, ProcedureId, ServiceId, UserId,
};
use crate::domain::adverse::{AdverseKind, Phase, Severity};
use crate::domain::clinical::NoteStatus;
use crate::domain::consent::{ConsentScope, ConsentStatus};

/// A staff member as the patient sees them: the display name, never the user id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct StaffName(pub String);

/// Names a staff user (the chart knows every name it holds).
pub trait NameStaff {
    fn staff_name(&self, user: UserId) -> StaffName;
}

#[derive(Debug, Serialize)]
pub struct PatientRecord {
    pub patient: Patient,
    pub appointments: Vec<Appointment>,
    pub consultations: Vec<MyConsultation>,
    pub consents: Vec<MyConsent>,
    pub procedures: Vec<MyProcedure>,
    /// The same shape as `/me/photos`: staff by name, bytes under `/me/photos/{id}`.
    pub photos: Vec<MyPhoto>,
    pub measurements: Vec<Measurement>,
    pub adverse_events: Vec<MyAdverseEvent>,
}

#[derive(Debug, Serialize)]
pub struct MyAmendment {
    pub id: AmendmentId,
    pub author_id: StaffName,
    pub at: DateTime<Utc>,
    pub reason: String,
    pub changes: serde_json::Value,
    pub sha256: String,
}

impl MyAmendment {
    pub fn new(a: Amendment, names: &impl NameStaff) -> MyAmendment {
        let Amendment {
            id,
            author_id,
            at,
            reason,
            changes,
            sha256,
        } = a;
        MyAmendment {
            id,
            author_id: names.staff_name(author_id),
            at,
            reason,
            changes,
            sha256,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MyConsultation {
    pub id: ConsultationId,
    pub patient_id: PatientId,
    pub appointment_id: Option<AppointmentId>,
    pub author_id: StaffName,
    pub status: NoteStatus,
    #[serde(flatten)]
    pub content: ConsultationContent,
    pub signed_at: Option<DateTime<Utc>>,
    pub signed_by: Option<StaffName>,
    pub content_sha256: Option<String>,
    pub amendments: Vec<MyAmendment>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl MyConsultation {
    pub fn new(c: Consultation, names: &impl NameStaff) -> MyConsultation {
        let Consultation {
            id,
            patient_id,
            appointment_id,
            author_id,
            status,
            content,
            signed_at,
            signed_by,
            content_sha256,
            amendments,
            version,
            created_at,
            updated_at,
        } = c;
        MyConsultation {
            id,
            patient_id,
            appointment_id,
            author_id: names.staff_name(author_id),
            status,
            content,
            signed_at,
            signed_by: signed_by.map(|u| names.staff_name(u)),
            content_sha256,
            amendments: amendments
                .into_iter()
                .map(|a| MyAmendment::new(a, names))
                .collect(),
            version,
            created_at,
            updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MyProcedure {
    pub id: ProcedureId,
    pub patient_id: PatientId,
    pub appointment_id: AppointmentId,
    pub service_id: ServiceId,
    pub consent_id: Option<ConsentId>,
    pub author_id: StaffName,
    pub status: NoteStatus,
    pub performed_at: DateTime<Utc>,
    #[serde(flatten)]
    pub content: ProcedureContent,
    pub signed_at: Option<DateTime<Utc>>,
    pub signed_by: Option<StaffName>,
    pub content_sha256: Option<String>,
    pub amendments: Vec<MyAmendment>,
    pub version: i64,
}

impl MyProcedure {
    pub fn new(p: Procedure, names: &impl NameStaff) -> MyProcedure {
        let Procedure {
            id,
            patient_id,
            appointment_id,
            service_id,
            consent_id,
            author_id,
            status,
            performed_at,
            content,
            signed_at,
            signed_by,
            content_sha256,
            amendments,
            version,
        } = p;
        MyProcedure {
            id,
            patient_id,
            appointment_id,
            service_id,
            consent_id,
            author_id: names.staff_name(author_id),
            status,
            performed_at,
            content,
            signed_at,
            signed_by: signed_by.map(|u| names.staff_name(u)),
            content_sha256,
            amendments: amendments
                .into_iter()
                .map(|a| MyAmendment::new(a, names))
                .collect(),
            version,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MyConsent {
    pub id: ConsentId,
    pub patient_id: PatientId,
    pub template_id: ConsentTemplateId,
    pub family_id: ConsentFamilyId,
    pub template_version: i32,
    pub scope: ConsentScope,
    pub title: String,
    pub status: ConsentStatus,
    pub requested_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardian_name: Option<String>,
    pub has_signature: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_text_sha256: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    /// Who took the signature; `null` when the patient signed in the portal.
    pub collected_by: Option<StaffName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness_id: Option<StaffName>,
    pub witnessed_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
    pub version: i64,
}

impl MyConsent {
    pub fn new(c: Consent, names: &impl NameStaff) -> MyConsent {
        let Consent {
            id,
            patient_id,
            template_id,
            family_id,
            template_version,
            scope,
            title,
            status,
            requested_at,
            signer_name,
            signer_kind,
            guardian_name,
            has_signature,
            signed_text,
            signed_text_sha256,
            signed_at,
            collected_by,
            witness_id,
            witnessed_at,
            expires_at,
            revoked_at,
            revoked_reason,
            version,
        } = c;
        MyConsent {
            id,
            patient_id,
            template_id,
            family_id,
            template_version,
            scope,
            title,
            status,
            requested_at,
            signer_name,
            signer_kind,
            guardian_name,
            has_signature,
            signed_text,
            signed_text_sha256,
            signed_at,
            collected_by: collected_by.map(|u| names.staff_name(u)),
            witness_id: witness_id.map(|u| names.staff_name(u)),
            witnessed_at,
            expires_at,
            revoked_at,
            revoked_reason,
            version,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MyAdverseEvent {
    pub id: AdverseEventId,
    pub patient_id: PatientId,
    pub procedure_id: Option<ProcedureId>,
    pub onset_at: DateTime<Utc>,
    pub kind: AdverseKind,
    pub severity: Severity,
    pub phase: Phase,
    pub description: String,
    pub action_taken: String,
    pub resolved_at: Option<DateTime<Utc>>,
    pub recorded_by: StaffName,
    pub recorded_at: DateTime<Utc>,
    pub report_due_at: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
    pub report_reference: Option<String>,
    pub version: i64,
}

impl MyAdverseEvent {
    pub fn new(e: AdverseEvent, names: &impl NameStaff) -> MyAdverseEvent {
        let AdverseEvent {
            id,
            patient_id,
            procedure_id,
            onset_at,
            kind,
            severity,
            phase,
            description,
            action_taken,
            resolved_at,
            recorded_by,
            recorded_at,
            report_due_at,
            reported_at,
            report_reference,
            version,
        } = e;
        MyAdverseEvent {
            id,
            patient_id,
            procedure_id,
            onset_at,
            kind,
            severity,
            phase,
            description,
            action_taken,
            resolved_at,
            recorded_by: names.staff_name(recorded_by),
            recorded_at,
            report_due_at,
            reported_at,
            report_reference,
            version,
        }
    }
}
