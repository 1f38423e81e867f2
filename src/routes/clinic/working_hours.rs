//! `GET/PUT /practitioners/{id}/working-hours`.
use actix_web::web;

use crate::api::appointments::Appointment;
use crate::api::clinic::WorkingHours;
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::appointments;
use crate::db::models::clinic::{self, WorkingHoursRow};
use crate::db::types::{PractitionerId, WorkingHoursId};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::scheduling;
use crate::state::AppState;

/// A practitioner's weekly hours.
#[utoipa::path(get, path = "/api/v1/practitioners/{id}/working-hours", tag = "clinic", params(("id" = String, Path)),
    responses((status = 200, body = Vec<WorkingHours>), (status = 404, body = Problem)))]
pub async fn get_working_hours(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<PractitionerId>,
) -> ApiResult<web::Json<Vec<WorkingHours>>> {
    let id = id.into_inner();
    let rows = state
        .db(move |conn| {
            clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound)?;
            Ok(clinic::working_hours_of(conn, id)?)
        })
        .await?;
    Ok(web::Json(rows.iter().map(WorkingHours::from_row).collect()))
}

/// Open appointments that the calendar as it now stands no longer fits (time off or
/// new hours would strand them): 409 listing them.
pub fn refuse_stranding(
    conn: &mut crate::db::DbConnection,
    tz: chrono_tz::Tz,
    practitioner: PractitionerId,
) -> Result<(), ApiError> {
    let now = crate::db::now();
    let mut stranded = Vec::new();
    for appt in appointments::open_from(conn, practitioner, now)? {
        let window = crate::domain::schedule::Interval {
            start: appt.starts_at - chrono::Duration::days(2),
            end: appt.blocked_until + chrono::Duration::days(2),
        };
        let calendar =
            scheduling::load_calendar(conn, tz, practitioner, None, window, Some(appt.id))?;
        // The stored times decide (a service changed since keeps its booked length).
        let visit = crate::domain::schedule::Interval {
            start: appt.starts_at,
            end: appt.ends_at,
        };
        let held = crate::domain::schedule::Interval {
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

/// Replaces the weekly hours (in the clinic's time zone). Refused (409) if an open
/// appointment would fall outside them.
#[utoipa::path(put, path = "/api/v1/practitioners/{id}/working-hours", tag = "clinic", params(("id" = String, Path)),
    request_body = Vec<WorkingHours>,
    responses((status = 200, body = Vec<WorkingHours>), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn put_working_hours(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PractitionerId>,
    body: Json<Vec<WorkingHours>>,
) -> ApiResult<web::Json<Vec<WorkingHours>>> {
    let id = id.into_inner();
    let parsed = WorkingHours::parse_all(&body.into_inner())?;
    let tz = state.settings.clinic_timezone;
    let who = caller.clone();
    let rows = state
        .write(move |conn, audit| {
            let rows = {
                crate::scheduling::lock(conn, &[crate::scheduling::Lock::Practitioner(id)])?;
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
                Ok::<_, ApiError>(clinic::working_hours_of(conn, id)?)
            }?;
            audit.push(who.event(
                AuditAction::Update,
                "working_hours",
                Some(id.to_string()),
                None,
            ));
            Ok(rows)
        })
        .await?;
    Ok(web::Json(rows.iter().map(WorkingHours::from_row).collect()))
}
