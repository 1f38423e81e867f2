//! `GET /practitioners/{id}/calendar.ics?token=`.
use actix_web::{web, HttpResponse};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use crate::api::calendar::FeedQuery;
use crate::auth::RequestContext;
use crate::db::types::PractitionerId;
use crate::error::{ApiResult, Problem};
use crate::services::calendar_feed::{self, Feed};
use crate::state::AppState;

/// Text for a calendar property: control characters (a stray CR could end the line
/// early in some readers) become plain line breaks, which the library escapes.
fn calendar_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect()
}

/// The feed as RFC 5545 text: times, the service name and the location only.
fn render(feed: Feed) -> String {
    let Feed {
        practitioner,
        appointments: rows,
        services,
        rooms,
        locations,
    } = feed;
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
    cal.done().to_string()
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
    let feed = calendar_feed::feed(&state, &ctx, id.into_inner(), query.token.as_deref()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("cache-control", "private, max-age=300"))
        .body(render(feed)))
}
