//! Skin measurements per patient, and the outcome table across patients.
use actix_web::{web, HttpResponse};

use crate::api::measurements::{
    CreateMeasurement, Measurement, MeasurementList, OutcomeQuery, Outcomes, SeriesQuery,
};
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

/// Change from baseline at each follow-up offset of the service, across patients:
/// mean, median and n (GAIS and satisfaction raw). Each signed procedure is one series.
#[utoipa::path(get, path = "/api/v1/outcomes", tag = "outcomes", params(OutcomeQuery),
    responses((status = 200, body = Outcomes), (status = 422, body = Problem)))]
pub async fn outcomes(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<OutcomeQuery>,
) -> ApiResult<web::Json<Outcomes>> {
    let q = query.into_inner();
    let (service_id, metric) = (q.service_id, q.metric);
    let table = measurements::outcomes(&state, q).await?;
    Ok(web::Json(Outcomes {
        service_id,
        metric,
        unit: metric.unit(),
        raw_values: metric.reported_raw(),
        table,
    }))
}
