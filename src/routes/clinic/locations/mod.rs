//! `GET/POST /locations`.
pub mod create;
pub mod list;

use crate::api::clinic::Location;

// The handlers below answer through `super::created`, the clinic-wide 201.
use super::created;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LocationList {
    pub items: Vec<Location>,
}
