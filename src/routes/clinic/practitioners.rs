//! `GET/POST /practitioners`, `GET /practitioners/{id}`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreatePractitioner, Practitioner};
use crate::auth::Caller;
use crate::db::types::PractitionerId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::clinic;
use crate::state::AppState;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PractitionerList {
    pub items: Vec<Practitioner>,
}

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

/// Makes a practitioner-role user bookable.
#[utoipa::path(post, path = "/api/v1/practitioners", tag = "clinic", request_body = CreatePractitioner,
    responses((status = 201, body = Practitioner), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_practitioner(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreatePractitioner>,
) -> ApiResult<HttpResponse> {
    let row = clinic::create_practitioner(&state, &caller, body.into_inner()).await?;
    super::created(
        format!("/api/v1/practitioners/{}", row.id),
        Practitioner::from(row),
    )
}
