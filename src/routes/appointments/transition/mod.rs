//! `POST /appointments/{id}/{confirm|check-in|start|complete|cancel|no-show}`.
pub mod cancel;
pub mod check_in;
pub mod complete;
pub mod confirm;
pub mod no_show;
pub mod start;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::appointments::Appointment;
use crate::auth::Caller;
use crate::db::types::AppointmentId;
use crate::domain::schedule::AppointmentStatus;
use crate::error::ApiResult;
use crate::extract::if_match_version;
use crate::services::appointments;
use crate::state::AppState;

async fn apply(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: AppointmentId,
    next: AppointmentStatus,
    reason: Option<String>,
) -> ApiResult<HttpResponse> {
    let expected = if_match_version(&req)?;
    let row = appointments::transition(&state, &caller, id, next, reason, expected).await?;
    Ok(super::appointment_response(
        StatusCode::OK,
        Appointment::from(row),
    ))
}
