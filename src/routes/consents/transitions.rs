//! `POST /consents/{id}/witness`, `POST /consents/{id}/revoke`.
use actix_web::web;

use crate::api::consents::{Consent, RevokeConsent};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::consents;
use crate::db::types::ConsentId;
use crate::domain::consent::ConsentStatus;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// The calling staff member witnesses a signed consent (once).
#[utoipa::path(post, path = "/api/v1/consents/{id}/witness", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = Consent), (status = 409, body = Problem)))]
pub async fn witness_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsentId>,
) -> ApiResult<web::Json<Consent>> {
    let id = id.into_inner();
    let by = caller.user_id;
    let who = caller.clone();
    let (row, template) = state
        .write(move |conn, audit| {
            let (row, template) = {
                let (mut row, template) = super::load(conn, id)?;
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
                let expected = row.version;
                row.witness_id = Some(by);
                row.witnessed_at = Some(crate::db::now());
                row.version += 1;
                if !consents::save(conn, &row, expected)? {
                    return Err(ApiError::PreconditionFailed);
                }
                Ok::<_, ApiError>((row, template))
            }?;
            audit.push(who.event(
                AuditAction::Update,
                "consent",
                Some(id.to_string()),
                Some(row.patient_id),
            ));
            Ok((row, template))
        })
        .await?;
    Ok(web::Json(super::view(row, &template)))
}

/// Revokes a consent (a pending request is withdrawn the same way). A reason is required.
#[utoipa::path(post, path = "/api/v1/consents/{id}/revoke", tag = "consent", params(("id" = String, Path)),
    request_body = RevokeConsent,
    responses((status = 200, body = Consent), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn revoke_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsentId>,
    body: Json<RevokeConsent>,
) -> ApiResult<web::Json<Consent>> {
    let id = id.into_inner();
    let reason = body.into_inner().reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::validation(
            "reason",
            "is required (at most 1000 characters)",
        ));
    }
    let by = caller.user_id;
    let who = caller.clone();
    let (row, template) = state
        .write(move |conn, audit| {
            let (row, template) = {
                let (mut row, template) = super::load(conn, id)?;
                if row.status == ConsentStatus::Revoked {
                    return Err(ApiError::Conflict("The consent is already revoked.".into()));
                }
                let expected = row.version;
                row.status = ConsentStatus::Revoked;
                row.revoked_at = Some(crate::db::now());
                row.revoked_reason = Some(reason);
                row.revoked_by = Some(by);
                row.version += 1;
                if !consents::save(conn, &row, expected)? {
                    return Err(ApiError::PreconditionFailed);
                }
                Ok::<_, ApiError>((row, template))
            }?;
            audit.push(who.event(
                AuditAction::Update,
                "consent",
                Some(id.to_string()),
                Some(row.patient_id),
            ));
            Ok((row, template))
        })
        .await?;
    Ok(web::Json(super::view(row, &template)))
}
