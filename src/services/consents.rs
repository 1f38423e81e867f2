//! Consents: templates (published, versioned, never changed), a patient's consents
//! requested, signed (by staff in the clinic or by the patient in the portal),
//! witnessed and revoked. Every read and change is audited against the patient.
use std::io::Cursor;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::api::consents::{Consent, CreateTemplate, SignConsent, SignerKind};
use crate::audit::AuditAction;
use crate::auth::{Caller, Me};
use crate::db::models::clinic;
use crate::db::models::consents::{self, ConsentRow, TemplateRow};
use crate::db::models::patients;
use crate::db::types::{ConsentFamilyId, ConsentId, ConsentTemplateId, PatientId};
use crate::db::DbConnection;
use crate::domain::consent::{expiry, ConsentScope, ConsentStatus};
use crate::domain::role::Role;
use crate::domain::FieldError;
use crate::error::ApiError;
use crate::state::AppState;

/// A consent and its template version (404 if unknown).
pub fn load(conn: &mut DbConnection, id: ConsentId) -> Result<(ConsentRow, TemplateRow), ApiError> {
    let consent = consents::find(conn, id)?.ok_or(ApiError::NotFound)?;
    let template = consents::find_template(conn, consent.template_id)?.ok_or(ApiError::NotFound)?;
    Ok((consent, template))
}

pub fn view(consent: ConsentRow, template: &TemplateRow) -> Consent {
    Consent::from_rows(consent, template, crate::db::now())
}

/// What the caller may see of a consent: front desk, its status without the signed
/// text and signature.
fn as_seen_by(caller: &Caller, consent: Consent) -> Consent {
    if caller.role == Role::FrontDesk {
        consent.for_front_desk()
    } else {
        consent
    }
}

/// Every consent of the patient, oldest first, with its template version.
fn of_patient(conn: &mut DbConnection, patient: PatientId) -> Result<Vec<Consent>, ApiError> {
    let mut items = Vec::new();
    for c in consents::of_patient(conn, patient)? {
        let t = consents::find_template(conn, c.template_id)?.ok_or(ApiError::NotFound)?;
        items.push(view(c, &t));
    }
    Ok(items)
}

/// One of the patient's own consents (another patient's id answers like an unknown one).
fn own(conn: &mut DbConnection, me: PatientId, id: ConsentId) -> Result<Consent, ApiError> {
    let (c, t) = load(conn, id)?;
    if c.patient_id != me {
        return Err(ApiError::NotFound);
    }
    Ok(view(c, &t))
}

/// Asks the patient to consent: a pending consent of the family's latest version.
pub async fn request(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
    template_id: ConsentTemplateId,
) -> Result<Consent, ApiError> {
    let who = caller.clone();
    let (row, template) = state
        .write(move |conn, audit| {
            patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
            let named = consents::find_template(conn, template_id)?
                .ok_or_else(|| ApiError::validation("template_id", "no such consent template"))?;
            let latest = consents::family(conn, named.family_id)?
                .pop()
                .unwrap_or(named);
            let row = ConsentRow {
                id: ConsentId::new(),
                patient_id: patient,
                template_id: latest.id,
                family_id: latest.family_id,
                status: ConsentStatus::Pending,
                requested_by: Some(who.user_id),
                requested_at: crate::db::now(),
                signer_name: None,
                signer_kind: None,
                guardian_name: None,
                signature_png: None,
                signed_text: None,
                signed_text_sha256: None,
                signed_at: None,
                collected_by: None,
                signed_ip: None,
                signed_user_agent: None,
                witness_id: None,
                witnessed_at: None,
                expires_at: None,
                revoked_at: None,
                revoked_reason: None,
                revoked_by: None,
                version: 1,
            };
            consents::insert(conn, &row)?;
            audit.push(who.event(
                AuditAction::Create,
                "consent",
                Some(row.id.to_string()),
                Some(patient),
            ));
            Ok((row, latest))
        })
        .await?;
    Ok(view(row, &template))
}

/// A patient's consents with their status, audited as read.
pub async fn list_for_patient(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
) -> Result<Vec<Consent>, ApiError> {
    let items = state
        .db(move |conn| {
            patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
            of_patient(conn, patient)
        })
        .await?;
    state
        .audit
        .record(caller.event(AuditAction::Read, "consent", None, Some(patient)))
        .await?;
    Ok(items.into_iter().map(|c| as_seen_by(caller, c)).collect())
}

