//! `DELETE /practitioners/{id}/calendar-token`.
use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::db::types::PractitionerId;
use crate::error::{ApiResult, Problem};
use crate::services::calendar_feed;
use crate::state::AppState;

/// Revokes the feed token (the feed then answers 404).
#[utoipa::path(delete, path = "/api/v1/practitioners/{id}/calendar-token", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_calendar_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PractitionerId>,
) -> ApiResult<HttpResponse> {
    calendar_feed::revoke_token(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
