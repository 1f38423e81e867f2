//! `GET/POST /rooms`.
pub mod create;
pub mod list;

// The handlers below answer through `super::created`, the clinic-wide 201.
use super::created;
