//! `POST /auth/totp/confirm`.
use actix_web::{web, HttpResponse};

use crate::api::auth::TotpConfirm;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::credentials;
use crate::state::AppState;

/// Confirms enrolment with a code from the app; from then on login needs `totp_code`.
#[utoipa::path(post, path = "/api/v1/auth/totp/confirm", tag = "auth", request_body = TotpConfirm,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem, description = "Too many wrong passwords or codes")))]
pub async fn confirm_totp(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<TotpConfirm>,
) -> ApiResult<HttpResponse> {
    credentials::confirm_totp(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
