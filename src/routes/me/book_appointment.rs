//! `POST /me/appointments`: self-booking.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;

use crate::api::appointments::Appointment;
use crate::api::me::SelfBooking;
use crate::audit::AuditAction;
use crate::auth::Me;
use crate::db::models::appointments::{self};
use crate::db::models::clinic;
use crate::db::types::PatientId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::idempotency::{self, Answer};
use crate::scheduling::{self, Booking};
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
    let Me {
        caller,
        patient: me,
    } = who;
    let body = body.into_inner();
    let request = body.clone();
    let settings = state.settings.clone();
    let user = caller.user_id;
    idempotency::run(&state, &req, user, &request, move |conn, audit| {
        let row = self_book(conn, &settings, user, me, body)?;
        audit.push(caller.event(
            AuditAction::Create,
            "appointment",
            Some(row.id.to_string()),
            Some(me),
        ));
        let location = format!("/api/v1/me/appointments/{}", row.id);
        let etag = format!("\"{}\"", row.version);
        Ok(Answer::json(StatusCode::CREATED, &Appointment::from(row))?
            .header("location", location)
            .header("etag", etag))
    })
    .await
}

/// The portal's rules, then the one booking path (inside the write transaction).
fn self_book(
    conn: &mut crate::db::DbConnection,
    settings: &crate::config::Settings,
    by: crate::db::types::UserId,
    me: PatientId,
    body: SelfBooking,
) -> Result<appointments::AppointmentRow, ApiError> {
    let starts_at = crate::api::plausible("starts_at", body.starts_at)?;
    let now = crate::db::now();
    if starts_at < now + Duration::minutes(settings.portal_min_lead_minutes) {
        return Err(ApiError::Conflict(
            "Online booking needs a little notice; please call the clinic.".into(),
        ));
    }
    if starts_at > now + Duration::days(365) {
        return Err(ApiError::Conflict(
            "Online booking is open up to a year ahead.".into(),
        ));
    }
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
    let service = clinic::find_service(conn, body.service_id)?
        .ok_or_else(|| ApiError::validation("service_id", "no such service"))?;
    if !service.patient_bookable {
        return Err(ApiError::Conflict(
            "This service is booked by the clinic, not online.".into(),
        ));
    }
    scheduling::book_within(
        conn,
        settings.clinic_timezone,
        Booking {
            patient_id: me,
            practitioner_id: body.practitioner_id,
            service,
            starts_at,
            room_id: None,
            notes: body
                .notes
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            follow_up_of: None,
            follow_up_offset_days: None,
            booked_by: Some(by),
        },
        settings.reminder_lead(),
        Some(scheduling::OpenLimit {
            max_open: settings.portal_max_open,
            now,
        }),
    )
}
