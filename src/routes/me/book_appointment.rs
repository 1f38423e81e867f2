//! `POST /me/appointments`: self-booking.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::appointments::Appointment;
use crate::api::me::SelfBooking;
use crate::auth::Me;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::appointments;
use crate::services::idempotency::{self, Answer};
use crate::state::AppState;

/// Books a patient-bookable service into a free slot, with every booking rule of the
/// staff path plus the portal's horizons (at least `PORTAL_MIN_LEAD` ahead, at most
/// 365 days, at most `PORTAL_MAX_OPEN` open appointments). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/me/appointments", tag = "me", request_body = SelfBooking,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Appointment), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn book_my_appointment(
    state: web::Data<AppState>,
    who: Me,
    req: HttpRequest,
    body: Json<SelfBooking>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let request = body.clone();
    let settings = state.settings.clone();
    let user = who.caller.user_id;
    idempotency::run(&state, &req, user, &request, move |conn, audit| {
        let row = appointments::book_by_patient(conn, audit, &settings, &who, body)?;
        let location = format!("/api/v1/me/appointments/{}", row.id);
        let etag = format!("\"{}\"", row.version);
        Ok(Answer::json(StatusCode::CREATED, &Appointment::from(row))?
            .header("location", location)
            .header("etag", etag))
    })
    .await
}
