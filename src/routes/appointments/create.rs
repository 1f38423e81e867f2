//! `POST /appointments`.
use actix_web::body::MessageBody;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use crate::api::appointments::{Appointment, CreateAppointment};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::clinic;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::idempotency::{self, Claim};
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
    let key = match idempotency::claim(&state, &req, caller.user_id, &body).await? {
        Claim::Replay(response) => return Ok(response),
        Claim::Fresh { key } => Some(key),
        Claim::NoKey => None,
    };
    let result = book(&state, &caller, body).await;
    let response = match result {
        Ok(r) => r,
        Err(e) => e.error_response(),
    };
    if let Some(key) = key {
        let status = response.status();
        let (response, bytes) = split_body(response);
        idempotency::finish(
            &state,
            caller.user_id,
            key,
            status,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
        .await?;
        return Ok(response);
    }
    Ok(response)
}

/// Takes the (already complete) JSON body out of a response and puts it back.
fn split_body(response: HttpResponse) -> (HttpResponse, web::Bytes) {
    let (res, body) = response.into_parts();
    let bytes = body.try_into_bytes().unwrap_or_default();
    (res.set_body(bytes.clone()).map_into_boxed_body(), bytes)
}

async fn book(
    state: &AppState,
    caller: &Caller,
    body: CreateAppointment,
) -> ApiResult<HttpResponse> {
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
    let tz = state.settings.clinic_timezone;
    let lead = state.settings.reminder_lead();
    let booked_by = caller.user_id;
    let row = state
        .db(move |conn| {
            conn.write_transaction(|conn| {
                let service = clinic::find_service(conn, body.service_id)?
                    .ok_or_else(|| ApiError::validation("service_id", "no such service"))?;
                scheduling::book(
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
                        booked_by: Some(booked_by),
                    },
                    lead,
                )
            })
        })
        .await?;
    state
        .audit
        .record(caller.event(
            AuditAction::Create,
            "appointment",
            Some(row.id.to_string()),
            Some(row.patient_id),
        ))
        .await?;
    let location = format!("/api/v1/appointments/{}", row.id);
    let mut response = super::appointment_response(StatusCode::CREATED, row);
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}
