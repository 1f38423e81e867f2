//! A practitioner's private calendar feed: what it shows (reached by its secret token
//! only) and the token's issue and revocation (admin or the practitioner themself).
use chrono::Duration;

use crate::audit::AuditAction;
use crate::auth::session::{new_token, token_hash};
use crate::auth::{Caller, RequestContext};
use crate::db::models::appointments::{self, AppointmentFilter, AppointmentRow};
use crate::db::models::calendar;
use crate::db::models::clinic::{self, LocationRow, PractitionerRow, RoomRow, ServiceRow};
use crate::db::types::PractitionerId;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::state::AppState;

/// What a feed shows: the practitioner's appointments from 30 days back to 180 days
/// ahead, and the clinic's services, rooms and locations they name.
pub struct Feed {
    pub practitioner: PractitionerRow,
    pub appointments: Vec<AppointmentRow>,
    pub services: Vec<ServiceRow>,
    pub rooms: Vec<RoomRow>,
    pub locations: Vec<LocationRow>,
}

/// The feed behind a token (`None` is checked like a wrong one: one answer, one code
/// path). A missing, wrong or revoked token, or an unknown practitioner, is 404,
/// audited as a denied access to the feed.
pub async fn feed(
    state: &AppState,
    ctx: &RequestContext,
    id: PractitionerId,
    token: Option<&str>,
) -> Result<Feed, ApiError> {
    let hash = token_hash(token.unwrap_or_default());
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
            Ok(Feed {
                practitioner,
                appointments: rows,
                services: clinic::list_services(conn)?,
                rooms: clinic::list_rooms(conn)?,
                locations: clinic::list_locations(conn)?,
            })
        })
        .await;
    match feed {
        Err(ApiError::NotFound) => {
            let mut event = ctx.anonymous_event(AuditAction::AccessDenied, "calendar_feed");
            event.entity_id = Some(id.to_string());
            state.audit.record(event).await?;
            Err(ApiError::NotFound)
        }
        other => other,
    }
}

/// Whether the caller may manage this practitioner's feed (it leaves the clinic):
/// admin, or the practitioner themself.
pub fn may_manage_feed(caller: &Caller, practitioner: &PractitionerRow) -> bool {
    caller.role == Role::Admin || practitioner.user_id == caller.user_id
}

/// 404 for an unknown practitioner; 403 (audited) unless [`may_manage_feed`].
async fn require_owner(
    state: &AppState,
    caller: &Caller,
    id: PractitionerId,
) -> Result<(), ApiError> {
    let practitioner = state
        .db(move |conn| clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound))
        .await?;
    if may_manage_feed(caller, &practitioner) {
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

/// Issues a new feed token (the old one stops working) and returns it; only its hash
/// is kept.
pub async fn issue_token(
    state: &AppState,
    caller: &Caller,
    id: PractitionerId,
) -> Result<String, ApiError> {
    require_owner(state, caller, id).await?;
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
    Ok(token)
}

/// Revokes the feed token (the feed then answers 404).
pub async fn revoke_token(
    state: &AppState,
    caller: &Caller,
    id: PractitionerId,
) -> Result<(), ApiError> {
    require_owner(state, caller, id).await?;
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
        .await
}
