//! Appointments: the rows, the busy intervals that availability and booking read.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{appointments, patients, services};
use crate::db::stamp::Stamp;
use crate::db::types::{AppointmentId, PatientId, PractitionerId, RoomId, ServiceId, UserId};
use crate::db::DbConnection;
use crate::domain::schedule::AppointmentStatus;

/// The statuses that do not hold a slot (SPEC §6 "What blocks a slot").
pub const NON_BLOCKING: [AppointmentStatus; 2] =
    [AppointmentStatus::Cancelled, AppointmentStatus::NoShow];

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = appointments, treat_none_as_null = true)]
pub struct AppointmentRow {
    pub id: AppointmentId,
    pub patient_id: PatientId,
    pub practitioner_id: PractitionerId,
    pub service_id: ServiceId,
    pub room_id: Option<RoomId>,
    #[diesel(deserialize_as = Stamp, serialize_as = Stamp)]
    pub starts_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp, serialize_as = Stamp)]
    pub ends_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp, serialize_as = Stamp)]
    pub blocked_until: NaiveDateTime,
    pub status: AppointmentStatus,
    pub notes: Option<String>,
    pub cancel_reason: Option<String>,
    pub follow_up_of: Option<AppointmentId>,
    pub follow_up_offset_days: Option<i32>,
    pub booked_by: Option<UserId>,
    pub version: i64,
    #[diesel(deserialize_as = Stamp, serialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp, serialize_as = Stamp)]
    pub updated_at: NaiveDateTime,
}

/// The row goes in owned, so that its five timestamps are written through `Stamp`
/// (`serialize_as`): diesel's own SQLite encoding parses a format string for each.
pub fn insert(conn: &mut DbConnection, row: &AppointmentRow) -> QueryResult<usize> {
    crate::db::native!(conn, |c| diesel::insert_into(appointments::table)
        .values(row.clone())
        .execute(c))
}

pub fn find(conn: &mut DbConnection, id: AppointmentId) -> QueryResult<Option<AppointmentRow>> {
    crate::db::native!(conn, |c| appointments::table
        .find(id)
        .select(AppointmentRow::as_select())
        .first(c)
        .optional())
}

