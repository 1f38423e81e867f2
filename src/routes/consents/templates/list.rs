//! `GET /consent-templates`.
use actix_web::web;

use crate::api::consents::{ConsentTemplate, TemplateList};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::services::consents;
use crate::state::AppState;

/// Every template version, newest first.
#[utoipa::path(get, path = "/api/v1/consent-templates", tag = "consent", responses((status = 200, body = TemplateList)))]
pub async fn list_templates(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<TemplateList>> {
    let rows = consents::templates(&state).await?;
    Ok(web::Json(TemplateList {
        items: rows.into_iter().map(ConsentTemplate::from).collect(),
    }))
}
