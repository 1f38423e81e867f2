//! `POST /consents/{id}/revoke`.
use actix_web::web;

use crate::api::consents::{Consent, RevokeConsent};
use crate::auth::Caller;
use crate::db::types::ConsentId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::consents;
use crate::state::AppState;

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
    let reason = consents::revoke_reason(&body.into_inner().reason)?;
    Ok(web::Json(
        consents::revoke(&state, &caller, id.into_inner(), reason, None).await?,
    ))
}
