//! `GET /clinic`: what every screen needs to know about the clinic before signing in.
use actix_web::web;

use crate::api::clinic::{ClinicInfo, OnlineBookingRules};
use crate::services::appointments::ONLINE_BOOKING_MAX_DAYS_AHEAD;
use crate::state::AppState;

/// The clinic's time zone and its online booking rules (public: the sign-in page names
/// the zone too, and the portal states the rules before a patient books).
#[utoipa::path(get, path = "/api/v1/clinic", tag = "clinic", security(()),
    responses((status = 200, body = ClinicInfo)))]
pub async fn clinic_info(state: web::Data<AppState>) -> web::Json<ClinicInfo> {
    let settings = &state.settings;
    web::Json(ClinicInfo {
        timezone: settings.clinic_timezone.name().to_owned(),
        online_booking: OnlineBookingRules {
            min_lead_minutes: settings.portal_min_lead_minutes,
            max_days_ahead: ONLINE_BOOKING_MAX_DAYS_AHEAD,
            max_open_appointments: i64::try_from(settings.portal_max_open).unwrap_or(i64::MAX),
        },
    })
}
