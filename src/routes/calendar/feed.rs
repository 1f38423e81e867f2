//! `GET /practitioners/{id}/calendar.ics?token=`.
use actix_web::{web, HttpResponse};
use chrono::Duration;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use serde::Deserialize;

use crate::audit::AuditAction;
use crate::auth::session::token_hash;
use crate::auth::RequestContext;
use crate::db::models::appointments::{self, AppointmentFilter};
use crate::db::models::{calendar, clinic};
use crate::db::types::PractitionerId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FeedQuery {
    /// The feed's secret; without it the answer is the same 404 as with a wrong one.
    pub token: Option<String>,
}

/// Text for a calendar property: control characters (a stray CR could end the line
/// early in some readers) become plain line breaks, which the library escapes.
fn calendar_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect()
}

/// The practitioner's appointments from 30 days back to 180 days ahead: times, the
/// service name and the location only — no patient names, no notes (the feed leaves
/// the clinic). A missing, wrong or revoked token is 404.
#[utoipa::path(get, path = "/api/v1/practitioners/{id}/calendar.ics", tag = "scheduling", security(()),
    params(("id" = String, Path), FeedQuery),
    responses((status = 200, content_type = "text/calendar", description = "RFC 5545 calendar"), (status = 404, body = Problem)))]
pub async fn calendar_feed(
    state: web::Data<AppState>,
    ctx: RequestContext,
    id: web::Path<PractitionerId>,
    query: web::Query<FeedQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    // No token is checked like a wrong one (one answer, one code path).
    let hash = token_hash(query.token.as_deref().unwrap_or_default());
    let feed = state
        .db(move |conn| {
            if !calendar::matches(conn, id, &hash)? {
                return Err(ApiError::NotFound);
            }
            let practitioner = clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound)?;
            let now = crate::db::now();
            let rows = appointments::list(
                conn,
                &AppointmentFilter {
                    from: Some(now - Duration::days(30)),
                    to: Some(now + Duration::days(180)),
                    practitioner_id: Some(id),
                    ..Default::default()
                },
                10_000,
            )?;
            Ok((
                practitioner,
                rows,
                clinic::list_services(conn)?,
                clinic::list_rooms(conn)?,
                clinic::list_locations(conn)?,
            ))
        })
        .await;
    let (practitioner, rows, services, rooms, locations) = match feed {
        Err(ApiError::NotFound) => {
            let mut event = ctx.anonymous_event(AuditAction::AccessDenied, "calendar_feed");
            event.entity_id = Some(id.to_string());
            state.audit.record(event).await?;
            return Err(ApiError::NotFound);
        }
        other => other?,
    };
    let mut cal = Calendar::new();
    cal.name(&calendar_text(&format!(
        "DermaChart — {}",
        practitioner.display_name
    )));
    for a in rows {
        let service = services
            .iter()
            .find(|s| s.id == a.service_id)
            .map_or("Appointment".to_owned(), |s| s.name.clone());
        let location = a
            .room_id
            .and_then(|r| rooms.iter().find(|room| room.id == r))
            .and_then(|room| {
                locations
                    .iter()
                    .find(|l| l.id == room.location_id)
                    .map(|l| format!("{}, {}", l.name, room.name))
            });
        let mut event = Event::new();
        event
            .uid(&format!("{}@dermachart", a.id))
            .timestamp(crate::api::instant(a.updated_at))
            .starts(crate::api::instant(a.starts_at))
            .ends(crate::api::instant(a.ends_at))
            .summary(&calendar_text(&service));
        if let Some(loc) = location {
            event.location(&calendar_text(&loc));
        }
        if !a.status.blocks_slot() {
            event.status(EventStatus::Cancelled);
        } else {
            event.status(EventStatus::Confirmed);
        }
        cal.push(event.done());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("cache-control", "private, max-age=300"))
        .body(cal.done().to_string()))
}
