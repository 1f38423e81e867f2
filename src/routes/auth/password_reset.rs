//! `POST /auth/password-reset`: emails a reset link when the account exists; the
//! answer is the same 202 either way, so it tells nobody whether an email is known.
use actix_web::{web, HttpResponse};

use crate::api::auth::PasswordResetRequest;
use crate::auth::RequestContext;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::credentials;
use crate::state::AppState;

/// Asks for a reset link (1 h, single use) to be emailed to an active login's address.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = PasswordResetRequest,
    security(()), responses((status = 202, description = "Accepted, whether or not the account exists"),
        (status = 422, body = Problem)))]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    ctx: RequestContext,
    body: Json<PasswordResetRequest>,
) -> ApiResult<HttpResponse> {
    credentials::request_password_reset(state.into_inner(), ctx, body.into_inner().email).await;
    Ok(HttpResponse::Accepted().finish())
}
