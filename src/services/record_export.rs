//! The FHIR R4 export of one patient's record, for staff or as the patient sees it;
//! every export is audited against the patient.
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::ApiError;
use crate::services::chart::{Chart, ChartParts};
use crate::services::fhir::{self, Audience};
use crate::state::AppState;

/// The patient's whole record as a serialised FHIR R4 `collection` Bundle; for the
/// patient's own audience it is first reduced to what the patient sees. Audited as
/// `export`.
pub async fn fhir_bundle(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
    audience: Audience,
) -> Result<Vec<u8>, ApiError> {
    let body = state
        .db(move |conn| {
            let chart = Chart::load(conn, patient, ChartParts::Full)?;
            let chart = match audience {
                Audience::Staff => chart,
                Audience::Patient => chart.for_patient(),
            };
            serde_json::to_vec(&fhir::bundle(&chart, audience, chrono::Utc::now()))
                .map_err(ApiError::internal)
        })
        .await?;
    state
        .audit
        .record(caller.patient_event(AuditAction::Export, patient))
        .await?;
    Ok(body)
}
