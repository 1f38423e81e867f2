//! `POST /appointments`.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::appointments::{Appointment, CreateAppointment};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::clinic;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::idempotency::{self, Answer};
use crate::scheduling::{self, Booking};
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
    let tz = state.settings.clinic_timezone;
    let lead = state.settings.reminder_lead();
    let user = caller.user_id;
    let request = body.clone();
    idempotency::run(&state, &req, user, &request, move |conn, audit| {
        if body
            .notes
            .as_deref()
            .is_some_and(|n| n.chars().count() > 2000)
        {
            return Err(ApiError::validation(
                "notes",
                "must be at most 2000 characters",
            ));
        }
        let starts_at = crate::api::plausible("starts_at", body.starts_at)?;
        let service = clinic::find_service(conn, body.service_id)?
            .ok_or_else(|| ApiError::validation("service_id", "no such service"))?;
        let row = scheduling::book(
            conn,
            tz,
            Booking {
                patient_id: body.patient_id,
                practitioner_id: body.practitioner_id,
                service,
                starts_at,
                room_id: body.room_id,
                notes: body
                    .notes
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
                follow_up_of: None,
                follow_up_offset_days: None,
                booked_by: Some(user),
            },
            lead,
        )?;
        audit.push(caller.event(
            AuditAction::Create,
            "appointment",
            Some(row.id.to_string()),
            Some(row.patient_id),
        ));
        let location = format!("/api/v1/appointments/{}", row.id);
        let etag = format!("\"{}\"", row.version);
        Ok(Answer::json(StatusCode::CREATED, &Appointment::from(row))?
            .header(header::LOCATION.as_str(), location)
            .header(header::ETAG.as_str(), etag))
    })
    .await
}
