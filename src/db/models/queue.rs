//! The claim protocol of the work queues (the email outbox and the reminders), written
//! once. A row is `pending` until due, then claimed (`pending → sending` with a
//! deadline) by exactly one worker before anything is sent; a worker that dies leaves a
//! claim that expires and is claimed again. A claim matches the row exactly as it was
//! read (status, attempts and the old claim), so two workers that read the same row —
//! or reclaim the same stale claim — cannot both win.
use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::DbConnection;

/// Generates `due` and `claim` for a queue table whose rows have `id`, `status`,
/// `attempts`, `next_attempt_at` and `claimed_until`.
macro_rules! work_queue {
    ($table:ident, $row:ty) => {
        /// Rows due now (pending and due, or claimed by a worker whose claim expired),
        /// oldest first.
        pub fn due(
            conn: &mut DbConnection,
            now: NaiveDateTime,
            limit: i64,
        ) -> QueryResult<Vec<$row>> {
            $table::table
                .filter(
                    $table::status
                        .eq("pending")
                        .and($table::next_attempt_at.le(now))
                        .or($table::status
                            .eq("sending")
                            .and($table::claimed_until.lt(now))),
                )
                .select(<$row>::as_select())
                .order($table::next_attempt_at.asc())
                .limit(limit)
                .load(conn)
        }

        /// Claims one row for this worker until `until`; false if another worker got
        /// it first (see `db::models::queue`).
        pub fn claim(
            conn: &mut DbConnection,
            row: &$row,
            now: NaiveDateTime,
            until: NaiveDateTime,
        ) -> QueryResult<bool> {
            let mut query = diesel::update(
                $table::table
                    .filter($table::id.eq(row.id))
                    .filter($table::status.eq(row.status.clone()))
                    .filter($table::attempts.eq(row.attempts))
                    .filter($table::next_attempt_at.le(now)),
            )
            .into_boxed();
            query = match row.claimed_until {
                Some(old) => query.filter($table::claimed_until.eq(old)),
                None => query.filter($table::claimed_until.is_null()),
            };
            let n = query
                .set((
                    $table::status.eq("sending"),
                    $table::claimed_until.eq(until),
                ))
                .execute(conn)?;
            Ok(n == 1)
        }
    };
}
pub(crate) use work_queue;

/// Claims the due rows one by one, each in its own short write transaction (a worker
/// never holds the write lock while sending), and returns the ones this worker won.
pub fn claim_each<R>(
    conn: &mut DbConnection,
    due: Vec<R>,
    now: NaiveDateTime,
    until: NaiveDateTime,
    claim: impl Fn(&mut DbConnection, &R, NaiveDateTime, NaiveDateTime) -> QueryResult<bool>,
) -> QueryResult<Vec<R>> {
    let mut won = Vec::new();
    for row in due {
        if conn.write_transaction(|c| claim(c, &row, now, until))? {
            won.push(row);
        }
    }
    Ok(won)
}
