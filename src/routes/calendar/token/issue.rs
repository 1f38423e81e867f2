//! `POST /practitioners/{id}/calendar-token`.
use actix_web::{web, HttpResponse};

use crate::api::calendar::CalendarToken;
use crate::auth::Caller;
use crate::db::types::PractitionerId;
use crate::error::{ApiResult, Problem};
use crate::services::calendar_feed;
use crate::state::AppState;

/// Issues a new feed token (the old one stops working).
#[utoipa::path(post, path = "/api/v1/practitioners/{id}/calendar-token", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 201, body = CalendarToken), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn issue_calendar_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PractitionerId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let token = calendar_feed::issue_token(&state, &caller, id).await?;
    let url = format!(
        "{}/api/v1/practitioners/{id}/calendar.ics?token={token}",
        state.settings.public_url.trim_end_matches('/')
    );
    Ok(HttpResponse::Created().json(CalendarToken { token, url }))
}
