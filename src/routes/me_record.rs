//! `GET /me/record`: the patient's own chart as the patient sees it (SPEC §6 "What
//! patients see"). The patient id comes from the session only.
use actix_web::web;
use serde_json::Value;

use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::chart::{Chart, ChartParts};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The chart's keys except `samples`: signed notes (with amendments) only, appointments
/// without staff notes, staff named by display name instead of user id.
#[utoipa::path(get, path = "/api/v1/me/record", tag = "me",
    responses((status = 200, description = "The patient's own chart", body = Object)))]
pub async fn my_record(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<Value>> {
    let me = caller.patient_id.ok_or(ApiError::NotFound)?;
    let chart = state
        .db(move |conn| Chart::load(conn, me, ChartParts::Full)?.patient_json())
        .await?;
    state
        .audit
        .record(caller.patient_event(AuditAction::Read, me))
        .await?;
    Ok(web::Json(chart))
}
