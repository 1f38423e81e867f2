//! `/me/...`: the patient's own record, one handler per file. Every handler takes the
//! `Me` extractor, so it works on the caller's own patient id only; another patient's
//! id simply does not exist here (404). Every read goes through `Me::read` (audited).
pub mod access_log;
pub mod book_appointment;
pub mod cancel_appointment;
pub mod get_appointment;
pub mod get_consent;
pub mod list_appointments;
pub mod list_consents;
pub mod measurements;
pub mod record;
pub mod revoke_consent;
pub mod sign_consent;
