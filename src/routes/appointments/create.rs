//! `POST /appointments`.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::appointments::{Appointment, CreateAppointment};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::appointments;
use crate::services::idempotency::{self, Answer};
use crate::state::AppState;

/// Books an appointment (`ends_at` from the service). A clash is 409 naming what clashed;
/// `Idempotency-Key` makes retries safe.
#[utoipa::path(post, path = "/api/v1/appointments", tag = "scheduling", request_body = CreateAppointment,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Appointment), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_appointment(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Json<CreateAppointment>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let settings = state.settings.clone();
    let request = body.clone();
    idempotency::run(
        &state,
        &req,
        caller.user_id,
        &request,
        move |conn, audit| {
            let row = appointments::book_by_staff(conn, audit, &settings, &caller, body)?;
            let location = format!("/api/v1/appointments/{}", row.id);
            let etag = format!("\"{}\"", row.version);
            Ok(Answer::json(StatusCode::CREATED, &Appointment::from(row))?
                .header(header::LOCATION.as_str(), location)
                .header(header::ETAG.as_str(), etag))
        },
    )
    .await
}
