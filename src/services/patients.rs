//! Patients' demographics: register, read, search, change, archive, and the portal
//! login's invitation. Every read and write is audited against the patient.
use chrono::Utc;
use diesel::Connection;

use crate::audit::AuditAction;
use crate::auth::{Caller, Me};
use crate::db::models::patients::{self, PatientRow, PatientValues};
use crate::db::types::{PatientId, UserId};
use crate::domain::mrn::new_mrn;
use crate::domain::patient::{fold, PatientFields, SearchTerms};
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::services::chart::{Chart, ChartParts};
use crate::state::AppState;

/// The audit entity type of a change to a patient's email (where portal links go).
pub const EMAIL_CHANGE: &str = "patient_email";

/// Whether the caller sees clinical fields (front desk does not).
pub fn sees_clinical(caller: &Caller) -> bool {
    caller.role != Role::FrontDesk
}

/// Front desk may not send clinical fields (403, SPEC §6).
pub fn refuse_clinical_from_front_desk(
    caller: &Caller,
    has_clinical: bool,
) -> Result<(), ApiError> {
    if has_clinical && !sees_clinical(caller) {
        Err(ApiError::Forbidden)
    } else {
        Ok(())
    }
}

/// Registers a patient with a server-drawn MRN.
pub async fn register(
    state: &AppState,
    caller: &Caller,
    fields: PatientFields,
) -> Result<PatientRow, ApiError> {
    fields
        .validate(Utc::now().date_naive())
        .map_err(ApiError::Validation)?;
    let values = PatientValues::from(&fields);
    // Who set the email is kept with the row (portal logins: four eyes).
    let set_by = fields.email.is_some().then_some(caller.user_id);
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let now = crate::db::now();
            // MRNs are random; on the rare collision draw again (each attempt in a
            // savepoint: a failed insert must not end the transaction).
            for _ in 0..5 {
                let attempt = conn.transaction(|conn| {
                    patients::insert(conn, PatientId::new(), &new_mrn(), &values, set_by, now)
                });
                match attempt {
                    Ok(row) => {
                        audit.push(who.patient_event(AuditAction::Create, row.id));
                        return Ok(row);
                    }
                    Err(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    )) => continue,
                    Err(other) => return Err(other.into()),
                }
            }
            Err(ApiError::internal(anyhow::anyhow!(
                "could not draw a free MRN"
            )))
        })
        .await
}

/// One patient (archived ones too), audited as read.
pub async fn read(
    state: &AppState,
    caller: &Caller,
    id: PatientId,
) -> Result<PatientRow, ApiError> {
    let row = state
        .lookup(move |conn| patients::find(conn, id)?.ok_or(ApiError::NotFound))
        .await?;
    state
        .audit
        .record(caller.patient_event(AuditAction::Read, row.id))
        .await?;
    Ok(row)
}

/// The chart in one answer (front desk: the administrative parts only), audited as read.
pub async fn chart(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
) -> Result<serde_json::Value, ApiError> {
    let clinical = sees_clinical(caller);
    let parts = if clinical {
        ChartParts::Full
    } else {
        ChartParts::Administrative
    };
    let chart = state
        .db(move |conn| Chart::load(conn, patient, parts)?.staff_json(clinical))
        .await?;
    state
        .audit
        .record(caller.patient_event(AuditAction::Read, patient))
        .await?;
    Ok(chart)
}

/// A page of patients matching the terms, newest first, and whether more follow;
/// one `search` audit row per patient returned.
pub async fn search(
    state: &AppState,
    caller: &Caller,
    terms: Option<SearchTerms>,
    include_archived: bool,
    after: Option<(chrono::NaiveDateTime, PatientId)>,
    limit: i64,
) -> Result<(Vec<PatientRow>, bool), ApiError> {
    let rows = state
        .db(move |conn| {
            Ok(patients::search(
                conn,
                terms.as_ref(),
                include_archived,
                after,
                limit + 1,
            )?)
        })
        .await?;
    let (rows, more) = crate::api::pagination::split_page(rows, limit);
    super::audit_listed(state, caller, rows.iter().map(|r| r.id)).await?;
    Ok((rows, more))
}

/// Changes a patient's fields: `change` merges the patch into the current fields.
/// A stale `expected` version is 412; an email change is noted (who set it) and
/// audited apart (portal links go there).
pub async fn update<F>(
    state: &AppState,
    caller: &Caller,
    id: PatientId,
    expected: Option<i64>,
    change: F,
) -> Result<PatientRow, ApiError>
where
    F: FnOnce(&PatientRow) -> Result<PatientFields, ApiError> + Send + 'static,
{
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let current = patients::find(conn, id)?.ok_or(ApiError::NotFound)?;
            if expected.is_some_and(|v| v != current.version) {
                return Err(ApiError::PreconditionFailed);
            }
            let merged = change(&current)?;
            merged
                .validate(Utc::now().date_naive())
                .map_err(ApiError::Validation)?;
            let email_changed =
                current.email.as_deref().map(fold) != merged.email.as_deref().map(fold);
            let values = PatientValues::from(&merged);
            let now = crate::db::now();
            let row = patients::update(conn, id, &values, current.version, now)?
                .ok_or(ApiError::PreconditionFailed)?;
            if email_changed {
                patients::note_email_set(conn, id, who.user_id, now)?;
            }
            audit.push(who.patient_event(AuditAction::Update, row.id));
            if email_changed {
                // Where portal links go: the portal-account route reads this (four eyes).
                audit.push(who.event(
                    AuditAction::Update,
                    EMAIL_CHANGE,
                    Some(row.id.to_string()),
                    Some(row.id),
                ));
            }
            Ok(row)
        })
        .await
}

/// Archives a patient (hidden from search, never erased) and cancels their future
/// open appointments.
pub async fn archive(state: &AppState, caller: &Caller, id: PatientId) -> Result<(), ApiError> {
    let caller = caller.clone();
    state
        .write(move |conn, audit| {
            patients::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let now = crate::db::now();
            patients::archive(conn, id, now)?;
            crate::services::scheduling::cancel_future_of_patient(conn, id, now)?;
            audit.push(caller.patient_event(AuditAction::Delete, id));
            Ok(())
        })
        .await
}

/// Opens the patient's portal login for the email on file and queues its
/// set-password link; answers the login's id and the link's expiry.
pub async fn open_portal_account(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
) -> Result<(UserId, chrono::NaiveDateTime), ApiError> {
    let public_url = state.settings.public_url.clone();
    let caller = caller.clone();
    let opened = state
        .write(move |conn, audit| {
            let (user_id, expires_at) = crate::services::accounts::open_portal_account(
                conn,
                patient,
                caller.user_id,
                &public_url,
                crate::db::now(),
            )?;
            audit.push(caller.event(
                AuditAction::Create,
                "portal_account",
                Some(user_id.to_string()),
                Some(patient),
            ));
            Ok((user_id, expires_at))
        })
        .await?;
    crate::outbox::wake();
    Ok(opened)
}

/// The patient's own chart as the patient sees it (audited as their own read).
pub async fn my_record(
    state: &AppState,
    who: &Me,
) -> Result<crate::api::patient_record::PatientRecord, ApiError> {
    who.read(
        state,
        "patient",
        Some(who.patient.to_string()),
        |conn, me| Ok(Chart::load(conn, me, ChartParts::Full)?.patient_record()),
    )
    .await
}
