//! `GET /appointments`.
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::appointments::{
    Appointment, AppointmentInclude, AppointmentListItem, AppointmentQuery,
};
use crate::api::pagination::{self, Page, TimeCursor};
use crate::auth::Caller;
use crate::db::types::AppointmentId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::services::appointments::{self, AppointmentFilter};
use crate::state::AppState;

/// Appointments overlapping `[from, to)` by practitioner, room, patient or status, ordered by start.
/// One `search` audit row per patient listed. `include=names` adds the patient's and the
/// service's names to each item. The answer carries an `ETag` over the page's ids and
/// versions; a matching `If-None-Match` answers 304 with no body (nothing is listed, so
/// nothing is audited): the calendar polls this way to see others' changes.
#[utoipa::path(get, path = "/api/v1/appointments", tag = "scheduling", params(AppointmentQuery),
    responses((status = 200, body = Page<AppointmentListItem>),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_appointments(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<AppointmentQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if to <= from {
            return Err(ApiError::validation("to", "must be after from"));
        }
    }
    let with_names = q.include == Some(AppointmentInclude::Names);
    let filter = AppointmentFilter {
        from: q
            .from
            .map(|t| crate::api::plausible("from", t))
            .transpose()?,
        to: q.to.map(|t| crate::api::plausible("to", t)).transpose()?,
        practitioner_id: q.practitioner_id,
        patient_id: q.patient_id,
        room_id: q.room_id,
        status: q.status,
        after: TimeCursor::decode(q.cursor.as_deref())?.map(|c| (c.t, AppointmentId(c.id))),
    };
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (etag, listed) = appointments::list(
        &state,
        &caller,
        appointments::ListRequest {
            filter,
            limit,
            with_names,
        },
        if_none_match.as_deref(),
    )
    .await?;
    let Some(listed) = listed else {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    };
    let next_cursor = listed
        .more
        .then(|| {
            listed.rows.last().map(|r| {
                TimeCursor {
                    t: r.starts_at,
                    id: r.id.0,
                }
                .encode()
            })
        })
        .flatten();
    let items = listed
        .rows
        .into_iter()
        .map(|r| AppointmentListItem {
            patient_name: listed.patient_names.get(&r.patient_id).cloned(),
            service_name: listed.service_names.get(&r.service_id).cloned(),
            appointment: Appointment::from(r),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .json(Page { items, next_cursor }))
}
