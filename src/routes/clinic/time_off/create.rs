//! `POST /practitioners/{id}/time-off`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreateTimeOff, TimeOff};
use crate::auth::Caller;
use crate::db::types::PractitionerId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::clinic;
use crate::state::AppState;

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
