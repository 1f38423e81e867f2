//! Adverse events: recorded by practitioners; serious ones carry the regulator's
//! 15-day reporting deadline until marked reported.
use chrono::Duration;

use crate::api::adverse::{
    CreateAdverseEvent, DueQuery, MarkReported, Severity, UpdateAdverseEvent,
};
use crate::api::pagination::{self, TimeCursor};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::adverse::{self, AdverseEventRow};
use crate::db::models::{notes, patients};
use crate::db::types::{AdverseEventId, PatientId};
use crate::error::ApiError;
use crate::state::AppState;

/// The regulator's deadline for reporting a serious reaction to a cell product.
const REPORT_WITHIN_DAYS: i64 = 15;

/// Records an adverse event for a patient.
pub async fn record(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
    body: CreateAdverseEvent,
) -> Result<AdverseEventRow, ApiError> {
    let onset_at = crate::api::plausible("onset_at", body.onset_at)?;
    let resolved_at = body
        .resolved_at
        .map(|r| crate::api::plausible("resolved_at", r))
        .transpose()?;
    if resolved_at.is_some_and(|r| r < onset_at) {
        return Err(ApiError::validation(
            "resolved_at",
            "must not be before onset_at",
        ));
    }
    if body.action_taken.chars().count() > 20_000 {
        return Err(ApiError::validation(
            "action_taken",
            "must be at most 20000 characters",
        ));
    }
    let description = body.description.trim().to_owned();
    if description.is_empty() || description.chars().count() > 20_000 {
        return Err(ApiError::validation(
            "description",
            "must be 1 to 20000 characters",
        ));
    }
    let by = caller.user_id;
    let who = caller.clone();
    let row = state
        .write(move |conn, audit| {
            let row = {
                patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
                if let Some(p) = body.procedure_id {
                    let procedure = notes::find_procedure(conn, p)?
                        .ok_or_else(|| ApiError::validation("procedure_id", "no such procedure"))?;
                    if procedure.patient_id != patient {
                        return Err(ApiError::validation(
                            "procedure_id",
                            "is another patient's procedure",
                        ));
                    }
                }
                let now = crate::db::now();
                let row = AdverseEventRow {
                    id: AdverseEventId::new(),
                    patient_id: patient,
                    procedure_id: body.procedure_id,
                    onset_at,
                    kind: body.kind,
                    severity: body.severity,
                    phase: body.phase,
                    description,
                    action_taken: body.action_taken,
                    resolved_at,
                    recorded_by: by,
                    recorded_at: now,
                    report_due_at: (body.severity == Severity::Serious)
                        .then(|| now + Duration::days(REPORT_WITHIN_DAYS)),
                    reported_at: None,
                    report_reference: None,
                    version: 1,
                };
                adverse::insert(conn, &row)?;
                Ok::<_, ApiError>(row)
            }?;
            audit.push(who.event(
                AuditAction::Create,
                "adverse_event",
                Some(row.id.to_string()),
                Some(patient),
            ));
            Ok(row)
        })
        .await?;
    Ok(row)
}

/// A patient's adverse events, newest first, audited as read.
pub async fn of_patient(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
) -> Result<Vec<AdverseEventRow>, ApiError> {
    let rows = state
        .db(move |conn| {
            patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
            Ok(adverse::of_patient(conn, patient)?)
        })
        .await?;
    state
        .audit
        .record(caller.event(AuditAction::Read, "adverse_event", None, Some(patient)))
        .await?;
    Ok(rows)
}

/// Every adverse event, newest recorded first, paged (and whether more follow);
/// one `search` audit row per patient listed.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: DueQuery,
) -> Result<(Vec<AdverseEventRow>, bool), ApiError> {
    let limit = pagination::limit(query.limit)?;
    let filter = adverse::AdverseFilter {
        report_due_before: query
            .report_due_before
            .map(|t| crate::api::plausible("report_due_before", t))
            .transpose()?,
        patient_id: query.patient_id,
        severity: query.severity,
        after: TimeCursor::decode(query.cursor.as_deref())?.map(|c| (c.t, AdverseEventId(c.id))),
    };
    let rows = state
        .db(move |conn| Ok(adverse::list(conn, &filter, limit + 1)?))
        .await?;
    let (rows, more) = pagination::split_page(rows, limit);
    let patients = rows.iter().map(|r| r.patient_id);
    super::audit_listed(state, caller, patients).await?;
    Ok((rows, more))
}

/// Updates resolution, severity or action taken; an upgrade to `serious` starts the
/// 15-day reporting clock from now.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: AdverseEventId,
    body: UpdateAdverseEvent,
) -> Result<AdverseEventRow, ApiError> {
    let resolved = match body.resolved_at {
        Some(Some(t)) => Some(Some(crate::api::plausible("resolved_at", t)?)),
        Some(None) => Some(None),
        None => None,
    };
    change(state, caller, id, move |row| {
        if let Some(r) = resolved {
            if r.is_some_and(|r| r < row.onset_at) {
                return Err(ApiError::validation(
                    "resolved_at",
                    "must not be before onset_at",
                ));
            }
            row.resolved_at = r;
        }
        if let Some(a) = body.action_taken {
            if a.chars().count() > 20_000 {
                return Err(ApiError::validation(
                    "action_taken",
                    "must be at most 20000 characters",
                ));
            }
            row.action_taken = a;
        }
        if let Some(s) = body.severity {
            let was_serious = row.severity == Severity::Serious;
            row.severity = s;
            if s == Severity::Serious && !was_serious {
                row.report_due_at = Some(crate::db::now() + Duration::days(REPORT_WITHIN_DAYS));
            }
            if s != Severity::Serious {
                row.report_due_at = None;
            }
        }
        Ok(())
    })
    .await
}

/// Marks a serious event as reported to the regulator.
pub async fn mark_reported(
    state: &AppState,
    caller: &Caller,
    id: AdverseEventId,
    body: MarkReported,
) -> Result<AdverseEventRow, ApiError> {
    let reported_at = crate::api::plausible("reported_at", body.reported_at)?;
    let reference = body.reference.trim().to_owned();
    if reference.is_empty() || reference.chars().count() > 200 {
        return Err(ApiError::validation(
            "reference",
            "must be 1 to 200 characters",
        ));
    }
    change(state, caller, id, move |row| {
        if row.reported_at.is_some() {
            return Err(ApiError::Conflict(
                "The event is already marked reported.".into(),
            ));
        }
        row.reported_at = Some(reported_at);
        row.report_reference = Some(reference);
        Ok(())
    })
    .await
}

/// One change to an adverse event, in one transaction: find it, let `edit` check and
/// change it, save it only if nobody changed it meanwhile (412) and audit it as an
/// update against its patient.
async fn change<F>(
    state: &AppState,
    caller: &Caller,
    id: AdverseEventId,
    edit: F,
) -> Result<AdverseEventRow, ApiError>
where
    F: FnOnce(&mut AdverseEventRow) -> Result<(), ApiError> + Send + 'static,
{
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let mut row = adverse::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let expected = row.version;
            edit(&mut row)?;
            row.version = expected + 1;
            if !adverse::save(conn, &row, expected)? {
                return Err(ApiError::PreconditionFailed);
            }
            audit.push(who.event(
                AuditAction::Update,
                "adverse_event",
                Some(id.to_string()),
                Some(row.patient_id),
            ));
            Ok(row)
        })
        .await
}
