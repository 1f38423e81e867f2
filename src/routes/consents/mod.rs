//! Consent templates (admin) and patients' consents: request, sign, witness, revoke.
pub mod patient;
pub mod sign;
pub mod templates;
pub mod transitions;

use crate::api::consents::Consent;
use crate::db::models::consents::{self, ConsentRow, TemplateRow};
use crate::db::types::ConsentId;
use crate::db::DbConnection;
use crate::error::ApiError;

/// A consent and its template version (404 if unknown).
pub fn load(conn: &mut DbConnection, id: ConsentId) -> Result<(ConsentRow, TemplateRow), ApiError> {
    let consent = consents::find(conn, id)?.ok_or(ApiError::NotFound)?;
    let template = consents::find_template(conn, consent.template_id)?.ok_or(ApiError::NotFound)?;
    Ok((consent, template))
}

pub fn view(consent: ConsentRow, template: &TemplateRow) -> Consent {
    Consent::from_rows(consent, template, crate::db::now())
}
