//! `POST /rooms`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreateRoom, Room};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::clinic;
use crate::state::AppState;

/// Adds a room at a location.
#[utoipa::path(post, path = "/api/v1/rooms", tag = "clinic", request_body = CreateRoom,
    responses((status = 201, body = Room), (status = 422, body = Problem)))]
pub async fn create_room(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateRoom>,
) -> ApiResult<HttpResponse> {
    let row = clinic::create_room(&state, &caller, body.into_inner()).await?;
    super::created(format!("/api/v1/rooms/{}", row.id), Room::from(row))
}
