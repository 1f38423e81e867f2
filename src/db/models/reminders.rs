//! The reminder outbox: one row per appointment, claimed and marked by the worker.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::reminders;
use crate::db::stamp::Stamp;
use crate::db::types::{AppointmentId, ReminderId};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reminders)]
pub struct ReminderRow {
    pub id: ReminderId,
    pub appointment_id: AppointmentId,
    pub send_at: NaiveDateTime,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn schedule(
    conn: &mut DbConnection,
    appointment: AppointmentId,
    send_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    crate::db::native!(conn, |c| diesel::insert_into(reminders::table)
        .values((
            reminders::id.eq(ReminderId::new()),
            reminders::appointment_id.eq(appointment),
            reminders::send_at.eq(Stamp(send_at)),
            reminders::status.eq("pending"),
            reminders::attempts.eq(0),
            reminders::next_attempt_at.eq(Stamp(send_at)),
            reminders::created_at.eq(Stamp(now)),
        ))
        .execute(c))
}

/// A moved appointment's reminder goes out before the new time (again, if it had gone).
pub fn retime(
    conn: &mut DbConnection,
    appointment: AppointmentId,
    send_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(reminders::table.filter(reminders::appointment_id.eq(appointment)))
        .set((
            reminders::send_at.eq(Stamp(send_at)),
            reminders::next_attempt_at.eq(Stamp(send_at)),
            reminders::status.eq("pending"),
            reminders::attempts.eq(0),
            reminders::claimed_until.eq(None::<NaiveDateTime>),
            reminders::sent_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// Cancels a reminder not yet on its way (one already being sent is recorded as sent).
pub fn cancel(conn: &mut DbConnection, appointment: AppointmentId) -> QueryResult<usize> {
    diesel::update(
        reminders::table
            .filter(reminders::appointment_id.eq(appointment))
            .filter(reminders::status.eq("pending")),
    )
    .set(reminders::status.eq("cancelled"))
    .execute(conn)
}

pub fn find_for(
    conn: &mut DbConnection,
    appointment: AppointmentId,
) -> QueryResult<Option<ReminderRow>> {
    reminders::table
        .filter(reminders::appointment_id.eq(appointment))
        .select(ReminderRow::as_select())
        .first(conn)
        .optional()
}

crate::db::models::queue::work_queue!(reminders, ReminderRow);

pub fn mark_sent(
    conn: &mut DbConnection,
    id: ReminderId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        reminders::table
            .find(id)
            .filter(reminders::status.eq("sending")),
    )
    .set((
        reminders::status.eq("sent"),
        reminders::sent_at.eq(Stamp(now)),
        reminders::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

pub fn mark_cancelled(conn: &mut DbConnection, id: ReminderId) -> QueryResult<usize> {
    diesel::update(reminders::table.find(id))
        .set(reminders::status.eq("cancelled"))
        .execute(conn)
}

/// A failed attempt: try again later, or give up after `max_attempts`.
pub fn mark_failed(
    conn: &mut DbConnection,
    row: &ReminderRow,
    error: &str,
    next_attempt: NaiveDateTime,
    max_attempts: i32,
) -> QueryResult<usize> {
    let attempts = row.attempts + 1;
    let status = if attempts >= max_attempts {
        "failed"
    } else {
        "pending"
    };
    diesel::update(reminders::table.find(row.id))
        .set((
            reminders::status.eq(status),
            reminders::attempts.eq(attempts),
            reminders::next_attempt_at.eq(Stamp(next_attempt)),
            reminders::claimed_until.eq(None::<NaiveDateTime>),
            reminders::last_error.eq(error),
        ))
        .execute(conn)
}
