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
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let user = users::find(conn, id)?;
            Ok::<_, crate::error::ApiError>(throttle::clear_for_email(conn, &user.email)?)?;
            audit.push(who.event(
                AuditAction::Delete,
                "login_throttle",
                Some(id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
