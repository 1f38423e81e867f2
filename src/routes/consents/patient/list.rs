//! `GET /patients/{id}/consents`.
use actix_web::web;

use crate::api::consents::ConsentList;
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::services::consents;
use crate::state::AppState;

/// A patient's consents with their status (front desk sees them too).
#[utoipa::path(get, path = "/api/v1/patients/{id}/consents", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = ConsentList), (status = 404, body = Problem)))]
pub async fn list_consents(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<web::Json<ConsentList>> {
    let items = consents::list_for_patient(&state, &caller, id.into_inner()).await?;
    Ok(web::Json(ConsentList { items }))
}
