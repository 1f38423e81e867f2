//! `POST /appointments/{id}/{confirm|check-in|start|complete|cancel|no-show}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::appointments::{Appointment, CancelAppointment};
use crate::auth::Caller;
use crate::db::types::AppointmentId;
use crate::domain::schedule::AppointmentStatus;
use crate::error::{ApiResult, Problem};
use crate::extract::{if_match_version, Json};
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

/// `booked → confirmed`.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/confirm", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 409, body = Problem)))]
pub async fn confirm(
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
        AppointmentStatus::Confirmed,
        None,
    )
    .await
}

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

/// `checked_in → in_progress`.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/start", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 409, body = Problem)))]
pub async fn start(
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
        AppointmentStatus::InProgress,
        None,
    )
    .await
}

/// `in_progress → completed`.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/complete", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 409, body = Problem)))]
pub async fn complete(
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
        AppointmentStatus::Completed,
        None,
    )
    .await
}

/// `booked | confirmed | no_show → no_show`.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/no-show", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 409, body = Problem)))]
pub async fn no_show(
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
        AppointmentStatus::NoShow,
        None,
    )
    .await
}

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
