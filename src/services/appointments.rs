//! The appointment book's use cases, for the front desk and for the patient's portal:
//! book (inside the idempotency combinator's transaction), read, list, reschedule,
//! move through the lifecycle, book the follow-up series. The booking rules themselves
//! are `scheduling`'s; this module owns the transactions and the audit rows.
use std::collections::HashMap;

use chrono::Duration;
use sha2::{Digest, Sha256};

use crate::api::appointments::CreateAppointment;
use crate::api::me::SelfBooking;
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::{Caller, Me};
pub use crate::db::models::appointments::AppointmentFilter;
use crate::db::models::appointments::{self, AppointmentRow};
use crate::db::models::clinic;
use crate::db::types::{AppointmentId, PatientId, PractitionerId, RoomId, ServiceId};
use crate::db::DbConnection;
use crate::domain::schedule::AppointmentStatus;
use crate::error::ApiError;
use crate::services::scheduling::{self, Booking, Reschedule};
use crate::state::AppState;

/// How many days ahead a patient may book online.
pub const ONLINE_BOOKING_MAX_DAYS_AHEAD: i64 = 365;

/// Notes on an appointment are at most this long.
const MAX_NOTES: usize = 2000;

fn check_notes(notes: Option<&str>) -> Result<(), ApiError> {
    if notes.is_some_and(|n| n.chars().count() > MAX_NOTES) {
        return Err(ApiError::validation(
            "notes",
            "must be at most 2000 characters",
        ));
    }
    Ok(())
}

fn trimmed(notes: Option<String>) -> Option<String> {
    notes.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())
}

fn find_service(conn: &mut DbConnection, id: ServiceId) -> Result<clinic::ServiceRow, ApiError> {
    clinic::find_service(conn, id)?
        .ok_or_else(|| ApiError::validation("service_id", "no such service"))
}

fn appointment_event(caller: &Caller, action: AuditAction, row: &AppointmentRow) -> AuditEvent {
    caller.event(
        action,
        "appointment",
        Some(row.id.to_string()),
        Some(row.patient_id),
    )
}

/// A cancellation's reason: required, at most 500 characters.
pub fn cancel_reason(reason: &str) -> Result<String, ApiError> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::validation(
            "reason",
            "is required (at most 500 characters)",
        ));
    }
    Ok(reason)
}

/// The front desk's booking, inside the caller's write transaction (the idempotency
/// combinator's): every booking rule, then the audit row.
pub fn book_by_staff(
    conn: &mut DbConnection,
    audit: &mut Vec<AuditEvent>,
    state_settings: &crate::config::Settings,
    caller: &Caller,
    body: CreateAppointment,
) -> Result<AppointmentRow, ApiError> {
    check_notes(body.notes.as_deref())?;
    let starts_at = crate::api::plausible("starts_at", body.starts_at)?;
    let service = find_service(conn, body.service_id)?;
    let row = scheduling::book(
        conn,
        state_settings.clinic_timezone,
        Booking {
            patient_id: body.patient_id,
            practitioner_id: body.practitioner_id,
            service,
            starts_at,
            room_id: body.room_id,
            notes: trimmed(body.notes),
            follow_up_of: None,
            follow_up_offset_days: None,
            booked_by: Some(caller.user_id),
        },
        state_settings.reminder_lead(),
    )?;
    audit.push(appointment_event(caller, AuditAction::Create, &row));
    Ok(row)
}

/// The patient's own booking, inside the caller's write transaction: the portal's
/// horizons (at least `PORTAL_MIN_LEAD` ahead, at most 365 days, at most
/// `PORTAL_MAX_OPEN` open appointments), a patient-bookable service, then the one
/// booking path and the audit row.
pub fn book_by_patient(
    conn: &mut DbConnection,
    audit: &mut Vec<AuditEvent>,
    settings: &crate::config::Settings,
    who: &Me,
    body: SelfBooking,
) -> Result<AppointmentRow, ApiError> {
    let starts_at = crate::api::plausible("starts_at", body.starts_at)?;
    let now = crate::db::now();
    if starts_at < now + Duration::minutes(settings.portal_min_lead_minutes) {
        return Err(ApiError::Conflict(format!(
            "Online booking needs at least {} notice; please call the clinic for anything sooner.",
            notice_in_words(settings.portal_min_lead_minutes)
        )));
    }
    if starts_at > now + Duration::days(ONLINE_BOOKING_MAX_DAYS_AHEAD) {
        return Err(ApiError::Conflict(
            "Online booking is open up to a year ahead.".into(),
        ));
    }
    check_notes(body.notes.as_deref())?;
    let service = find_service(conn, body.service_id)?;
    if !service.patient_bookable {
        return Err(ApiError::Conflict(
            "This service is booked by the clinic, not online.".into(),
        ));
    }
    let row = scheduling::book_within(
        conn,
        settings.clinic_timezone,
        Booking {
            patient_id: who.patient,
            practitioner_id: body.practitioner_id,
            service,
            starts_at,
            room_id: None,
            notes: trimmed(body.notes),
            follow_up_of: None,
            follow_up_offset_days: None,
            booked_by: Some(who.caller.user_id),
        },
        settings.reminder_lead(),
        Some(scheduling::OpenLimit {
            max_open: settings.portal_max_open,
            now,
        }),
    )?;
    audit.push(appointment_event(&who.caller, AuditAction::Create, &row));
    Ok(row)
}

