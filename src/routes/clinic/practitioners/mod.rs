//! `GET/POST /practitioners`, `GET /practitioners/{id}`.
pub mod create;
pub mod get;
pub mod list;

use crate::api::clinic::Practitioner;

// The handlers below answer through `super::created`, the clinic-wide 201.
use super::created;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PractitionerList {
    pub items: Vec<Practitioner>,
}
