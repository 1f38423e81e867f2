//! `GET /appointments`.
use actix_web::web;

use crate::api::appointments::{Appointment, AppointmentQuery};
use crate::api::pagination::{self, Page, TimeCursor};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::appointments::{self, AppointmentFilter};
use crate::db::types::AppointmentId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Appointments overlapping `[from, to)` by practitioner, room, patient or status, ordered by start.
/// One `search` audit row per patient listed.
#[utoipa::path(get, path = "/api/v1/appointments", tag = "scheduling", params(AppointmentQuery),
    responses((status = 200, body = Page<Appointment>), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_appointments(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AppointmentQuery>,
) -> ApiResult<web::Json<Page<Appointment>>> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if to <= from {
            return Err(ApiError::validation("to", "must be after from"));
        }
    }
    let filter = AppointmentFilter {
        from: q
            .from
            .map(|t| crate::api::plausible("from", t))
            .transpose()?,
        to: q.to.map(|t| crate::api::plausible("to", t)).transpose()?,
        practitioner_id: q.practitioner_id,
        patient_id: q.patient_id,
        room_id: q.room_id,
        status: q.status.map(|s| s.as_str().to_owned()),
        after: TimeCursor::decode(q.cursor.as_deref())?.map(|c| (c.t, AppointmentId(c.id))),
    };
    let rows = state
        .db(move |conn| Ok(appointments::list(conn, &filter, limit + 1)?))
        .await?;
    let (rows, more) = pagination::split_page(rows, limit);
    let next_cursor = more
        .then(|| {
            rows.last().map(|r| {
                TimeCursor {
                    t: r.starts_at,
                    id: r.id.0,
                }
                .encode()
            })
        })
        .flatten();
    let mut patients: Vec<_> = rows.iter().map(|r| r.patient_id).collect();
    patients.sort();
    patients.dedup();
    state
        .audit
        .record_all(
            patients
                .into_iter()
                .map(|p| caller.patient_event(AuditAction::Search, p))
                .collect(),
        )
        .await?;
    Ok(web::Json(Page {
        items: rows.into_iter().map(Appointment::from).collect(),
        next_cursor,
    }))
}
