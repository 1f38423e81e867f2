//! `POST /consents/{id}/sign` (the signature taken in the clinic).
use std::io::Cursor;

use actix_web::{web, HttpRequest};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::api::consents::{Consent, SignConsent, SignerKind};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::consents;
use crate::db::types::{ConsentId, PatientId};
use crate::domain::consent::{expiry, ConsentScope, ConsentStatus};
use crate::domain::role::Role;
use crate::domain::FieldError;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

const SIGNATURE_MAX_BYTES: usize = 256 * 1024;
const SIGNATURE_MAX_SIDE: u32 = 4000;

/// Decodes and checks a signature image: base64 of a real PNG, at most 256 KiB and
/// 4000 px a side, decoded in full (with a memory limit) so a truncated or hostile
/// file is refused.
pub fn validate_signature_png(b64: &str) -> Result<Vec<u8>, ApiError> {
    let field = "signature_png_base64";
    let text = b64.trim();
    let text = text.strip_prefix("data:image/png;base64,").unwrap_or(text);
    if text.len() > SIGNATURE_MAX_BYTES * 4 / 3 + 4 {
        return Err(ApiError::validation(field, "must be at most 256 KiB"));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| ApiError::validation(field, "must be base64"))?;
    if bytes.len() > SIGNATURE_MAX_BYTES {
        return Err(ApiError::validation(field, "must be at most 256 KiB"));
    }
    let not_png = || ApiError::validation(field, "must be a PNG image");
    let decoder = png::Decoder::new_with_limits(
        Cursor::new(&bytes),
        png::Limits {
            bytes: 64 * 1024 * 1024,
        },
    );
    let mut reader = decoder.read_info().map_err(|_| not_png())?;
    let (w, h) = (reader.info().width, reader.info().height);
    if w == 0 || h == 0 || w > SIGNATURE_MAX_SIDE || h > SIGNATURE_MAX_SIDE {
        return Err(ApiError::validation(
            field,
            "must be at most 4000 pixels a side",
        ));
    }
    let mut buffer = vec![0; reader.output_buffer_size()];
    reader.next_frame(&mut buffer).map_err(|_| not_png())?;
    Ok(bytes)
}

/// Signs a pending consent, storing the exact text signed and its SHA-256, the
/// signer, the collecting staff member, time, IP and user agent. Practitioners
/// collect every scope; front desk and admin only photography and marketing.
#[utoipa::path(post, path = "/api/v1/consents/{id}/sign", tag = "consent", params(("id" = String, Path)),
    request_body = SignConsent,
    responses((status = 200, body = Consent), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn sign_consent(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<ConsentId>,
    body: Json<SignConsent>,
) -> ApiResult<web::Json<Consent>> {
    sign(
        &state,
        &caller,
        &req,
        id.into_inner(),
        body.into_inner(),
        Collector::Staff,
    )
    .await
}

/// Who took the signature: a staff member in the clinic (recorded as `collected_by`),
/// or the patient themself through the portal (their own consent only, any scope).
#[derive(Debug, Clone, Copy)]
pub enum Collector {
    Staff,
    Patient(PatientId),
}

/// Signs a pending consent: the one place that validates the signer and signature,
/// stores the exact text signed with its SHA-256, and audits the signing.
pub async fn sign(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    id: ConsentId,
    body: SignConsent,
    collector: Collector,
) -> ApiResult<web::Json<Consent>> {
    let mut errors = Vec::new();
    let signer = body.signer_name.trim().to_owned();
    if signer.is_empty() || signer.chars().count() > 200 {
        errors.push(FieldError::new(
            "signer_name",
            "must be 1 to 200 characters",
        ));
    }
    let guardian = body
        .guardian_name
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned);
    if guardian.as_deref().is_some_and(|g| g.chars().count() > 200) {
        errors.push(FieldError::new(
            "guardian_name",
            "must be at most 200 characters",
        ));
    }
    match (body.signer_kind, &guardian) {
        (SignerKind::Guardian, None) => errors.push(FieldError::new(
            "guardian_name",
            "is required when a guardian signs",
        )),
        (SignerKind::Patient, Some(_)) => {
            errors.push(FieldError::new("guardian_name", "is only for a guardian"))
        }
        _ => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let png = validate_signature_png(&body.signature_png_base64)?;
    let user_agent = req
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(500).collect::<String>());
    let c = caller.clone();
    let (row, template) = state
        .write(move |conn, audit| {
            let (row, template) = {
                let (mut row, template) = super::load(conn, id)?;
                let scope = template.scope;
                let collected_by = match collector {
                    Collector::Staff => {
                        if c.role != Role::Practitioner && scope == ConsentScope::Treatment {
                            return Err(ApiError::Forbidden);
                        }
                        Some(c.user_id)
                    }
                    // Another patient's consent does not exist for this caller.
                    Collector::Patient(me) if row.patient_id != me => {
                        return Err(ApiError::NotFound)
                    }
                    Collector::Patient(_) => None,
                };
                if row.status != ConsentStatus::Pending {
                    return Err(ApiError::Conflict(format!(
                        "The consent is {}, not pending.",
                        row.status.as_str()
                    )));
                }
                let now = crate::db::now();
                let text = template.text_to_sign();
                let expected = row.version;
                row.status = ConsentStatus::Signed;
                row.signer_name = Some(signer);
                row.signer_kind = Some(match body.signer_kind {
                    SignerKind::Patient => "patient".into(),
                    SignerKind::Guardian => "guardian".into(),
                });
                row.guardian_name = guardian;
                row.signature_png = Some(png);
                row.signed_text_sha256 = Some(hex::encode(Sha256::digest(text.as_bytes())));
                row.signed_text = Some(text);
                row.signed_at = Some(now);
                row.collected_by = collected_by;
                row.signed_ip = Some(c.context.ip.clone());
                row.signed_user_agent = user_agent;
                row.expires_at = expiry(now, template.valid_for_days);
                row.version += 1;
                if !consents::save(conn, &row, expected)? {
                    return Err(ApiError::PreconditionFailed);
                }
                Ok::<_, ApiError>((row, template))
            }?;
            audit.push(c.event(
                AuditAction::Sign,
                "consent",
                Some(id.to_string()),
                Some(row.patient_id),
            ));
            Ok((row, template))
        })
        .await?;
    Ok(web::Json(super::view(row, &template)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_pretending_to_be_a_png_is_refused() {
        let fake = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\nnot really");
        assert!(validate_signature_png(&fake).is_err());
        assert!(validate_signature_png("@@@not base64").is_err());
    }
}
