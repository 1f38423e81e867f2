//! `GET/POST /locations`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreateLocation, Location};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::clinic;
use crate::state::AppState;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LocationList {
    pub items: Vec<Location>,
}

/// The clinic's sites.
#[utoipa::path(get, path = "/api/v1/locations", tag = "clinic", responses((status = 200, body = LocationList)))]
pub async fn list_locations(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<LocationList>> {
    let rows = clinic::list_locations(&state).await?;
    Ok(web::Json(LocationList {
        items: rows.into_iter().map(Location::from).collect(),
    }))
}

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
