//! `/patients`: demographics (staff). Every read and write is audited.
pub mod archive;
pub mod create;
pub mod get;
pub mod import;
pub mod portal_account;
pub mod record;
pub mod search;
pub mod update;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::api::patients::Patient;

pub fn patient_response(status: StatusCode, patient: Patient) -> HttpResponse {
    super::versioned(status, patient.version, patient)
}
