//! `GET/POST /practitioners`, `GET /practitioners/{id}`.
pub mod create;
pub mod get;
pub mod list;

// The handlers below answer through `super::created`, the clinic-wide 201.
use super::created;
