//! `POST /appointments/{id}/check-in`.
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::appointments::Appointment;
use crate::auth::Caller;
use crate::db::types::AppointmentId;
use crate::domain::schedule::AppointmentStatus;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

use super::apply;

/// `booked | confirmed | no_show (same day) → checked_in`.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/check-in", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 409, body = Problem)))]
pub async fn check_in(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<AppointmentId>,
) -> ApiResult<HttpResponse> {
    apply(
        state,
        caller,
        req,
        id.into_inner(),
        AppointmentStatus::CheckedIn,
        None,
    )
    .await
}
