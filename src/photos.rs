//! The one place for what a photo must pass before it is kept — the patient exists,
//! its appointment and procedure are that patient's, and a photography consent was
//! valid as of `taken_at` — and for keeping it: files first, then the row, and the
//! files undone if the row is refused, so a refusal leaves nothing behind.
use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::db::models::photos::{self, PhotoRow};
use crate::db::models::{appointments, consents, notes, patients};
use crate::db::types::{AppointmentId, PatientId, ProcedureId};
use crate::db::DbConnection;
use crate::domain::consent::{any_consent_covers, ConsentProblem, ConsentScope};
use crate::error::ApiError;
use crate::media::{MediaKey, MediaStore, Stored};
use crate::state::AppState;

/// What an upload claims about the photo, parsed.
#[derive(Debug, Clone, Copy)]
pub struct PhotoClaims {
    pub patient_id: PatientId,
    pub taken_at: NaiveDateTime,
    pub appointment_id: Option<AppointmentId>,
    pub procedure_id: Option<ProcedureId>,
}

/// Every rule an upload must meet in the database: 404 unknown patient, 422 a link to
/// someone else's (or no) appointment or procedure, 409 without photography consent.
pub fn upload_gates(conn: &mut DbConnection, claims: &PhotoClaims) -> Result<(), ApiError> {
    let patient = claims.patient_id;
    patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
    if let Some(a) = claims.appointment_id {
        let appt = appointments::find(conn, a)?
            .ok_or_else(|| ApiError::validation("appointment_id", "no such appointment"))?;
        if appt.patient_id != patient {
            return Err(ApiError::validation(
                "appointment_id",
                "is another patient's appointment",
            ));
        }
    }
    if let Some(p) = claims.procedure_id {
        let procedure = notes::find_procedure(conn, p)?
            .ok_or_else(|| ApiError::validation("procedure_id", "no such procedure"))?;
        if procedure.patient_id != patient {
            return Err(ApiError::validation(
                "procedure_id",
                "is another patient's procedure",
            ));
        }
    }
    photography_gate(conn, patient, claims.taken_at)
}

/// SPEC §3 "A photo cannot be stored without a photography consent valid as of its
/// `taken_at`": any photography-scope consent of the patient that passes the
/// consent gate (`domain::consent`) as of that instant.
fn photography_gate(
    conn: &mut DbConnection,
    patient: PatientId,
    taken_at: NaiveDateTime,
) -> Result<(), ApiError> {
    let mut candidates = Vec::new();
    for consent in consents::of_patient(conn, patient)? {
        let template =
            consents::find_template(conn, consent.template_id)?.ok_or(ApiError::NotFound)?;
        if template.scope != ConsentScope::Photography {
            continue;
        }
        let versions: Vec<_> = consents::family(conn, consent.family_id)?
            .iter()
            .map(|t| t.published())
            .collect();
        candidates.push((consent.facts(template.version), versions));
    }
    any_consent_covers(
        candidates
            .iter()
            .map(|(facts, versions)| (facts, versions.as_slice())),
        taken_at,
    )
    .map_err(|problem| {
        let why = match problem {
            ConsentProblem::Missing => "the patient has no photography consent".to_owned(),
            ConsentProblem::SignedAfterTheAct => {
                "the photography consent was signed after the photo was taken".to_owned()
            }
            other => other.describe(),
        };
        ApiError::Conflict(format!("Photography consent missing as of taken_at: {why}"))
    })
}

async fn on_blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    actix_web::web::block(work)
        .await?
        .map_err(|e| ApiError::internal(anyhow::Error::new(e).context("media store")))
}

/// Writes the file and thumbnail, then the row and its audit row (re-checking the
/// gates in the same transaction). If the row is refused, files this call wrote are
/// removed again.
pub async fn keep(
    state: &AppState,
    claims: PhotoClaims,
    bytes: Vec<u8>,
    thumb: Vec<u8>,
    row: impl FnOnce(&MediaKey, &MediaKey) -> PhotoRow + Send + 'static,
    event: impl FnOnce(&PhotoRow) -> crate::audit::AuditEvent + Send + 'static,
) -> Result<PhotoRow, ApiError> {
    let store: Arc<dyn MediaStore> = state.media.clone();
    let (file, small) = on_blocking(move || {
        let file = store.put(&bytes)?;
        let small = store.put(&thumb)?;
        Ok((file, small))
    })
    .await?;
    let row = row(&file.key, &small.key);
    let inserted = state
        .write(move |conn, audit| {
            upload_gates(conn, &claims)?;
            photos::insert(conn, &row)?;
            audit.push(event(&row));
            Ok(row)
        })
        .await;
    if inserted.is_err() {
        let store = state.media.clone();
        let mut written: Vec<Stored> = [file, small]
            .into_iter()
            .filter(|s| s.newly_written)
            .collect();
        // Files are shared by content: an identical upload that raced this one may
        // have a row naming the same key by now, and its file must stay.
        let keys: Vec<String> = written.iter().map(|s| s.key.to_string()).collect();
        let in_use = state
            .db(move |conn| {
                keys.iter()
                    .map(|k| Ok(photos::key_in_use(conn, k)?))
                    .collect::<Result<Vec<bool>, ApiError>>()
            })
            .await
            .unwrap_or_else(|_| vec![true; 2]);
        let mut flags = in_use.into_iter();
        written.retain(|_| !flags.next().unwrap_or(true));
        if let Err(err) = on_blocking(move || {
            for s in written {
                store.remove(&s.key)?;
            }
            Ok(())
        })
        .await
        {
            tracing::error!(error = %format!("{err:#}"), "could not undo a photo's files");
        }
    }
    inserted
}
