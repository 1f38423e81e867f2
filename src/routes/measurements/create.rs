//! `POST /patients/{id}/measurements`.
use actix_web::{web, HttpResponse};

use crate::api::measurements::{CreateMeasurement, Measurement};
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::measurements;
use crate::state::AppState;

/// Records a measurement in the metric's own unit (another unit → 422).
#[utoipa::path(post, path = "/api/v1/patients/{id}/measurements", tag = "outcomes", params(("id" = String, Path)),
    request_body = CreateMeasurement,
    responses((status = 201, body = Measurement), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_measurement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<CreateMeasurement>,
) -> ApiResult<HttpResponse> {
    let row = measurements::record(&state, &caller, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(Measurement::from(row)))
}
