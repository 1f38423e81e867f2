//! `GET /consent-templates/{id}`.
use actix_web::web;

use crate::api::consents::ConsentTemplate;
use crate::auth::Caller;
use crate::db::types::ConsentTemplateId;
use crate::error::{ApiResult, Problem};
use crate::services::consents;
use crate::state::AppState;

/// One template version.
#[utoipa::path(get, path = "/api/v1/consent-templates/{id}", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = ConsentTemplate), (status = 404, body = Problem)))]
pub async fn get_template(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<ConsentTemplateId>,
) -> ApiResult<web::Json<ConsentTemplate>> {
    let row = consents::template(&state, id.into_inner()).await?;
    Ok(web::Json(ConsentTemplate::from(row)))
}
