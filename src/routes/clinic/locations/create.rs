//! `POST /locations`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreateLocation, Location};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::clinic;
use crate::state::AppState;

/// Adds a site.
#[utoipa::path(post, path = "/api/v1/locations", tag = "clinic", request_body = CreateLocation,
    responses((status = 201, body = Location), (status = 422, body = Problem)))]
pub async fn create_location(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateLocation>,
) -> ApiResult<HttpResponse> {
    let row = clinic::create_location(&state, &caller, body.into_inner()).await?;
    super::created(format!("/api/v1/locations/{}", row.id), Location::from(row))
}
