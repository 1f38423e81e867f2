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
use crate::auth::Caller;
use crate::domain::role::Role;
use crate::error::ApiError;

/// The audit entity type of a change to a patient's email (where portal links go).
pub const EMAIL_CHANGE: &str = "patient_email";

/// Whether the caller sees clinical fields (front desk does not).
pub fn sees_clinical(caller: &Caller) -> bool {
    caller.role != Role::FrontDesk
}

/// Front desk may not send clinical fields (403, SPEC §6).
pub fn refuse_clinical_from_front_desk(
    caller: &Caller,
    has_clinical: bool,
) -> Result<(), ApiError> {
    if has_clinical && !sees_clinical(caller) {
        Err(ApiError::Forbidden)
    } else {
        Ok(())
    }
}

pub fn patient_response(status: StatusCode, patient: Patient) -> HttpResponse {
    super::versioned(status, patient.version, patient)
}
