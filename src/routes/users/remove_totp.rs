//! `DELETE /users/{id}/totp`.
use actix_web::{web, HttpResponse};

use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::{sessions, users};
use crate::db::types::UserId;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

/// Removes a user's second factor (lost phone) and ends their sessions.
#[utoipa::path(delete, path = "/api/v1/users/{id}/totp", tag = "users", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove_totp(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            users::find(conn, id)?;
            users::set_totp(conn, id, None, false)?;
            sessions::revoke_all_for_user(conn, id, None, crate::db::now())?;
            audit.push(who.event(AuditAction::Delete, "user_totp", Some(id.to_string()), None));
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
