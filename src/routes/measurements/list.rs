//! `GET /patients/{id}/measurements`.
use actix_web::web;

use crate::api::measurements::{Measurement, MeasurementList, SeriesQuery};
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::services::measurements;
use crate::state::AppState;

/// A patient's measurements, oldest first (one metric with `?metric=`).
#[utoipa::path(get, path = "/api/v1/patients/{id}/measurements", tag = "outcomes", params(("id" = String, Path), SeriesQuery),
    responses((status = 200, body = MeasurementList), (status = 404, body = Problem)))]
pub async fn list_measurements(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    query: web::Query<SeriesQuery>,
) -> ApiResult<web::Json<MeasurementList>> {
    let metric = query.into_inner().metric;
    let rows = measurements::series(&state, &caller, id.into_inner(), metric).await?;
    Ok(web::Json(MeasurementList {
        items: rows.into_iter().map(Measurement::from).collect(),
    }))
}
