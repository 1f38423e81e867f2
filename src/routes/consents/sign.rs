//! `POST /consents/{id}/sign` (the signature taken in the clinic).
use actix_web::{web, HttpRequest};

use crate::api::consents::{Consent, SignConsent};
use crate::auth::Caller;
use crate::db::types::ConsentId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::consents::{self, Collector};
use crate::state::AppState;

/// The request's `User-Agent`, kept with a signature.
pub(crate) fn user_agent(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
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
    Ok(web::Json(
        consents::sign(
            &state,
            &caller,
            user_agent(&req),
            id.into_inner(),
            body.into_inner(),
            Collector::Staff,
        )
        .await?,
    ))
}
