//! `GET /me/record`: the patient's own chart as the patient sees it (SPEC §6 "What
//! patients see"). The patient id comes from the session only.
use actix_web::web;

use crate::api::patient_record::PatientRecord;
use crate::auth::Me;
use crate::error::ApiResult;
use crate::services::patients;
use crate::state::AppState;

/// The chart's keys except `samples`: signed notes (with amendments) only, appointments
/// without staff notes, staff named by display name instead of user id.
#[utoipa::path(get, path = "/api/v1/me/record", tag = "me",
    responses((status = 200, description = "The patient's own chart", body = Object)))]
pub async fn my_record(who: Me, state: web::Data<AppState>) -> ApiResult<web::Json<PatientRecord>> {
    let chart = patients::my_record(&state, &who).await?;
    Ok(web::Json(chart))
}
