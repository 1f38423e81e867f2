//! `POST /auth/password`.
use actix_web::{web, HttpResponse};

use crate::api::auth::ChangePassword;
use crate::audit::AuditAction;
use crate::auth::{throttle, Caller};
use crate::db::models::{sessions, users};
use crate::domain::password::check_new_password;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// Checks the caller's current password (422 naming `current_password` if wrong).
pub async fn check_current_password(
    state: &AppState,
    caller: &Caller,
    password: String,
) -> ApiResult<users::UserRow> {
    let id = caller.user_id;
    let (user, verdict) = state
        .db(move |conn| Ok((users::find(conn, id)?, throttle::check_reauth(conn, id)?)))
        .await?;
    // A stolen session must not become an unlimited password oracle.
    if let Err(retry_after_secs) = verdict {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    let ok = state
        .hasher
        .verify(password, Some(user.password_hash.clone()))
        .await?;
    if ok {
        Ok(user)
    } else {
        state
            .db(move |conn| Ok(throttle::record_reauth_failure(conn, id)?))
            .await?;
        Err(ApiError::validation(
            "current_password",
            "is not your current password",
        ))
    }
}

/// Changes one's own password; every other session of the user ends.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = ChangePassword,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<ChangePassword>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if let Err(message) = check_new_password(&body.new_password) {
        return Err(ApiError::validation("new_password", message));
    }
    check_current_password(&state, &caller, body.current_password).await?;
    let hash = state.hasher.hash(body.new_password).await?;
    let (id, keep) = (caller.user_id, caller.session_id);
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let now = crate::db::now();
            users::set_password_hash(conn, id, &hash, now)?;
            sessions::revoke_all_for_user(conn, id, Some(keep), now)?;
            audit.push(who.event(
                AuditAction::Update,
                "user_password",
                Some(id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
