//! `GET /practitioners`.
use actix_web::web;

use crate::api::clinic::Practitioner;
use crate::api::clinic::PractitionerList;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::services::clinic;
use crate::state::AppState;

/// Every practitioner.
#[utoipa::path(get, path = "/api/v1/practitioners", tag = "clinic", responses((status = 200, body = PractitionerList)))]
pub async fn list_practitioners(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<PractitionerList>> {
    let rows = clinic::list_practitioners(&state).await?;
    Ok(web::Json(PractitionerList {
        items: rows.into_iter().map(Practitioner::from).collect(),
    }))
}
