//! The clinic's set-up: locations, rooms, practitioners, services, working hours and
//! time off. Reads return rows; every write owns its transaction and audits what it
//! created or changed. Changes to a practitioner's calendar take the practitioner's
//! booking lock and are refused (409) when they would strand an open appointment.
use chrono::Duration;
use chrono_tz::Tz;

use crate::api::appointments::Appointment;
use crate::api::clinic::{
    CreateLocation, CreatePractitioner, CreateRoom, CreateService, CreateTimeOff, UpdateService,
};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::clinic::{
    self, LocationRow, PractitionerRow, RoomRow, ServiceRow, TimeOffRow, WorkingHoursRow,
};
use crate::db::models::{appointments, consents, users};
use crate::db::types::{LocationId, PractitionerId, RoomId, ServiceId, TimeOffId, WorkingHoursId};
use crate::db::DbConnection;
use crate::domain::consent::ConsentScope;
use crate::domain::role::Role;
use crate::domain::schedule::Interval;
use crate::error::ApiError;
use crate::services::scheduling;
use crate::state::AppState;

/// Trims a required name and checks its length.
pub fn required_name(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(ApiError::validation(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    Ok(v.to_owned())
}

/// A trimmed optional text, `None` when blank.
fn optional_text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

// ----- locations -----

/// The clinic's sites.
pub async fn list_locations(state: &AppState) -> Result<Vec<LocationRow>, ApiError> {
    state.db(|conn| Ok(clinic::list_locations(conn)?)).await
}

/// Adds a site.
pub async fn create_location(
    state: &AppState,
    caller: &Caller,
    body: CreateLocation,
) -> Result<LocationRow, ApiError> {
    let row = LocationRow {
        id: LocationId::new(),
        name: required_name("name", &body.name, 200)?,
        address: optional_text(body.address),
        created_at: crate::db::now(),
    };
    let stored = row.clone();
    let event = caller.event(
        AuditAction::Create,
        "location",
        Some(row.id.to_string()),
        None,
    );
    state
        .write(move |conn, audit| {
            clinic::insert_location(conn, &stored)?;
            audit.push(event);
            Ok(())
        })
        .await?;
    Ok(row)
}

// ----- rooms -----

/// Every treatment room.
pub async fn list_rooms(state: &AppState) -> Result<Vec<RoomRow>, ApiError> {
    state.db(|conn| Ok(clinic::list_rooms(conn)?)).await
}

/// Adds a room at an existing location (422 otherwise).
pub async fn create_room(
    state: &AppState,
    caller: &Caller,
    body: CreateRoom,
) -> Result<RoomRow, ApiError> {
    let row = RoomRow {
        id: RoomId::new(),
        location_id: body.location_id,
        name: required_name("name", &body.name, 200)?,
        created_at: crate::db::now(),
    };
    let stored = row.clone();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            if clinic::find_location(conn, stored.location_id)?.is_none() {
                return Err(ApiError::validation("location_id", "no such location"));
            }
            clinic::insert_room(conn, &stored)?;
            audit.push(who.event(
                AuditAction::Create,
                "room",
                Some(stored.id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
    Ok(row)
}

// ----- practitioners -----

/// Every practitioner.
pub async fn list_practitioners(state: &AppState) -> Result<Vec<PractitionerRow>, ApiError> {
    state.db(|conn| Ok(clinic::list_practitioners(conn)?)).await
}

/// One practitioner (404 if unknown).
pub async fn get_practitioner(
    state: &AppState,
    id: PractitionerId,
) -> Result<PractitionerRow, ApiError> {
    state
        .lookup(move |conn| clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound))
        .await
}

/// Makes a practitioner-role user bookable (422 for another role, 409 if already one).
pub async fn create_practitioner(
    state: &AppState,
    caller: &Caller,
    body: CreatePractitioner,
) -> Result<PractitionerRow, ApiError> {
    let row = PractitionerRow {
        id: PractitionerId::new(),
        user_id: body.user_id,
        display_name: required_name("display_name", &body.display_name, 200)?,
        title: optional_text(body.title),
        created_at: crate::db::now(),
    };
    let stored = row.clone();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let user = users::find(conn, stored.user_id)
                .map_err(|_| ApiError::validation("user_id", "no such user"))?;
            if user.role != Role::Practitioner {
                return Err(ApiError::validation(
                    "user_id",
                    "must be a user with the practitioner role",
                ));
            }
            if clinic::practitioner_of_user(conn, stored.user_id)?.is_some() {
                return Err(ApiError::Conflict(
                    "This user is already a practitioner.".into(),
                ));
            }
            clinic::insert_practitioner(conn, &stored)?;
            audit.push(who.event(
                AuditAction::Create,
                "practitioner",
                Some(stored.id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
    Ok(row)
}

// ----- services -----

/// Every service.
pub async fn list_services(state: &AppState) -> Result<Vec<ServiceRow>, ApiError> {
    state.db(|conn| Ok(clinic::list_services(conn)?)).await
}

/// One service (404 if unknown).
pub async fn get_service(state: &AppState, id: ServiceId) -> Result<ServiceRow, ApiError> {
    state
        .lookup(move |conn| clinic::find_service(conn, id)?.ok_or(ApiError::NotFound))
        .await
}

/// A service's consent family must exist and be a treatment consent.
fn check_consent_family(conn: &mut DbConnection, s: &CreateService) -> Result<(), ApiError> {
    if let Some(family) = s.consent_template_id {
        let versions = consents::family(conn, family)?;
        match versions.first() {
            None => {
                return Err(ApiError::validation(
                    "consent_template_id",
                    "no such consent template family",
                ))
            }
            Some(t) if t.scope != ConsentScope::Treatment => {
                return Err(ApiError::validation(
                    "consent_template_id",
                    "must be a treatment consent family",
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The references a service makes: its consent family, and a follow-up service that
/// is another one without a follow-up series of its own.
fn check_follow_up_service(
    conn: &mut DbConnection,
    s: &CreateService,
    own: ServiceId,
) -> Result<(), ApiError> {
    check_consent_family(conn, s)?;
    if let Some(f) = s.follow_up_service_id {
        let follow = clinic::find_service(conn, f)?
            .ok_or_else(|| ApiError::validation("follow_up_service_id", "no such service"))?;
        if f == own || !follow.follow_up_days().is_empty() {
            return Err(ApiError::validation(
                "follow_up_service_id",
                "must be another service without a follow-up series of its own",
            ));
        }
    }
    Ok(())
}

/// Adds a service.
pub async fn create_service(
    state: &AppState,
    caller: &Caller,
    body: CreateService,
) -> Result<ServiceRow, ApiError> {
    body.validate()?;
    let now = crate::db::now();
    let row = ServiceRow {
        id: ServiceId::new(),
        name: body.name.trim().to_owned(),
        duration_minutes: body.duration_minutes,
        buffer_minutes: body.buffer_minutes,
        requires_room: body.requires_room,
        consent_template_id: body.consent_template_id,
        follow_up_days: serde_json::to_string(&body.follow_up_days).map_err(ApiError::internal)?,
        follow_up_service_id: body.follow_up_service_id,
        patient_bookable: body.patient_bookable,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let stored = row.clone();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            check_follow_up_service(conn, &body, stored.id)?;
            clinic::insert_service(conn, &stored)?;
            audit.push(who.event(
                AuditAction::Create,
                "service",
                Some(stored.id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
    Ok(row)
}

/// Changes a service (a JSON Merge Patch; `expected` from `If-Match`, 412 when another
/// change came first). Booked appointments keep their times.
pub async fn update_service(
    state: &AppState,
    caller: &Caller,
    id: ServiceId,
    expected: Option<i64>,
    patch: UpdateService,
) -> Result<ServiceRow, ApiError> {
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let current = clinic::find_service(conn, id)?.ok_or(ApiError::NotFound)?;
            if expected.is_some_and(|v| v != current.version) {
                return Err(ApiError::PreconditionFailed);
            }
            let merged = CreateService::from_row(&current).apply(patch)?;
            merged.validate()?;
            check_follow_up_service(conn, &merged, id)?;
            let row = ServiceRow {
                name: merged.name.trim().to_owned(),
                duration_minutes: merged.duration_minutes,
                buffer_minutes: merged.buffer_minutes,
                requires_room: merged.requires_room,
                consent_template_id: merged.consent_template_id,
                follow_up_days: serde_json::to_string(&merged.follow_up_days)
                    .map_err(ApiError::internal)?,
                follow_up_service_id: merged.follow_up_service_id,
                patient_bookable: merged.patient_bookable,
                version: current.version + 1,
                updated_at: crate::db::now(),
                ..current.clone()
            };
            if clinic::update_service(conn, &row, current.version)? != 1 {
                return Err(ApiError::PreconditionFailed);
            }
            audit.push(who.event(AuditAction::Update, "service", Some(id.to_string()), None));
            Ok(row)
        })
        .await
}

// ----- working hours and time off -----

/// Open appointments that the calendar as it now stands no longer fits (time off or
/// new hours would strand them): 409 listing them.
pub fn refuse_stranding(
    conn: &mut DbConnection,
    tz: Tz,
    practitioner: PractitionerId,
) -> Result<(), ApiError> {
    let now = crate::db::now();
    let open = appointments::open_from(conn, practitioner, now)?;
    let (Some(first), Some(last)) = (
        open.iter().map(|a| a.starts_at).min(),
        open.iter().map(|a| a.blocked_until).max(),
    ) else {
        return Ok(());
    };
    // The hours and time off as they now stand, once for every open appointment.
    let window = scheduling::hours_window(first, last);
    let calendar = scheduling::load_hours(conn, tz, practitioner, window)?;
    let mut stranded = Vec::new();
    for appt in open {
        // The stored times decide (a service changed since keeps its booked length).
        let visit = Interval {
            start: appt.starts_at,
            end: appt.ends_at,
        };
        let held = Interval {
            start: appt.starts_at,
            end: appt.blocked_until,
        };
        if !calendar.fits_hours_and_time_off(visit, held) {
            stranded.push(Appointment::from(appt));
        }
    }
    if stranded.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = stranded.iter().map(|a| a.id.to_string()).collect();
    Err(ApiError::Conflict(format!(
        "These open appointments would no longer fit; move or cancel them first: {}.",
        ids.join(", ")
    )))
}

/// A practitioner's weekly hours (404 for an unknown practitioner).
pub async fn working_hours(
    state: &AppState,
    id: PractitionerId,
) -> Result<Vec<WorkingHoursRow>, ApiError> {
    state
        .db(move |conn| {
            clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound)?;
            Ok(clinic::working_hours_of(conn, id)?)
        })
        .await
}

/// Replaces the weekly hours (parsed: weekday, start and end minute, location; in the
/// clinic's time zone). Refused (409) if an open appointment would fall outside them.
pub async fn replace_working_hours(
    state: &AppState,
    caller: &Caller,
    id: PractitionerId,
    parsed: Vec<(i32, i32, i32, LocationId)>,
) -> Result<Vec<WorkingHoursRow>, ApiError> {
    let tz = state.settings.clinic_timezone;
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            scheduling::lock(conn, &[scheduling::Lock::Practitioner(id)])?;
            clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound)?;
            for (i, (_, _, _, location)) in parsed.iter().enumerate() {
                if clinic::find_location(conn, *location)?.is_none() {
                    return Err(ApiError::validation(
                        format!("[{i}].location_id"),
                        "no such location",
                    ));
                }
            }
            let rows: Vec<WorkingHoursRow> = parsed
                .iter()
                .map(|(weekday, start, end, location)| WorkingHoursRow {
                    id: WorkingHoursId::new(),
                    practitioner_id: id,
                    weekday: *weekday,
                    start_minute: *start,
                    end_minute: *end,
                    location_id: *location,
                })
                .collect();
            clinic::replace_working_hours(conn, id, &rows)?;
            refuse_stranding(conn, tz, id)?;
            let rows = clinic::working_hours_of(conn, id)?;
            audit.push(who.event(
                AuditAction::Update,
                "working_hours",
                Some(id.to_string()),
                None,
            ));
            Ok(rows)
        })
        .await
}

/// A practitioner's time off, from 30 days ago on (404 for an unknown practitioner).
pub async fn list_time_off(
    state: &AppState,
    id: PractitionerId,
) -> Result<Vec<TimeOffRow>, ApiError> {
    state
        .db(move |conn| {
            clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound)?;
            let now = crate::db::now();
            Ok(clinic::time_off_of(
                conn,
                id,
                now - Duration::days(30),
                now + Duration::days(3650),
            )?)
        })
        .await
}

/// Adds time off. Refused (409, listing them) if open appointments fall in it.
pub async fn create_time_off(
    state: &AppState,
    caller: &Caller,
    id: PractitionerId,
    body: CreateTimeOff,
) -> Result<TimeOffRow, ApiError> {
    if body.ends_at <= body.starts_at {
        return Err(ApiError::validation("ends_at", "must be after starts_at"));
    }
    let row = TimeOffRow {
        id: TimeOffId::new(),
        practitioner_id: id,
        starts_at: crate::api::plausible("starts_at", body.starts_at)?,
        ends_at: crate::api::plausible("ends_at", body.ends_at)?,
        reason: optional_text(body.reason),
        created_at: crate::db::now(),
    };
    let tz = state.settings.clinic_timezone;
    let stored = row.clone();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            scheduling::lock(conn, &[scheduling::Lock::Practitioner(id)])?;
            clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound)?;
            clinic::insert_time_off(conn, &stored)?;
            refuse_stranding(conn, tz, id)?;
            audit.push(who.event(
                AuditAction::Create,
                "time_off",
                Some(stored.id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
    Ok(row)
}
