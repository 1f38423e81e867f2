//! `GET/POST /practitioners/{id}/time-off`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreateTimeOff, TimeOff};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::clinic::{self, TimeOffRow};
use crate::db::types::{PractitionerId, TimeOffId};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TimeOffList {
    pub items: Vec<TimeOff>,
}

/// A practitioner's time off, from 30 days ago on.
#[utoipa::path(get, path = "/api/v1/practitioners/{id}/time-off", tag = "clinic", params(("id" = String, Path)),
    responses((status = 200, body = TimeOffList), (status = 404, body = Problem)))]
pub async fn list_time_off(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<PractitionerId>,
) -> ApiResult<web::Json<TimeOffList>> {
    let id = id.into_inner();
    let rows = state
        .db(move |conn| {
            clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound)?;
            let now = crate::db::now();
            Ok(clinic::time_off_of(
                conn,
                id,
                now - chrono::Duration::days(30),
                now + chrono::Duration::days(3650),
            )?)
        })
        .await?;
    Ok(web::Json(TimeOffList {
        items: rows.into_iter().map(TimeOff::from).collect(),
    }))
}

/// Adds time off. Refused (409, listing them) if open appointments fall in it.
#[utoipa::path(post, path = "/api/v1/practitioners/{id}/time-off", tag = "clinic", params(("id" = String, Path)),
    request_body = CreateTimeOff,
    responses((status = 201, body = TimeOff), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_time_off(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PractitionerId>,
    body: Json<CreateTimeOff>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let body = body.into_inner();
    if body.ends_at <= body.starts_at {
        return Err(ApiError::validation("ends_at", "must be after starts_at"));
    }
    let row = TimeOffRow {
        id: TimeOffId::new(),
        practitioner_id: id,
        starts_at: crate::api::plausible("starts_at", body.starts_at)?,
        ends_at: crate::api::plausible("ends_at", body.ends_at)?,
        reason: body
            .reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
        created_at: crate::db::now(),
    };
    let tz = state.settings.clinic_timezone;
    let stored = row.clone();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            crate::scheduling::lock(conn, &[crate::scheduling::Lock::Practitioner(id)])?;
            clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound)?;
            clinic::insert_time_off(conn, &stored)?;
            super::working_hours::refuse_stranding(conn, tz, id)?;
            audit.push(who.event(
                AuditAction::Create,
                "time_off",
                Some(row.id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
    super::created(
        format!("/api/v1/practitioners/{id}/time-off/{}", row.id),
        TimeOff::from(row),
    )
}
