//! `GET /me/measurements`.
use actix_web::web;

use crate::api::measurements::{Measurement, MeasurementList};
use crate::auth::Me;
use crate::error::ApiResult;
use crate::services::measurements;
use crate::state::AppState;

/// The patient's measurements.
#[utoipa::path(get, path = "/api/v1/me/measurements", tag = "me", responses((status = 200, body = MeasurementList)))]
pub async fn my_measurements(
    who: Me,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<MeasurementList>> {
    let rows = measurements::mine(&state, &who).await?;
    Ok(web::Json(MeasurementList {
        items: rows.into_iter().map(Measurement::from).collect(),
    }))
}
