//! `GET /me/consents`.
use actix_web::web;

use crate::api::consents::ConsentList;
use crate::auth::Me;
use crate::error::ApiResult;
use crate::services::consents;
use crate::state::AppState;

/// The patient's consents.
#[utoipa::path(get, path = "/api/v1/me/consents", tag = "me", responses((status = 200, body = ConsentList)))]
pub async fn my_consents(who: Me, state: web::Data<AppState>) -> ApiResult<web::Json<ConsentList>> {
    let items = consents::mine(&state, &who).await?;
    Ok(web::Json(ConsentList { items }))
}
