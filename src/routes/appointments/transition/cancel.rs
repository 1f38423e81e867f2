//! `POST /appointments/{id}/cancel`.
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::appointments::{Appointment, CancelAppointment};
use crate::auth::Caller;
use crate::db::types::AppointmentId;
use crate::domain::schedule::AppointmentStatus;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::appointments;
use crate::state::AppState;

use super::apply;

/// Cancels with a reason (422 without); the reminder is cancelled too.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/cancel", tag = "scheduling", params(("id" = String, Path)),
    request_body = CancelAppointment,
    responses((status = 200, body = Appointment), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<AppointmentId>,
    body: Json<CancelAppointment>,
) -> ApiResult<HttpResponse> {
    let reason = appointments::cancel_reason(&body.into_inner().reason)?;
    apply(
        state,
        caller,
        req,
        id.into_inner(),
        AppointmentStatus::Cancelled,
        Some(reason),
    )
    .await
}
