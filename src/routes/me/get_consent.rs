//! `GET /me/consents/{id}`.
use actix_web::web;

use crate::api::consents::Consent;
use crate::auth::Me;
use crate::db::types::ConsentId;
use crate::error::{ApiResult, Problem};
use crate::services::consents;
use crate::state::AppState;

/// One of the patient's consents.
#[utoipa::path(get, path = "/api/v1/me/consents/{id}", tag = "me", params(("id" = String, Path)),
    responses((status = 200, body = Consent), (status = 404, body = Problem)))]
pub async fn my_consent(
    who: Me,
    state: web::Data<AppState>,
    id: web::Path<ConsentId>,
) -> ApiResult<web::Json<Consent>> {
    Ok(web::Json(
        consents::one_of_mine(&state, &who, id.into_inner()).await?,
    ))
}