/// One consent, audited as read.
pub async fn read(state: &AppState, caller: &Caller, id: ConsentId) -> Result<Consent, ApiError> {
    let (c, t) = state.lookup(move |conn| load(conn, id)).await?;
    state
        .audit
        .record(caller.event(
            AuditAction::Read,
            "consent",
            Some(id.to_string()),
            Some(c.patient_id),
        ))
        .await?;
    Ok(as_seen_by(caller, view(c, &t)))
}

/// The patient's own consents (audited as their own read).
pub async fn mine(state: &AppState, who: &Me) -> Result<Vec<Consent>, ApiError> {
    who.read(state, "consent", None, of_patient).await
}

/// One of the patient's own consents (audited as their own read).
pub async fn one_of_mine(state: &AppState, who: &Me, id: ConsentId) -> Result<Consent, ApiError> {
    who.read(state, "consent", Some(id.to_string()), move |conn, me| {
        own(conn, me, id)
    })
    .await
}

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

/// One change to a consent, in one transaction: load it with its template version, let
/// `edit` check and change it, save it only if nobody changed it meanwhile (412), audit
/// it as `action` against its patient, and answer its view. Signing, witnessing and
/// revoking all go through here.
async fn change<F>(
    state: &AppState,
    caller: &Caller,
    id: ConsentId,
    action: AuditAction,
    edit: F,
) -> Result<Consent, ApiError>
where
    F: FnOnce(&mut ConsentRow, &TemplateRow) -> Result<(), ApiError> + Send + 'static,
{
    let who = caller.clone();
    let (row, template) = state
        .write(move |conn, audit| {
            let (mut row, template) = load(conn, id)?;
            let expected = row.version;
            edit(&mut row, &template)?;
            row.version = expected + 1;
            if !consents::save(conn, &row, expected)? {
                return Err(ApiError::PreconditionFailed);
            }
            audit.push(who.event(
                action,
                "consent",
                Some(id.to_string()),
                Some(row.patient_id),
            ));
            Ok((row, template))
        })
        .await?;
    Ok(view(row, &template))
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
    user_agent: Option<&str>,
    id: ConsentId,
    body: SignConsent,
    collector: Collector,
) -> Result<Consent, ApiError> {
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
    let user_agent = user_agent.map(|v| v.chars().take(500).collect::<String>());
    let c = caller.clone();
    change(
        state,
        caller,
        id,
        AuditAction::Sign,
        move |row, template| {
            let collected_by = match collector {
                Collector::Staff => {
                    if c.role != Role::Practitioner && template.scope == ConsentScope::Treatment {
                        return Err(ApiError::Forbidden);
                    }
                    Some(c.user_id)
                }
                // Another patient's consent does not exist for this caller.
                Collector::Patient(me) if row.patient_id != me => return Err(ApiError::NotFound),
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
            Ok(())
        },
    )
    .await
}

/// The calling staff member witnesses a signed consent (once).
pub async fn witness(
    state: &AppState,
    caller: &Caller,
    id: ConsentId,
) -> Result<Consent, ApiError> {
    let by = caller.user_id;
    change(state, caller, id, AuditAction::Update, move |row, _| {
        if row.status != ConsentStatus::Signed {
            return Err(ApiError::Conflict(
                "Only a signed consent can be witnessed.".into(),
            ));
        }
        if row.witness_id.is_some() {
            return Err(ApiError::Conflict(
                "The consent already has a witness.".into(),
            ));
        }
        row.witness_id = Some(by);
        row.witnessed_at = Some(crate::db::now());
        Ok(())
    })
    .await
}

/// A revocation's reason: required, at most 1000 characters.
pub fn revoke_reason(reason: &str) -> Result<String, ApiError> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::validation(
            "reason",
            "is required (at most 1000 characters)",
        ));
    }
    Ok(reason)
}

/// Revokes a consent (a pending request is withdrawn the same way); `owner` limits it
/// to the patient's own consents (the portal: another patient's id is 404).
pub async fn revoke(
    state: &AppState,
    caller: &Caller,
    id: ConsentId,
    reason: String,
    owner: Option<PatientId>,
) -> Result<Consent, ApiError> {
    let by = caller.user_id;
    change(state, caller, id, AuditAction::Update, move |row, _| {
        if owner.is_some_and(|me| row.patient_id != me) {
            return Err(ApiError::NotFound);
        }
        if row.status == ConsentStatus::Revoked {
            return Err(ApiError::Conflict("The consent is already revoked.".into()));
        }
        row.status = ConsentStatus::Revoked;
        row.revoked_at = Some(crate::db::now());
        row.revoked_reason = Some(reason);
        row.revoked_by = Some(by);
        Ok(())
    })
    .await
}