/// A lead time as a person says it before "notice": "2 hours'", "1 day's", "90 minutes'".
fn notice_in_words(minutes: i64) -> String {
    let (n, unit) = if minutes > 0 && minutes % 1440 == 0 {
        (minutes / 1440, "day")
    } else if minutes > 0 && minutes % 60 == 0 {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    };
    if n == 1 {
        format!("1 {unit}'s")
    } else {
        format!("{n} {unit}s'")
    }
}

/// One appointment, audited as read.
pub async fn read(
    state: &AppState,
    caller: &Caller,
    id: AppointmentId,
) -> Result<AppointmentRow, ApiError> {
    let row = state
        .lookup(move |conn| appointments::find(conn, id)?.ok_or(ApiError::NotFound))
        .await?;
    state
        .audit
        .record(appointment_event(caller, AuditAction::Read, &row))
        .await?;
    Ok(row)
}

/// What the calendar's list asks for.
pub struct ListRequest {
    pub filter: AppointmentFilter,
    pub limit: i64,
    pub with_names: bool,
}

/// A listed page: its rows, whether more follow, and (when asked) the names of its
/// patients and services.
pub struct Listed {
    pub rows: Vec<AppointmentRow>,
    pub more: bool,
    pub patient_names: HashMap<PatientId, String>,
    pub service_names: HashMap<ServiceId, String>,
}

/// Lists appointments, with the page's strong validator (`ETag`). When the client's
/// `If-None-Match` already names it, nothing is answered and nothing is audited
/// (`None`); otherwise one `search` audit row per patient listed.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    request: ListRequest,
    if_none_match: Option<&str>,
) -> Result<(String, Option<Listed>), ApiError> {
    let ListRequest {
        filter,
        limit,
        with_names,
    } = request;
    // The page and its names are read together: one hand-off to the pool, and on
    // SQLite one snapshot, so the names are those of the rows listed.
    let if_none_match = if_none_match.map(str::to_owned);
    let (etag, page) = state
        .read_together(move |conn| {
            let rows = appointments::list(conn, &filter, limit + 1)?;
            let etag = page_etag(&rows, with_names);
            if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
                return Ok((etag, None));
            }
            let (rows, more) = crate::api::pagination::split_page(rows, limit);
            let mut patients: Vec<_> = rows.iter().map(|r| r.patient_id).collect();
            patients.sort();
            patients.dedup();
            let names = if with_names {
                let mut services: Vec<_> = rows.iter().map(|r| r.service_id).collect();
                services.sort();
                services.dedup();
                Some((
                    appointments::patient_names(conn, &patients)?,
                    appointments::service_names(conn, &services)?,
                ))
            } else {
                None
            };
            Ok((etag, Some((rows, more, patients, names))))
        })
        .await?;
    let Some((rows, more, patients, names)) = page else {
        return Ok((etag, None));
    };
    let (patient_names, service_names) = match names {
        Some((people, services)) => (
            people
                .into_iter()
                .map(|(id, given, family)| (id, format!("{given} {family}")))
                .collect(),
            services.into_iter().collect(),
        ),
        None => Default::default(),
    };
    super::audit_listed(state, caller, patients).await?;
    Ok((
        etag,
        Some(Listed {
            rows,
            more,
            patient_names,
            service_names,
        }),
    ))
}

/// A strong validator of a page: changes when an appointment enters, leaves or changes
/// (every change bumps its version). Names only change with the patient's own edit,
/// which the calendar picks up on its next full load.
fn page_etag(rows: &[AppointmentRow], with_names: bool) -> String {
    let mut hash = Sha256::new();
    hash.update([u8::from(with_names)]);
    for r in rows {
        hash.update(r.id.0.as_bytes());
        hash.update(r.version.to_be_bytes());
    }
    let digest = hash.finalize();
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// A reschedule as asked: what to change (absent fields stay).
pub struct RescheduleRequest {
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub practitioner_id: Option<PractitionerId>,
    pub room_id: Option<Option<RoomId>>,
    pub service_id: Option<ServiceId>,
    pub notes: Option<Option<String>>,
}

/// Moves a booked or confirmed appointment, re-running every booking rule.
pub async fn reschedule(
    state: &AppState,
    caller: &Caller,
    id: AppointmentId,
    expected: Option<i64>,
    request: RescheduleRequest,
) -> Result<AppointmentRow, ApiError> {
    check_notes(request.notes.as_ref().and_then(|n| n.as_deref()))?;
    let new_start = request
        .starts_at
        .map(|t| crate::api::plausible("starts_at", t))
        .transpose()?;
    let tz = state.settings.clinic_timezone;
    let lead = state.settings.reminder_lead();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let current = appointments::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let service = match request.service_id {
                Some(s) => Some(find_service(conn, s)?),
                None => None,
            };
            let change = Reschedule {
                starts_at: new_start,
                practitioner_id: request.practitioner_id,
                room_id: request.room_id,
                service,
                notes: request.notes,
            };
            let row = scheduling::reschedule(conn, tz, current, change, expected, lead)?;
            audit.push(appointment_event(&who, AuditAction::Update, &row));
            Ok(row)
        })
        .await
}

