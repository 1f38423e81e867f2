//! `POST /me/consents/{id}/revoke`.
use actix_web::web;

use crate::api::consents::{Consent, RevokeConsent};
use crate::auth::Me;
use crate::db::types::ConsentId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::consents;
use crate::state::AppState;

/// Revokes one of the patient's consents.
#[utoipa::path(post, path = "/api/v1/me/consents/{id}/revoke", tag = "me", params(("id" = String, Path)),
    request_body = RevokeConsent,
    responses((status = 200, body = Consent), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn revoke_my_consent(
    state: web::Data<AppState>,
    who: Me,
    id: web::Path<ConsentId>,
    body: Json<RevokeConsent>,
) -> ApiResult<web::Json<Consent>> {
    let reason = consents::revoke_reason(&body.into_inner().reason)?;
    Ok(web::Json(
        consents::revoke(
            &state,
            &who.caller,
            id.into_inner(),
            reason,
            Some(who.patient),
        )
        .await?,
    ))
}