/// Writes the whole row if its version is still `expected` (optimistic locking).
pub fn save(conn: &mut DbConnection, row: &AppointmentRow, expected: i64) -> QueryResult<bool> {
    let n = diesel::update(
        appointments::table
            .filter(appointments::id.eq(row.id))
            .filter(appointments::version.eq(expected)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(n == 1)
}

/// The longest an appointment can hold its slot: a service lasts at most 24 h and its
/// buffer at most 12 h, and the database refuses a longer span (`appointments_span`).
/// Every overlap lookup bounds `starts_at` from below by this much (with an hour to
/// spare), so its cost is the calendar around the slot, not the calendar's whole past.
pub const MAX_SPAN_HOURS: i64 = 37;

fn earliest_start_overlapping(from: NaiveDateTime) -> NaiveDateTime {
    from - chrono::Duration::hours(MAX_SPAN_HOURS)
}

/// What an overlap check needs of a slot-holding appointment: its times and room,
/// not the whole row (a check reads every appointment around the slot, so decoding
/// notes, ids and five timestamps of each was most of a booking's work).
#[derive(Debug, Clone, Copy, Queryable, Selectable)]
#[diesel(table_name = appointments)]
pub struct Busy {
    pub id: AppointmentId,
    pub room_id: Option<RoomId>,
    #[diesel(deserialize_as = Stamp)]
    pub starts_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub ends_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub blocked_until: NaiveDateTime,
}

/// Holds its slot: not one of `NON_BLOCKING`. Written out as two comparisons, not
/// `ne_all`, so that the lookups below are static queries, prepared once per
/// connection (an `IN` list is rebuilt and re-parsed on every call on SQLite).
const _: () = assert!(
    NON_BLOCKING.len() == 2,
    "holds_its_slot names each non-blocking status"
);

#[diesel::dsl::auto_type]
fn holds_its_slot() -> _ {
    let cancelled: AppointmentStatus = NON_BLOCKING[0];
    let no_show: AppointmentStatus = NON_BLOCKING[1];
    appointments::status
        .ne(cancelled)
        .and(appointments::status.ne(no_show))
}

/// The slot-holding appointments that `key` picks and that overlap `[from, to)`, where
/// an appointment ends at `end` (`blocked_until` for a practitioner or room, `ends_at`
/// for a patient). `starts_at` is bounded at both ends, and every column read is in
/// the index that serves `key` (migration `covering_indexes`), so the lookup reads the
/// calendar around the slot from the index alone.
macro_rules! busy_lookup {
    ($key:expr, $end:expr, $from:expr, $to:expr) => {
        appointments::table
            .filter($key)
            .filter(holds_its_slot())
            .filter(appointments::starts_at.lt(Stamp($to)))
            .filter(appointments::starts_at.gt(Stamp(earliest_start_overlapping($from))))
            .filter($end.gt(Stamp($from)))
            .select(Busy::as_select())
    };
}

/// Drops the appointment being moved (it does not clash with itself).
fn without(mut busy: Vec<Busy>, except: Option<AppointmentId>) -> Vec<Busy> {
    if let Some(id) = except {
        busy.retain(|b| b.id != id);
    }
    busy
}

/// Slot-holding appointments of a practitioner that overlap `[from, to)` (by `blocked_until`).
pub fn practitioner_busy(
    conn: &mut DbConnection,
    practitioner: PractitionerId,
    from: NaiveDateTime,
    to: NaiveDateTime,
    except: Option<AppointmentId>,
) -> QueryResult<Vec<Busy>> {
    let busy = crate::db::native!(conn, |c| busy_lookup!(
        appointments::practitioner_id.eq(practitioner),
        appointments::blocked_until,
        from,
        to
    )
    .load(c))?;
    Ok(without(busy, except))
}

/// Slot-holding appointments of a patient that overlap `[from, to)` (by `ends_at`).
pub fn patient_busy(
    conn: &mut DbConnection,
    patient: PatientId,
    from: NaiveDateTime,
    to: NaiveDateTime,
    except: Option<AppointmentId>,
) -> QueryResult<Vec<Busy>> {
    let busy = crate::db::native!(conn, |c| busy_lookup!(
        appointments::patient_id.eq(patient),
        appointments::ends_at,
        from,
        to
    )
    .load(c))?;
    Ok(without(busy, except))
}

/// Slot-holding appointments in any of these rooms overlapping `[from, to)`.
pub fn rooms_busy(
    conn: &mut DbConnection,
    rooms: &[RoomId],
    from: NaiveDateTime,
    to: NaiveDateTime,
    except: Option<AppointmentId>,
) -> QueryResult<Vec<Busy>> {
    if rooms.is_empty() {
        return Ok(Vec::new());
    }
    let busy = busy_lookup!(
        appointments::room_id.eq_any(rooms.to_vec()),
        appointments::blocked_until,
        from,
        to
    )
    .load(conn)?;
    Ok(without(busy, except))
}

/// Filters for the appointment list.
#[derive(Debug, Default, Clone)]
pub struct AppointmentFilter {
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub practitioner_id: Option<PractitionerId>,
    pub patient_id: Option<PatientId>,
    pub room_id: Option<RoomId>,
    pub status: Option<AppointmentStatus>,
    /// Strictly after this (starts_at, id).
    pub after: Option<(NaiveDateTime, AppointmentId)>,
}

/// Appointments overlapping `[from, to)`, ordered by start.
pub fn list(
    conn: &mut DbConnection,
    f: &AppointmentFilter,
    limit: i64,
) -> QueryResult<Vec<AppointmentRow>> {
    crate::db::native!(conn, |c| {
        let mut q = appointments::table
            .select(AppointmentRow::as_select())
            .order((appointments::starts_at.asc(), appointments::id.asc()))
            .limit(limit)
            .into_boxed();
        if let Some(from) = f.from {
            q = q
                .filter(appointments::ends_at.gt(Stamp(from)))
                .filter(appointments::starts_at.gt(Stamp(earliest_start_overlapping(from))));
        }
        if let Some(to) = f.to {
            q = q.filter(appointments::starts_at.lt(Stamp(to)));
        }
        if let Some(p) = f.practitioner_id {
            q = q.filter(appointments::practitioner_id.eq(p));
        }
        if let Some(p) = f.patient_id {
            q = q.filter(appointments::patient_id.eq(p));
        }
        if let Some(r) = f.room_id {
            q = q.filter(appointments::room_id.eq(r));
        }
        if let Some(s) = f.status {
            q = q.filter(appointments::status.eq(s));
        }
        if let Some((at, id)) = f.after {
            q = q.filter(
                appointments::starts_at
                    .gt(Stamp(at))
                    .or(appointments::starts_at
                        .eq(Stamp(at))
                        .and(appointments::id.gt(id))),
            );
        }
        q.load(c)
    })
}

/// The patients' given and family names, for a calendar page's labels.
pub fn patient_names(
    conn: &mut DbConnection,
    ids: &[PatientId],
) -> QueryResult<Vec<(PatientId, String, String)>> {
    crate::db::native!(conn, |c| patients::table
        .filter(patients::id.eq_any(ids.to_vec()))
        .select((patients::id, patients::given_name, patients::family_name))
        .load(c))
}

/// The services' names, for a calendar page's labels.
pub fn service_names(
    conn: &mut DbConnection,
    ids: &[ServiceId],
) -> QueryResult<Vec<(ServiceId, String)>> {
    crate::db::native!(conn, |c| services::table
        .filter(services::id.eq_any(ids.to_vec()))
        .select((services::id, services::name))
        .load(c))
}

/// The follow-ups already booked for an appointment.
pub fn follow_ups_of(
    conn: &mut DbConnection,
    id: AppointmentId,
) -> QueryResult<Vec<AppointmentRow>> {
    appointments::table
        .filter(appointments::follow_up_of.eq(id))
        .filter(appointments::status.ne_all(NON_BLOCKING))
        .select(AppointmentRow::as_select())
        .order(appointments::starts_at.asc())
        .load(conn)
}

/// Open (slot-holding, not yet started) appointments of a practitioner from `from` on.
pub fn open_from(
    conn: &mut DbConnection,
    practitioner: PractitionerId,
    from: NaiveDateTime,
) -> QueryResult<Vec<AppointmentRow>> {
    appointments::table
        .filter(appointments::practitioner_id.eq(practitioner))
        .filter(
            appointments::status.eq_any([AppointmentStatus::Booked, AppointmentStatus::Confirmed]),
        )
        .filter(appointments::ends_at.gt(Stamp(from)))
        .filter(appointments::starts_at.gt(Stamp(earliest_start_overlapping(from))))
        .select(AppointmentRow::as_select())
        .order(appointments::starts_at.asc())
        .load(conn)
}

/// Future open appointments of a patient (archiving cancels them).
pub fn patient_future_open(
    conn: &mut DbConnection,
    patient: PatientId,
    from: NaiveDateTime,
) -> QueryResult<Vec<AppointmentRow>> {
    appointments::table
        .filter(appointments::patient_id.eq(patient))
        .filter(
            appointments::status.eq_any([AppointmentStatus::Booked, AppointmentStatus::Confirmed]),
        )
        .filter(appointments::starts_at.ge(from))
        .select(AppointmentRow::as_select())
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::models::clinic::{working_hours_lookup, WorkingHoursRow};
    use crate::db::schema::working_hours;
    use diesel::sqlite::Sqlite;

    /// SQLite's plan for a query diesel built (its values left unbound: NULL is enough
    /// for a plan).
    fn plan<Q: diesel::query_builder::QueryFragment<Sqlite>>(
        conn: &mut SqliteConnection,
        query: &Q,
    ) -> Vec<String> {
        let sql = diesel::debug_query::<Sqlite, _>(query).to_string();
        let sql = sql.split(" -- binds:").next().unwrap_or_default();
        crate::db::sqlite_plan(conn, diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")))
    }

    /// The overlap lookups that every free-slot search and booking makes bound
    /// `starts_at` at both ends in the index of their key, and never visit the table
    /// (all they read is in the index): their cost is the calendar around the slot.
    /// So are a practitioner's working hours, in order without a sort.
    #[test]
    fn the_calendar_lookups_are_bounded_and_read_from_the_index_alone() {
        let mut conn = DbConnection::Sqlite(
            SqliteConnection::establish(":memory:").expect("in-memory SQLite"),
        );
        crate::db::run_migrations(&mut conn).expect("migrations");
        let DbConnection::Sqlite(lite) = &mut conn else {
            unreachable!()
        };
        let from = crate::db::now();
        let to = from + chrono::Duration::hours(1);
        let (practitioner, patient) = (PractitionerId::new(), PatientId::new());
        let rooms = vec![RoomId::new(), RoomId::new()];
        let bounded = "starts_at>? AND starts_at<?)";
        let cases = [
            (
                "appointments_practitioner",
                plan(
                    lite,
                    &busy_lookup!(
                        appointments::practitioner_id.eq(practitioner),
                        appointments::blocked_until,
                        from,
                        to
                    ),
                ),
            ),
            (
                "appointments_patient",
                plan(
                    lite,
                    &busy_lookup!(
                        appointments::patient_id.eq(patient),
                        appointments::ends_at,
                        from,
                        to
                    ),
                ),
            ),
            (
                "appointments_room",
                plan(
                    lite,
                    &busy_lookup!(
                        appointments::room_id.eq_any(rooms),
                        appointments::blocked_until,
                        from,
                        to
                    ),
                ),
            ),
        ];
        for (index, steps) in cases {
            assert!(
                steps.iter().any(|s| s.starts_with(&format!(
                    "SEARCH appointments USING COVERING INDEX {index} ("
                )) && s.ends_with(bounded)),
                "{index}: {steps:?}"
            );
        }
        let steps = plan(lite, &working_hours_lookup!(practitioner));
        assert_eq!(
            steps,
            ["SEARCH working_hours USING COVERING INDEX working_hours_practitioner (practitioner_id=?)"],
            "no table lookup, no sort"
        );
    }
}
