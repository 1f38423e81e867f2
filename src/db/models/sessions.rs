//! Server-side sessions: only a hash of each token is stored.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{sessions, users};
use crate::db::stamp::{OptStamp, Stamp};
use crate::db::types::{SessionId, UserId};
use crate::db::DbConnection;

use super::users::UserIdentity;

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub id: SessionId,
    pub token_hash: &'a str,
    pub user_id: UserId,
    pub via_cookie: bool,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, session: &NewSession<'_>) -> QueryResult<usize> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)
}

/// What deciding on a session needs of it: whether it is revoked or past either
/// timeout. Read on every request, so only these columns (three timestamps parsed
/// instead of four, and no token hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionState {
    pub id: SessionId,
    #[diesel(deserialize_as = Stamp)]
    pub last_seen_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub expires_at: NaiveDateTime,
    #[diesel(deserialize_as = OptStamp)]
    pub revoked_at: Option<NaiveDateTime>,
}

/// The unrevoked session for a token hash with its user's identity, if any.
pub fn find_live(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(SessionState, UserIdentity)>> {
    crate::db::native!(conn, |c| sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::revoked_at.is_null())
        .select((SessionState::as_select(), UserIdentity::as_select()))
        .first(c)
        .optional())
}

/// Marks use of the session (the idle timeout counts from here) if the last recorded
/// use is at or before `stale_before`: of several requests that found the clock
/// stale at once (on one app server or several), the first moves it and the others,
/// having waited for its row lock, change nothing (on PostgreSQL a transaction that
/// changed nothing commits without a WAL flush). The clock never moves backwards.
pub fn touch(
    conn: &mut DbConnection,
    id: SessionId,
    now: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<usize> {
    crate::db::native!(conn, |c| diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::last_seen_at.le(Stamp(stale_before)))
    )
    .set(sessions::last_seen_at.eq(Stamp(now)))
    .execute(c))
}

pub fn revoke(conn: &mut DbConnection, id: SessionId, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)
}

/// Ends every session of a user, except optionally one (the one making a password change).
pub fn revoke_all_for_user(
    conn: &mut DbConnection,
    user_id: UserId,
    except: Option<SessionId>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut query = diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .into_boxed();
    if let Some(keep) = except {
        query = query.filter(sessions::id.ne(keep));
    }
    query.set(sessions::revoked_at.eq(now)).execute(conn)
}
