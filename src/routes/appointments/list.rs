//! `GET /appointments`.
use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::api::appointments::{
    Appointment, AppointmentInclude, AppointmentListItem, AppointmentQuery,
};
use crate::api::pagination::{self, Page, TimeCursor};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::appointments::{self, AppointmentFilter, AppointmentRow};
use crate::db::types::AppointmentId;
use crate::error::{ApiError, ApiResult, Problem};
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
    let rows = state
        .db(move |conn| Ok(appointments::list(conn, &filter, limit + 1)?))
        .await?;
    let etag = page_etag(&rows, with_names);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
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
    let names = if with_names {
        let mut services: Vec<_> = rows.iter().map(|r| r.service_id).collect();
        services.sort();
        services.dedup();
        let patient_ids = patients.clone();
        Some(
            state
                .db(move |conn| {
                    let people = appointments::patient_names(conn, &patient_ids)?;
                    let services = appointments::service_names(conn, &services)?;
                    Ok((people, services))
                })
                .await?,
        )
    } else {
        None
    };
    state
        .audit
        .record_all(
            patients
                .into_iter()
                .map(|p| caller.patient_event(AuditAction::Search, p))
                .collect(),
        )
        .await?;
    let (people, services): (HashMap<_, _>, HashMap<_, _>) = match names {
        Some((people, services)) => (
            people
                .into_iter()
                .map(|(id, given, family)| (id, format!("{given} {family}")))
                .collect(),
            services.into_iter().collect(),
        ),
        None => Default::default(),
    };
    let items = rows
        .into_iter()
        .map(|r| AppointmentListItem {
            patient_name: people.get(&r.patient_id).cloned(),
            service_name: services.get(&r.service_id).cloned(),
            appointment: Appointment::from(r),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .json(Page { items, next_cursor }))
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
