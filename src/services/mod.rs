//! The clinic's use cases. Each is one function that owns its transaction: it takes
//! parsed domain values and the caller's identity (`auth::Caller`), applies the rules
//! of `domain/`, reads and writes through `db::models` (the only SQL), declares the
//! audit rows of what it read or changed, and returns a domain value or an `ApiError`.
//! Route handlers only extract, authorize, call one of these and map the result to
//! an `api/` DTO: no handler opens a transaction or imports `db::models`.

pub mod access_log;
pub mod accounts;
pub mod adverse;
pub mod appointments;
pub mod audit_log;
pub mod availability;
pub mod calendar_feed;
pub mod chart;
pub mod clinic;
pub mod consents;
pub mod credentials;
pub mod entered_in_error;
pub mod fhir;
pub mod idempotency;
pub mod measurements;
pub mod notes;
pub mod patient_import;
pub mod patients;
pub mod photos;
pub mod record_export;
pub mod samples;
pub mod scheduling;
pub mod sign_in;
pub mod users;

use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::ApiError;
use crate::state::AppState;

/// One `search` audit row per patient a list answers with, each patient once and in
/// the list's order (never the query's text): every list of patients' records
/// records its reads here, before it answers.
pub(crate) async fn audit_listed(
    state: &AppState,
    caller: &Caller,
    patients: impl IntoIterator<Item = PatientId>,
) -> Result<(), ApiError> {
    let mut seen = std::collections::HashSet::new();
    let events = patients
        .into_iter()
        .filter(|p| seen.insert(*p))
        .map(|p| caller.patient_event(AuditAction::Search, p))
        .collect();
    state.audit.record_all(events).await
}
