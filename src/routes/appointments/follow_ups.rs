//! `POST /appointments/{id}/follow-ups`.
use actix_web::{web, HttpResponse};

use crate::api::appointments::{Appointment, AppointmentList};
use crate::auth::Caller;
use crate::db::types::AppointmentId;
use crate::error::{ApiResult, Problem};
use crate::services::appointments;
use crate::state::AppState;

/// Books the follow-up series of a completed service: each follow-up at the first free
/// slot of the same practitioner on or after the target day (up to 14 days later),
/// all or nothing.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/follow-ups", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 201, body = AppointmentList), (status = 409, body = Problem)))]
pub async fn book_follow_ups(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AppointmentId>,
    body: String,
) -> ApiResult<HttpResponse> {
    // The body is `{}` (or empty); anything else is refused like any strict body.
    if !body.is_empty() {
        crate::extract::parse_json::<Empty>(body.as_bytes())?;
    }
    let rows = appointments::book_follow_ups(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Created().json(AppointmentList {
        items: rows.into_iter().map(Appointment::from).collect(),
    }))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}
