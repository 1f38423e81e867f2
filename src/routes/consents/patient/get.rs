//! `GET /consents/{id}`.
use actix_web::web;

use crate::api::consents::Consent;
use crate::auth::Caller;
use crate::db::types::ConsentId;
use crate::error::{ApiResult, Problem};
use crate::services::consents;
use crate::state::AppState;

/// One consent.
#[utoipa::path(get, path = "/api/v1/consents/{id}", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = Consent), (status = 404, body = Problem)))]
pub async fn get_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsentId>,
) -> ApiResult<web::Json<Consent>> {
    Ok(web::Json(
        consents::read(&state, &caller, id.into_inner()).await?,
    ))
}
