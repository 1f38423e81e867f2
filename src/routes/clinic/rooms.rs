//! `GET/POST /rooms`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreateRoom, Room};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::clinic;
use crate::state::AppState;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RoomList {
    pub items: Vec<Room>,
}

/// Every treatment room.
#[utoipa::path(get, path = "/api/v1/rooms", tag = "clinic", responses((status = 200, body = RoomList)))]
pub async fn list_rooms(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<RoomList>> {
    let rows = clinic::list_rooms(&state).await?;
    Ok(web::Json(RoomList {
        items: rows.into_iter().map(Room::from).collect(),
    }))
}

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
