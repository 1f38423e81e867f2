//! `POST /auth/set-password`: redeems an emailed link (portal set-up or reset).
use actix_web::{web, HttpResponse};

use crate::accounts;
use crate::api::auth::SetPassword;
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::RequestContext;
use crate::db::models::users;
use crate::domain::password::check_new_password;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// Sets a password with a single-use token; every session of the user ends.
#[utoipa::path(post, path = "/api/v1/auth/set-password", tag = "auth", request_body = SetPassword,
    security(()), responses((status = 204), (status = 422, body = Problem)))]
pub async fn set_password(
    state: web::Data<AppState>,
    ctx: RequestContext,
    body: Json<SetPassword>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if body.token.len() > 200 {
        return Err(ApiError::validation(
            "token",
            "is not valid (used, expired or unknown)",
        ));
    }
    if let Err(message) = check_new_password(&body.new_password) {
        return Err(ApiError::validation("new_password", message));
    }
    let token = body.token;
    // A bad token costs one lookup, never an argon2 hash (this route is public).
    let probe = token.clone();
    state
        .db(move |conn| accounts::check_link(conn, &probe, crate::db::now()))
        .await?;
    let hash = state.hasher.hash(body.new_password).await?;
    state
        .write(move |conn, audit| {
            let user = {
                let id = accounts::redeem_link(conn, &token, &hash, crate::db::now())?;
                Ok::<_, ApiError>(users::find(conn, id)?)
            }?;
            audit.push(AuditEvent {
                actor_id: Some(user.id),
                actor_role: Some(user.role),
                action: AuditAction::Update,
                entity_type: "user_password",
                entity_id: Some(user.id.to_string()),
                patient_id: user.patient_id,
                ..ctx.anonymous_event(AuditAction::Update, "user_password")
            });
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
