//! `/procedures`: procedure notes behind the consent and eligibility gates; recall by lot (the lifecycle lives in `services::notes`).
pub mod amend;
pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod sign;
pub mod update;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::api::notes::Procedure;

/// The note with its `ETag`.
fn respond(status: StatusCode, note: Procedure) -> HttpResponse {
    super::versioned(status, note.version, note)
}
