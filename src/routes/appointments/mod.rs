//! `/appointments`: booking, the day's list, rescheduling, the lifecycle, follow-ups.
pub mod create;
pub mod follow_ups;
pub mod get;
pub mod list;
pub mod transition;
pub mod update;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::api::appointments::Appointment;

/// The appointment with its `ETag`.
pub fn appointment_response(status: StatusCode, appointment: Appointment) -> HttpResponse {
    super::versioned(status, appointment.version, appointment)
}
