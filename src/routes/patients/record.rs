//! `GET /patients/{id}/record`: the whole chart in one answer.
use actix_web::web;
use serde_json::Value;

use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::chart::{Chart, ChartParts};
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
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
    let patient = id.into_inner();
    let clinical = super::sees_clinical(&caller);
    let parts = if clinical {
        ChartParts::Full
    } else {
        ChartParts::Administrative
    };
    let chart = state
        .db(move |conn| Chart::load(conn, patient, parts)?.staff_json(clinical))
        .await?;
    state
        .audit
        .record(caller.patient_event(AuditAction::Read, patient))
        .await?;
    Ok(web::Json(chart))
}
