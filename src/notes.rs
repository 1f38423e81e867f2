//! Clinical notes: who may write them, drafts, signing (locks for ever, with a
//! content hash), amendments, and the gates a procedure must pass — consent and
//! eligibility, judged as of the act (SPEC §6). Every path goes through here.
use chrono::{Duration, NaiveDateTime};
use serde_json::{Map, Value};

use crate::api::notes::{ConsultationContent, ProcedureContent};
use crate::auth::Caller;
use crate::db::models::notes::{self, AmendmentRow, ProcedureRow};
use crate::db::models::{appointments, clinic, consents};
use crate::db::types::{AmendmentId, NoteId, UserId};
use crate::db::DbConnection;
use crate::domain::clinical::{content_hash, Eligibility, NoteStatus};
use crate::domain::consent::{consent_gate, ConsentScope};
use crate::domain::role::Role;
use crate::domain::schedule::AppointmentStatus;
use crate::error::ApiError;

/// Only the practitioner who wrote a note edits, signs or amends it.
pub fn require_author(caller: &Caller, author: UserId) -> Result<(), ApiError> {
    if caller.role == Role::Practitioner && caller.user_id == author {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Amending is the author's — or, once the author is deactivated, any practitioner's
/// (SPEC §6; the amendment names who wrote it and is audited like any other).
pub fn require_amender(
    conn: &mut DbConnection,
    caller: &Caller,
    author: UserId,
) -> Result<(), ApiError> {
    if require_author(caller, author).is_ok() {
        return Ok(());
    }
    let author_active = crate::db::models::users::find(conn, author)
        .map(|u| u.active)
        .unwrap_or(true);
    if caller.role == Role::Practitioner && !author_active {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

pub fn require_draft(status: NoteStatus) -> Result<(), ApiError> {
    if status == NoteStatus::Draft {
        Ok(())
    } else {
        Err(ApiError::Conflict(
            "The note is signed; add an amendment instead.".into(),
        ))
    }
}

/// A merge patch of a note's top-level fields: a present field replaces the old value
/// whole (objects and arrays included, SPEC §6), `null` clears it.
pub fn merge_patch(current: &mut Value, patch: &Value) {
    match (current, patch) {
        (Value::Object(c), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    c.remove(k);
                } else {
                    c.insert(k.clone(), v.clone());
                }
            }
        }
        (c, p) => *c = p.clone(),
    }
}

/// Applies a patch to a note's clinical content and checks the result has the
/// content's exact shape (422 naming the field otherwise).
pub fn patched<T: serde::Serialize + serde::de::DeserializeOwned>(
    current: &T,
    patch: &Map<String, Value>,
    allowed: &[&str],
) -> Result<T, ApiError> {
    if let Some(bad) = patch.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::validation(bad.clone(), "cannot be changed here"));
    }
    let mut value = serde_json::to_value(current).map_err(ApiError::internal)?;
    merge_patch(&mut value, &Value::Object(patch.clone()));
    let bytes = serde_json::to_vec(&value).map_err(ApiError::internal)?;
    crate::extract::parse_json(&bytes)
}

pub const CONSULTATION_AMENDABLE: [&str; 5] =
    ["concerns", "subjective", "objective", "assessment", "plan"];
pub const CONSULTATION_PATCHABLE: [&str; 9] = [
    "concerns",
    "subjective",
    "objective",
    "assessment",
    "plan",
    "contraindications",
    "contraindication_other",
    "contraindication_overrides",
    "eligibility",
];
pub const PROCEDURE_AMENDABLE: [&str; 7] = [
    "preparation",
    "harvest",
    "processing",
    "application",
    "products",
    "complications",
    "aftercare",
];

/// The hash a signed consultation carries.
pub fn consultation_hash(note: NoteId, content: &ConsultationContent) -> Result<String, ApiError> {
    let mut v = serde_json::to_value(content).map_err(ApiError::internal)?;
    v["id"] = Value::String(note.to_string());
    Ok(content_hash(&v))
}

pub fn procedure_hash(row: &ProcedureRow, content: &ProcedureContent) -> Result<String, ApiError> {
    let mut v = serde_json::to_value(content).map_err(ApiError::internal)?;
    v["id"] = Value::String(row.id.to_string());
    v["patient_id"] = Value::String(row.patient_id.to_string());
    v["performed_at"] = Value::String(crate::api::instant(row.performed_at).to_rfc3339());
    Ok(content_hash(&v))
}

