//! The email outbox: messages written in the same transaction as what caused them,
//! claimed and sent by the worker; a sent message's body is erased.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::email_outbox;
use crate::db::types::EmailId;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_outbox)]
pub struct EmailRow {
    pub id: EmailId,
    pub recipient: String,
    pub subject: String,
    pub body: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn enqueue(
    conn: &mut DbConnection,
    recipient: &str,
    subject: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<EmailId> {
    let id = EmailId::new();
    diesel::insert_into(email_outbox::table)
        .values((
            email_outbox::id.eq(id),
            email_outbox::recipient.eq(recipient),
            email_outbox::subject.eq(subject),
            email_outbox::body.eq(body),
            email_outbox::status.eq("pending"),
            email_outbox::attempts.eq(0),
            email_outbox::next_attempt_at.eq(now),
            email_outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    // PostgreSQL delivers a notification when (and only if) the transaction commits:
    // every app server's sender listens and wakes (`outbox::listen_postgres`).
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query(format!("NOTIFY {OUTBOX_CHANNEL}")).execute(pg)?;
    }
    Ok(id)
}

/// The PostgreSQL channel a queued email is announced on.
pub const OUTBOX_CHANNEL: &str = "dermachart_outbox";

crate::db::models::queue::work_queue!(email_outbox, EmailRow);

/// Sent: the body (which may hold a link) is erased.
pub fn mark_sent(conn: &mut DbConnection, id: EmailId, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        email_outbox::table
            .find(id)
            .filter(email_outbox::status.eq("sending")),
    )
    .set((
        email_outbox::status.eq("sent"),
        email_outbox::sent_at.eq(now),
        email_outbox::body.eq(None::<String>),
        email_outbox::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// A failed attempt: try again later, or give up (and erase the body) after `max_attempts`.
pub fn mark_failed(
    conn: &mut DbConnection,
    row: &EmailRow,
    error: &str,
    next_attempt: NaiveDateTime,
    max_attempts: i32,
) -> QueryResult<usize> {
    let attempts = row.attempts + 1;
    let gave_up = attempts >= max_attempts;
    // Only our own claim: a row voided or expired meanwhile stays so.
    diesel::update(
        email_outbox::table
            .find(row.id)
            .filter(email_outbox::status.eq("sending")),
    )
    .set((
        email_outbox::status.eq(if gave_up { "failed" } else { "pending" }),
        email_outbox::attempts.eq(attempts),
        email_outbox::next_attempt_at.eq(next_attempt),
        email_outbox::claimed_until.eq(None::<NaiveDateTime>),
        email_outbox::last_error.eq(error),
        email_outbox::body.eq(if gave_up { None } else { row.body.clone() }),
    ))
    .execute(conn)
}

/// Erases the bodies of unsent messages to `recipient` (a newer link supersedes them).
pub fn void_pending_to(
    conn: &mut DbConnection,
    recipient: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        email_outbox::table
            .filter(email_outbox::recipient.eq(recipient))
            .filter(email_outbox::status.eq("pending")),
    )
    .set((
        email_outbox::status.eq("failed"),
        email_outbox::body.eq(None::<String>),
        email_outbox::last_error.eq("superseded by a newer link"),
        email_outbox::next_attempt_at.eq(now),
    ))
    .execute(conn)
}

/// Erases the bodies of messages that waited longer than `max_age` unsent (their
/// links have expired; a mail server that was never configured must not leave live
/// links in the database).
pub fn expire_stale(
    conn: &mut DbConnection,
    older_than: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    // A claim still held by a worker is left to it (it is delivering right now).
    let stale = email_outbox::status.eq("pending").or(email_outbox::status
        .eq("sending")
        .and(email_outbox::claimed_until.lt(now)));
    let any: bool = diesel::select(diesel::dsl::exists(
        email_outbox::table
            .filter(stale)
            .filter(email_outbox::created_at.lt(older_than)),
    ))
    .get_result(conn)?;
    if !any {
        // The common case costs a read, not a write lock.
        return Ok(0);
    }
    diesel::update(
        email_outbox::table
            .filter(stale)
            .filter(email_outbox::created_at.lt(older_than)),
    )
    .set((
        email_outbox::status.eq("failed"),
        email_outbox::body.eq(None::<String>),
        email_outbox::last_error.eq("expired before delivery"),
    ))
    .execute(conn)
}
