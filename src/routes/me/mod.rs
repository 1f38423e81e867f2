//! `/me/...`: the patient's own record, one handler per file. Every handler takes the
//! `Me` extractor, so it works on the caller's own patient id only; another patient's
//! id simply does not exist here (404). Every read goes through `Me::read` (audited).
use crate::api::consents::Consent;
use crate::db::types::{ConsentId, PatientId};
use crate::error::ApiError;

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

/// One of the caller's own consents (another patient's id answers like an unknown one).
pub(crate) fn own_consent(
    conn: &mut crate::db::DbConnection,
    me: PatientId,
    id: ConsentId,
) -> Result<Consent, ApiError> {
    let (c, t) = crate::routes::consents::load(conn, id)?;
    if c.patient_id != me {
        return Err(ApiError::NotFound);
    }
    Ok(crate::routes::consents::view(c, &t))
}
