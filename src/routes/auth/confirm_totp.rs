//! `POST /auth/totp/confirm`.
use actix_web::{web, HttpResponse};
use chrono::Utc;

use crate::api::auth::TotpConfirm;
use crate::audit::AuditAction;
use crate::auth::{totp, Caller};
use crate::db::models::users;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

use super::password::check_current_password;

/// Confirms enrolment with a code from the app; from then on login needs `totp_code`.
#[utoipa::path(post, path = "/api/v1/auth/totp/confirm", tag = "auth", request_body = TotpConfirm,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_totp(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<TotpConfirm>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let user = check_current_password(&state, &caller, body.current_password).await?;
    if user.totp_confirmed {
        return Err(ApiError::Conflict(
            "A second factor is already confirmed.".into(),
        ));
    }
    let Some(secret) = user.totp_secret.clone() else {
        return Err(ApiError::Conflict(
            "Enrol first (POST /auth/totp/enroll).".into(),
        ));
    };
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let Some(step) = totp::matching_step(&secret, &user.email, &body.code, now) else {
        return Err(ApiError::validation("code", "is not the current code"));
    };
    let id = user.id;
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            users::set_totp(conn, id, Some(&secret), true)?;
            users::claim_totp_step(conn, id, step)?;
            audit.push(who.event(AuditAction::Update, "user_totp", Some(id.to_string()), None));
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
