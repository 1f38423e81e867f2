//! `POST /consents/{id}/witness`.
use actix_web::web;

use crate::api::consents::Consent;
use crate::auth::Caller;
use crate::db::types::ConsentId;
use crate::error::{ApiResult, Problem};
use crate::services::consents;
use crate::state::AppState;

/// The calling staff member witnesses a signed consent (once).
#[utoipa::path(post, path = "/api/v1/consents/{id}/witness", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = Consent), (status = 409, body = Problem)))]
pub async fn witness_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsentId>,
) -> ApiResult<web::Json<Consent>> {
    Ok(web::Json(
        consents::witness(&state, &caller, id.into_inner()).await?,
    ))
}
