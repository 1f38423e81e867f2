//! `GET /me/access-log`.
use actix_web::web;

use crate::api::me::AccessLog;
use crate::auth::Me;
use crate::error::ApiResult;
use crate::services::access_log;
use crate::state::AppState;

/// Who on the staff opened or changed this patient's record, and when (not searches).
#[utoipa::path(get, path = "/api/v1/me/access-log", tag = "me", responses((status = 200, body = AccessLog)))]
pub async fn my_access_log(who: Me, state: web::Data<AppState>) -> ApiResult<web::Json<AccessLog>> {
    let items = access_log::mine(&state, &who).await?;
    Ok(web::Json(AccessLog { items }))
}
