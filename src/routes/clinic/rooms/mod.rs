//! `GET/POST /rooms`.
pub mod create;
pub mod list;

use crate::api::clinic::Room;

// The handlers below answer through `super::created`, the clinic-wide 201.
use super::created;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RoomList {
    pub items: Vec<Room>,
}
