//! `GET/POST /practitioners/{id}/time-off`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreateTimeOff, TimeOff};
use crate::auth::Caller;
use crate::db::types::PractitionerId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::clinic;
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
    let rows = clinic::list_time_off(&state, id.into_inner()).await?;
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
    let row = clinic::create_time_off(&state, &caller, id, body.into_inner()).await?;
    super::created(
        format!("/api/v1/practitioners/{id}/time-off/{}", row.id),
        TimeOff::from(row),
    )
}
