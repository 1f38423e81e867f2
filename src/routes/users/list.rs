//! `GET /users`.
use actix_web::web;

use crate::api::pagination::{self, Page, TimeCursor};
use crate::api::users::{User, UserListQuery};
use crate::auth::Caller;
use crate::db::types::UserId;
use crate::error::{ApiResult, Problem};
use crate::services::users;
use crate::state::AppState;

/// Every user, newest first.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserListQuery),
    responses((status = 200, body = Page<User>), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list_users(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<UserListQuery>,
) -> ApiResult<web::Json<Page<User>>> {
    let limit = pagination::limit(query.limit)?;
    let after = TimeCursor::decode(query.cursor.as_deref())?.map(|c| (c.t, UserId(c.id)));
    let (rows, more) = users::list(&state, after, limit).await?;
    let next_cursor = more
        .then(|| {
            rows.last().map(|r| {
                TimeCursor {
                    t: r.created_at,
                    id: r.id.0,
                }
                .encode()
            })
        })
        .flatten();
    Ok(web::Json(Page {
        items: rows.into_iter().map(User::from).collect(),
        next_cursor,
    }))
}
