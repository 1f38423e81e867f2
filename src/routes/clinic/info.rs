//! `GET /clinic`: what every screen needs to know about the clinic before signing in.
use actix_web::web;

use crate::state::AppState;

/// The clinic's settings a client shows: its time zone, in which every screen
/// shows dates and times whatever the browser's own zone.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ClinicInfo {
    /// IANA name, e.g. `Europe/London` (`CLINIC_TIMEZONE`).
    pub timezone: String,
}

/// The clinic's time zone (public: the sign-in page names it too).
#[utoipa::path(get, path = "/api/v1/clinic", tag = "clinic", security(()),
    responses((status = 200, body = ClinicInfo)))]
pub async fn clinic_info(state: web::Data<AppState>) -> web::Json<ClinicInfo> {
    web::Json(ClinicInfo {
        timezone: state.settings.clinic_timezone.name().to_owned(),
    })
}
