//! `GET/POST /patients/{id}/consents`, `GET /consents/{id}`.
pub mod get;
pub mod list;
pub mod request;
