//! `POST/DELETE /practitioners/{id}/calendar-token`.
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::AuditAction;
use crate::auth::session::{new_token, token_hash};
use crate::auth::Caller;
use crate::db::models::{calendar, clinic};
use crate::db::types::PractitionerId;
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarToken {
    pub token: String,
    /// The feed URL to paste into a calendar app.
    pub url: String,
}

/// Only admin or the practitioner themself manage the feed (it leaves the clinic).
async fn owned(state: &AppState, caller: &Caller, id: PractitionerId) -> Result<(), ApiError> {
    let practitioner = state
        .db(move |conn| clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound))
        .await?;
    if caller.role == Role::Admin || practitioner.user_id == caller.user_id {
        Ok(())
    } else {
        state
            .audit
            .record(caller.event(
                AuditAction::AccessDenied,
                "calendar_token",
                Some(id.to_string()),
                None,
            ))
            .await?;
        Err(ApiError::Forbidden)
    }
}

/// Issues a new feed token (the old one stops working).
#[utoipa::path(post, path = "/api/v1/practitioners/{id}/calendar-token", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 201, body = CalendarToken), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn issue_calendar_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PractitionerId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    owned(&state, &caller, id).await?;
    let token = new_token();
    let hash = token_hash(&token);
    let event = caller.event(
        AuditAction::Create,
        "calendar_token",
        Some(id.to_string()),
        None,
    );
    state
        .write(move |conn, audit| {
            calendar::replace(conn, id, &hash)?;
            audit.push(event);
            Ok(())
        })
        .await?;
    let url = format!(
        "{}/api/v1/practitioners/{id}/calendar.ics?token={token}",
        state.settings.public_url.trim_end_matches('/')
    );
    Ok(HttpResponse::Created().json(CalendarToken { token, url }))
}

/// Revokes the feed token (the feed then answers 404).
#[utoipa::path(delete, path = "/api/v1/practitioners/{id}/calendar-token", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_calendar_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PractitionerId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    owned(&state, &caller, id).await?;
    let event = caller.event(
        AuditAction::Delete,
        "calendar_token",
        Some(id.to_string()),
        None,
    );
    state
        .write(move |conn, audit| {
            calendar::revoke(conn, id)?;
            audit.push(event);
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
