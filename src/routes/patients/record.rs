//! `GET /patients/{id}/record`: the whole chart in one answer.
use actix_web::web;
use serde_json::Value;

use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::services::patients;
use crate::state::AppState;

/// The chart: patient, appointments, consultations, consents, procedures, samples,
/// photos, measurements, adverse events. Front desk gets only the patient's
/// demographics, appointments and consent status.
#[utoipa::path(get, path = "/api/v1/patients/{id}/record", tag = "patients", params(("id" = String, Path)),
    responses((status = 200, description = "The chart", body = Object), (status = 404, body = Problem)))]
pub async fn patient_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<web::Json<Value>> {
    Ok(web::Json(
        patients::chart(&state, &caller, id.into_inner()).await?,
    ))
}
