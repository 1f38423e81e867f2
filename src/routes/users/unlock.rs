//! `POST /users/{id}/unlock`.
use actix_web::{web, HttpResponse};

use crate::audit::AuditAction;
use crate::auth::{throttle, Caller};
use crate::db::models::users;
use crate::db::types::UserId;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

/// Clears the failed-login counters that lock this user's account.
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn unlock_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .db(move |conn| {
            let user = users::find(conn, id)?;
            Ok(throttle::clear_for_email(conn, &user.email)?)
        })
        .await?;
    state
        .audit
        .record(caller.event(
            AuditAction::Delete,
            "login_throttle",
            Some(id.to_string()),
            None,
        ))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