/// Appends an amendment to a signed note.
pub fn amend(
    conn: &mut DbConnection,
    note_type: &str,
    note: NoteId,
    author: UserId,
    reason: &str,
    changes: &Map<String, Value>,
) -> Result<AmendmentRow, ApiError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(ApiError::validation(
            "reason",
            "is required (at most 2000 characters)",
        ));
    }
    if changes.is_empty() {
        return Err(ApiError::validation(
            "changes",
            "must change at least one field",
        ));
    }
    let at = crate::db::now();
    let id = AmendmentId::new();
    let changes_value = Value::Object(changes.clone());
    let sha256 = content_hash(&serde_json::json!({
        "id": id.to_string(), "note_id": note.to_string(), "author_id": author.to_string(),
        "at": crate::api::instant(at).to_rfc3339(), "reason": reason, "changes": changes_value,
    }));
    let row = AmendmentRow {
        id,
        note_type: note_type.to_owned(),
        note_id: note,
        author_id: author,
        at,
        reason: reason.to_owned(),
        changes: changes_value.to_string(),
        sha256,
    };
    notes::insert_amendment(conn, &row)?;
    Ok(row)
}

/// The procedure gates, as of `performed_at` (creating and signing run the same test):
/// the appointment is the patient's, of this service, under way or done, and the act
/// lies within it (±1 h) and not in the future; the consent (when the service has a
/// consent family) was valid then; the latest consultation signed before it was eligible.
pub fn procedure_gates(conn: &mut DbConnection, row: &ProcedureRow) -> Result<(), ApiError> {
    let now = crate::db::now();
    if row.performed_at > now + Duration::minutes(1) {
        return Err(ApiError::validation(
            "performed_at",
            "may not be in the future",
        ));
    }
    let appt = appointments::find(conn, row.appointment_id)?
        .ok_or_else(|| ApiError::validation("appointment_id", "no such appointment"))?;
    if appt.patient_id != row.patient_id {
        return Err(ApiError::validation(
            "appointment_id",
            "is another patient's appointment",
        ));
    }
    if appt.service_id != row.service_id {
        return Err(ApiError::validation(
            "service_id",
            "is not the appointment's service",
        ));
    }
    if !matches!(
        appt.status,
        AppointmentStatus::CheckedIn | AppointmentStatus::InProgress | AppointmentStatus::Completed
    ) {
        return Err(ApiError::Conflict(format!(
            "The appointment is {}; a procedure needs it checked in, in progress or completed.",
            appt.status.as_str()
        )));
    }
    if row.performed_at < appt.starts_at - Duration::hours(1)
        || row.performed_at > appt.ends_at + Duration::hours(1)
    {
        return Err(ApiError::validation(
            "performed_at",
            "must lie within the appointment (±1 hour)",
        ));
    }
    let service = clinic::find_service(conn, row.service_id)?
        .ok_or_else(|| ApiError::validation("service_id", "no such service"))?;
    check_consent(conn, row, service.consent_template_id, row.performed_at)?;
    check_eligibility(conn, row, row.performed_at)
}

fn check_consent(
    conn: &mut DbConnection,
    row: &ProcedureRow,
    family: Option<crate::db::types::ConsentFamilyId>,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    match (family, row.consent_id) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(ApiError::validation(
            "consent_id",
            "this service needs no consent",
        )),
        (Some(_), None) => Err(ApiError::validation(
            "consent_id",
            "is required for this service",
        )),
        (Some(family), Some(consent_id)) => {
            let consent = consents::find(conn, consent_id)?
                .filter(|c| c.patient_id == row.patient_id && c.family_id == family)
                .ok_or_else(|| {
                    ApiError::validation(
                        "consent_id",
                        "is not this patient's consent for this service",
                    )
                })?;
            let template =
                consents::find_template(conn, consent.template_id)?.ok_or(ApiError::NotFound)?;
            if template.scope != ConsentScope::Treatment {
                return Err(ApiError::validation(
                    "consent_id",
                    "must be a treatment consent",
                ));
            }
            let versions: Vec<_> = consents::family(conn, family)?
                .iter()
                .map(|t| t.published())
                .collect();
            consent_gate(&consent.facts(template.version), &versions, at).map_err(|problem| {
                ApiError::Conflict(format!("Consent missing: {}", problem.describe()))
            })
        }
    }
}

fn check_eligibility(
    conn: &mut DbConnection,
    row: &ProcedureRow,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    match notes::latest_signed_consultation(conn, row.patient_id, at)? {
        None => Err(ApiError::Conflict(
            "No signed consultation before the procedure: the patient has not been screened."
                .into(),
        )),
        Some(c) if c.eligibility != Eligibility::Eligible => Err(ApiError::Conflict(format!(
            "The latest signed consultation found the patient {}.",
            c.eligibility.as_str().replace('_', " ")
        ))),
        Some(_) => Ok(()),
    }
}
