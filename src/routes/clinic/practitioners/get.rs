//! `GET /practitioners/{id}`.
use actix_web::web;

use crate::api::clinic::Practitioner;
use crate::auth::Caller;
use crate::db::types::PractitionerId;
use crate::error::{ApiResult, Problem};
use crate::services::clinic;
use crate::state::AppState;

/// One practitioner.
#[utoipa::path(get, path = "/api/v1/practitioners/{id}", tag = "clinic", params(("id" = String, Path)),
    responses((status = 200, body = Practitioner), (status = 404, body = Problem)))]
pub async fn get_practitioner(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<PractitionerId>,
) -> ApiResult<web::Json<Practitioner>> {
    let row = clinic::get_practitioner(&state, id.into_inner()).await?;
    Ok(web::Json(Practitioner::from(row)))
}
