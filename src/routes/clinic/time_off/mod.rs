//! `GET/POST /practitioners/{id}/time-off`.
pub mod create;
pub mod list;

use crate::api::clinic::TimeOff;

// The handlers below answer through `super::created`, the clinic-wide 201.
use super::created;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TimeOffList {
    pub items: Vec<TimeOff>,
}
