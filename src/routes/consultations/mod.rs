//! `/consultations`: drafts by their author, signing, amendments (the lifecycle lives in `services::notes`).
pub mod amend;
pub mod create;
pub mod delete;
pub mod get;
pub mod sign;
pub mod update;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::api::notes::Consultation;

/// The note with its `ETag`.
fn respond(status: StatusCode, note: Consultation) -> HttpResponse {
    super::versioned(status, note.version, note)
}