/// Moves an appointment to its next state (`can_become` decides), with the reason of
/// a cancellation.
pub async fn transition(
    state: &AppState,
    caller: &Caller,
    id: AppointmentId,
    next: AppointmentStatus,
    reason: Option<String>,
    expected: Option<i64>,
) -> Result<AppointmentRow, ApiError> {
    let tz = state.settings.clinic_timezone;
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let current = appointments::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let row = scheduling::transition(conn, tz, current, next, reason, expected)?;
            audit.push(appointment_event(&who, AuditAction::Update, &row));
            Ok(row)
        })
        .await
}

/// Books the follow-up series of a completed service, all or nothing.
pub async fn book_follow_ups(
    state: &AppState,
    caller: &Caller,
    id: AppointmentId,
) -> Result<Vec<AppointmentRow>, ApiError> {
    let tz = state.settings.clinic_timezone;
    let lead = state.settings.reminder_lead();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let original = appointments::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let rows = scheduling::book_follow_ups(conn, tz, &original, who.user_id, lead)?;
            audit.extend(
                rows.iter()
                    .map(|r| appointment_event(&who, AuditAction::Create, r)),
            );
            Ok(rows)
        })
        .await
}

/// The patient's own appointments, without staff notes (audited as their own read).
pub async fn mine(state: &AppState, who: &Me) -> Result<Vec<AppointmentRow>, ApiError> {
    let rows = who
        .read(state, "appointment", None, move |conn, me| {
            Ok(appointments::list(
                conn,
                &AppointmentFilter {
                    patient_id: Some(me),
                    ..Default::default()
                },
                1000,
            )?)
        })
        .await?;
    Ok(rows.into_iter().map(without_notes).collect())
}

/// One of the patient's own appointments, without staff notes (another patient's
/// id answers like an unknown one).
pub async fn one_of_mine(
    state: &AppState,
    who: &Me,
    id: AppointmentId,
) -> Result<AppointmentRow, ApiError> {
    let row = who
        .read(
            state,
            "appointment",
            Some(id.to_string()),
            move |conn, me| {
                appointments::find(conn, id)?
                    .filter(|a| a.patient_id == me)
                    .ok_or(ApiError::NotFound)
            },
        )
        .await?;
    Ok(without_notes(row))
}

/// The patient cancels one of their own booked or confirmed appointments.
pub async fn cancel_mine(
    state: &AppState,
    who: &Me,
    id: AppointmentId,
    reason: String,
) -> Result<AppointmentRow, ApiError> {
    let tz = state.settings.clinic_timezone;
    let caller = who.caller.clone();
    let me = who.patient;
    let row = state
        .write(move |conn, audit| {
            let current = appointments::find(conn, id)?
                .filter(|a| a.patient_id == me)
                .ok_or(ApiError::NotFound)?;
            if !current.status.reschedulable() {
                return Err(ApiError::Conflict(format!(
                    "An appointment that is {} cannot be cancelled online.",
                    current.status.as_str()
                )));
            }
            let row = scheduling::transition(
                conn,
                tz,
                current,
                AppointmentStatus::Cancelled,
                Some(reason),
                None,
            )?;
            audit.push(appointment_event(&caller, AuditAction::Update, &row));
            Ok(row)
        })
        .await?;
    Ok(without_notes(row))
}

/// Staff notes are not the patient's to read.
fn without_notes(mut row: AppointmentRow) -> AppointmentRow {
    row.notes = None;
    row
}

#[cfg(test)]
mod tests {
    use super::notice_in_words;

    #[test]
    fn a_lead_time_is_said_in_the_largest_whole_unit() {
        assert_eq!(notice_in_words(120), "2 hours'");
        assert_eq!(notice_in_words(60), "1 hour's");
        assert_eq!(notice_in_words(90), "90 minutes'");
        assert_eq!(notice_in_words(2880), "2 days'");
        assert_eq!(notice_in_words(1440), "1 day's");
    }
}
