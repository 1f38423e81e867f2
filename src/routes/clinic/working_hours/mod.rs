//! `GET/PUT /practitioners/{id}/working-hours`.
pub mod get;
pub mod put;
