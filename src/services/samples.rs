//! The patient's own cells, from harvest to re-injection: registration under an
//! anonymous label, reads, and the chain of custody (`domain::clinical::next_custody_state`
//! decides each step; the donor check comes first).
use chrono::Duration;

use crate::api::samples::{CreateSample, CreateSampleEvent, Sample};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::samples::{self, SampleEventRow, SampleRow};
use crate::db::models::{appointments, notes};
use crate::db::types::{SampleEventId, SampleId};
use crate::db::DbConnection;
use crate::domain::clinical::{
    new_label_code, next_custody_state, CustodyEvent, CustodyProblem, SampleState,
};
use crate::domain::schedule::AppointmentStatus;
use crate::error::ApiError;
use crate::state::AppState;

fn view(conn: &mut DbConnection, row: SampleRow) -> Result<Sample, ApiError> {
    let events = samples::events(conn, row.id)?;
    Ok(Sample::from_rows(row, events))
}

fn custody(problem: CustodyProblem) -> ApiError {
    ApiError::Conflict(problem.describe())
}

/// Registers a harvested sample under a random label code that carries no name, MRN
/// or other identifier.
pub async fn register(
    state: &AppState,
    caller: &Caller,
    body: CreateSample,
) -> Result<Sample, ApiError> {
    let harvested_at = crate::api::plausible("harvested_at", body.harvested_at)?;
    if harvested_at > crate::db::now() + Duration::minutes(1) {
        return Err(ApiError::validation(
            "harvested_at",
            "may not be in the future",
        ));
    }
    let site = body.site.trim().to_owned();
    if site.is_empty() || site.chars().count() > 200 {
        return Err(ApiError::validation("site", "must be 1 to 200 characters"));
    }
    if !(body.volume_ml > 0.0 && body.volume_ml <= 1000.0) {
        return Err(ApiError::validation(
            "volume_ml",
            "must be more than 0 and at most 1000",
        ));
    }
    let by = caller.user_id;
    let who = caller.clone();
    let sample = state
        .write(move |conn, audit| {
            let sample = {
                let procedure = notes::find_procedure(conn, body.procedure_id)?
                    .ok_or_else(|| ApiError::validation("procedure_id", "no such procedure"))?;
                if procedure.patient_id != body.patient_id {
                    return Err(ApiError::validation(
                        "procedure_id",
                        "is another patient's procedure",
                    ));
                }
                let row = SampleRow {
                    id: SampleId::new(),
                    label_code: new_label_code(),
                    patient_id: body.patient_id,
                    procedure_id: body.procedure_id,
                    harvested_at,
                    site,
                    volume_ml: body.volume_ml,
                    status: SampleState::Harvested,
                    created_by: by,
                    created_at: crate::db::now(),
                };
                samples::insert(conn, &row)?;
                view(conn, row)
            }?;
            audit.push(who.event(
                AuditAction::Create,
                "sample",
                Some(sample.id.to_string()),
                Some(sample.patient_id),
            ));
            Ok(sample)
        })
        .await?;
    Ok(sample)
}

/// A sample with its whole custody history, audited as read.
pub async fn read(state: &AppState, caller: &Caller, id: SampleId) -> Result<Sample, ApiError> {
    let sample = state
        .db(move |conn| {
            let row = samples::find(conn, id)?.ok_or(ApiError::NotFound)?;
            view(conn, row)
        })
        .await?;
    state
        .audit
        .record(caller.event(
            AuditAction::Read,
            "sample",
            Some(id.to_string()),
            Some(sample.patient_id),
        ))
        .await?;
    Ok(sample)
}

/// Records a custody event: `processed → stored* → applied`, or `discarded`. Applying
/// goes only to the donor (409 otherwise), within the viability window, while the
/// procedure's appointment is in progress.
pub async fn record_event(
    state: &AppState,
    caller: &Caller,
    id: SampleId,
    body: CreateSampleEvent,
) -> Result<Sample, ApiError> {
    let at = crate::api::plausible("at", body.at)?;
    let viability = Duration::hours(state.settings.sample_viability_hours.max(1));
    let by = caller.user_id;
    let who = caller.clone();
    let sample = state
        .write(move |conn, audit| {
            let sample = {
                let row = samples::find(conn, id)?.ok_or(ApiError::NotFound)?;
                let now = crate::db::now();
                // The rules that protect the patient come first: a finished sample, or
                // a recipient who is not the donor, is refused before any timing check.
                let state_now = row.status;
                if matches!(state_now, SampleState::Applied | SampleState::Discarded) {
                    return Err(custody(CustodyProblem::Finished(state_now)));
                }
                if body.kind == CustodyEvent::Applied && body.patient_id.is_some_and(|p| p != row.patient_id) {
                    return Err(custody(CustodyProblem::NotTheDonor));
                }
                if at > now + Duration::minutes(1) {
                    return Err(ApiError::validation("at", "may not be in the future"));
                }
                let previous = samples::events(conn, id)?.last().map_or(row.harvested_at, |e| e.at);
                if at < previous {
                    return Err(ApiError::validation("at", "may not be before the previous custody event"));
                }
                let current = row.status;
                let recipient = if body.kind == CustodyEvent::Applied {
                    let recipient = body
                        .patient_id
                        .ok_or_else(|| ApiError::validation("patient_id", "names the recipient of an applied sample"))?;
                    if (now - at).num_minutes().abs() > 60 {
                        return Err(ApiError::validation("at", "an application is recorded within an hour of it"));
                    }
                    let procedure = notes::find_procedure(conn, row.procedure_id)?.ok_or(ApiError::NotFound)?;
                    let appt = appointments::find(conn, procedure.appointment_id)?.ok_or(ApiError::NotFound)?;
                    if appt.status != AppointmentStatus::InProgress {
                        return Err(ApiError::Conflict(
                            "A sample is applied only while its procedure's appointment is in progress.".into(),
                        ));
                    }
                    // The donor check comes first: it is the rule that protects the patient.
                    if recipient != row.patient_id || appt.patient_id != row.patient_id {
                        return Err(custody(CustodyProblem::NotTheDonor));
                    }
                    Some(recipient)
                } else {
                    None
                };
                let next = next_custody_state(current, body.kind, recipient.is_none_or(|r| r == row.patient_id), row.harvested_at, at, viability)
                    .map_err(custody)?;
                let event = SampleEventRow {
                    id: SampleEventId::new(),
                    sample_id: id,
                    kind: body.kind.as_str().to_owned(),
                    at,
                    recorded_at: now,
                    actor_id: by,
                    patient_id: recipient,
                    details: serde_json::Value::Object(body.details).to_string(),
                };
                if !samples::record(conn, &event, current, next)? {
                    return Err(ApiError::Conflict("The sample changed meanwhile; read it again.".into()));
                }
                let row = samples::find(conn, id)?.ok_or(ApiError::NotFound)?;
                view(conn, row)
            }?;
            audit.push(who.event(
            AuditAction::Update,
            "sample",
            Some(id.to_string()),
            Some(sample.patient_id),
        ));
            Ok(sample)
        })
        .await?;
    Ok(sample)
}