/// Every template version, newest first.
pub async fn templates(state: &AppState) -> Result<Vec<TemplateRow>, ApiError> {
    state.db(|conn| Ok(consents::list_templates(conn)?)).await
}

/// One template version.
pub async fn template(state: &AppState, id: ConsentTemplateId) -> Result<TemplateRow, ApiError> {
    state
        .lookup(move |conn| consents::find_template(conn, id)?.ok_or(ApiError::NotFound))
        .await
}

/// Publishes a new template family at version 1 (published templates never change).
pub async fn publish(
    state: &AppState,
    caller: &Caller,
    body: CreateTemplate,
) -> Result<TemplateRow, ApiError> {
    let id = ConsentTemplateId::new();
    let new = row(&body, id, ConsentFamilyId(id.0), 1, caller)?;
    let stored = new.clone();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            validate(conn, &body)?;
            consents::insert_template(conn, &stored)?;
            audit.push(who.event(
                AuditAction::Create,
                "consent_template",
                Some(id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
    Ok(new)
}

/// Publishes the next version of a family. Scope and service cannot change (422).
pub async fn publish_version(
    state: &AppState,
    caller: &Caller,
    id: ConsentTemplateId,
    body: CreateTemplate,
) -> Result<TemplateRow, ApiError> {
    let c = caller.clone();
    state
        .write(move |conn, audit| {
            let base = consents::find_template(conn, id)?.ok_or(ApiError::NotFound)?;
            validate(conn, &body)?;
            let mut errors = Vec::new();
            if body.scope != base.scope {
                errors.push(FieldError::new(
                    "scope",
                    "a new version keeps the family's scope",
                ));
            }
            if body.service_id != base.service_id {
                errors.push(FieldError::new(
                    "service_id",
                    "a new version keeps the family's service",
                ));
            }
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
            let latest = consents::family(conn, base.family_id)?
                .last()
                .map_or(base.version, |t| t.version);
            let new = row(
                &body,
                ConsentTemplateId::new(),
                base.family_id,
                latest + 1,
                &c,
            )?;
            consents::insert_template(conn, &new)?;
            audit.push(c.event(
                AuditAction::Create,
                "consent_template",
                Some(new.id.to_string()),
                None,
            ));
            Ok(new)
        })
        .await
}

fn validate(conn: &mut DbConnection, body: &CreateTemplate) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if body.title.trim().is_empty() || body.title.chars().count() > 200 {
        errors.push(FieldError::new("title", "must be 1 to 200 characters"));
    }
    if body.body_markdown.trim().is_empty() || body.body_markdown.chars().count() > 100_000 {
        errors.push(FieldError::new(
            "body_markdown",
            "must be 1 to 100000 characters",
        ));
    }
    if body.risks.len() > 50
        || body
            .risks
            .iter()
            .any(|r| r.trim().is_empty() || r.chars().count() > 500)
    {
        errors.push(FieldError::new(
            "risks",
            "at most 50 risks of 1 to 500 characters",
        ));
    }
    if body
        .valid_for_days
        .is_some_and(|d| !(1..=3650).contains(&d))
    {
        errors.push(FieldError::new("valid_for_days", "must be 1 to 3650"));
    }
    if let Some(s) = body.service_id {
        if clinic::find_service(conn, s)?.is_none() {
            errors.push(FieldError::new("service_id", "no such service"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn row(
    body: &CreateTemplate,
    id: ConsentTemplateId,
    family: ConsentFamilyId,
    version: i32,
    caller: &Caller,
) -> Result<TemplateRow, ApiError> {
    Ok(TemplateRow {
        id,
        family_id: family,
        version,
        service_id: body.service_id,
        title: body.title.trim().to_owned(),
        body_markdown: body.body_markdown.clone(),
        risks: serde_json::to_string(&body.risks).map_err(ApiError::internal)?,
        scope: body.scope,
        requires_reconsent: body.requires_reconsent,
        valid_for_days: body.valid_for_days,
        created_by: Some(caller.user_id),
        created_at: crate::db::now(),
    })
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
