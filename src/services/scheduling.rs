//! Booking, rescheduling, transitions and availability: the one place that decides
//! whether a time can be booked. Every path (staff, follow-ups, later the portal)
//! comes through here, inside a write transaction, and the database constraint
//! (PostgreSQL exclusion constraints, SQLite triggers) is the last word.
use chrono::{Duration, NaiveDateTime};
use chrono_tz::Tz;

use crate::db::models::appointments::{self, AppointmentRow};
use crate::db::models::clinic::{self, ServiceRow};
use crate::db::models::{patients, reminders};
use crate::db::types::{AppointmentId, LocationId, PatientId, PractitionerId, RoomId, UserId};
use crate::db::DbConnection;
use crate::domain::schedule::{
    local_date, uses_rooms, working_intervals, AppointmentStatus, Calendar, Interval, Misfit,
    SlotShape, WeeklyRange,
};
use crate::domain::FieldError;
use crate::error::ApiError;

/// How far around a booking the calendar is loaded (covers any service length).
const CONTEXT: i64 = 2;

/// The window whose working hours and time off decide about `[start, end)`: the span
/// with `CONTEXT` days either side (a working day that began before it, a time off
/// that ends after it).
pub fn hours_window(start: NaiveDateTime, end: NaiveDateTime) -> Interval {
    Interval {
        start: start - Duration::days(CONTEXT),
        end: end + Duration::days(CONTEXT),
    }
}

/// What a transaction that decides about bookings serialises on. The derived order
/// (every practitioner before every patient, then by id) is the one order in which
/// locks are taken, so no two paths can wait on each other in a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lock {
    Practitioner(PractitionerId),
    Patient(PatientId),
    /// A login's links (the hourly reset cap).
    User(UserId),
}

impl Lock {
    fn key(self) -> String {
        match self {
            Lock::Practitioner(id) => format!("practitioner:{id}"),
            Lock::Patient(id) => format!("patient:{id}"),
            Lock::User(id) => format!("user:{id}"),
        }
    }
}

/// Takes every lock a decision needs, at once and in the one sorted order (call inside
/// a write transaction, once, before reading what is decided on). Every booking,
/// reschedule, follow-up, portal booking and calendar change comes through here.
pub fn lock(conn: &mut DbConnection, locks: &[Lock]) -> Result<(), ApiError> {
    let mut locks = locks.to_vec();
    locks.sort();
    locks.dedup();
    let keys: Vec<String> = locks.into_iter().map(Lock::key).collect();
    conn.advisory_xact_locks(&keys)?;
    Ok(())
}

pub fn shape_of(service: &ServiceRow) -> SlotShape {
    SlotShape {
        duration: Duration::minutes(i64::from(service.duration_minutes)),
        buffer: Duration::minutes(i64::from(service.buffer_minutes)),
    }
}

/// A practitioner's working intervals (with their locations) and time off over `window`:
/// the part of a calendar that new hours or time off change.
pub fn load_hours(
    conn: &mut DbConnection,
    tz: Tz,
    practitioner: PractitionerId,
    window: Interval,
) -> Result<Calendar<LocationId, RoomId>, ApiError> {
    let hours = clinic::working_hours_of(conn, practitioner)?;
    let ranges: Vec<WeeklyRange<LocationId>> = hours
        .iter()
        .map(|h| WeeklyRange {
            weekday: u32::try_from(h.weekday).unwrap_or(0),
            start_minute: u32::try_from(h.start_minute).unwrap_or(0),
            end_minute: u32::try_from(h.end_minute).unwrap_or(0),
            location: h.location_id,
        })
        .collect();
    let working = working_intervals(tz, &ranges, window);
    let time_off = clinic::time_off_of(conn, practitioner, window.start, window.end)?
        .into_iter()
        .filter_map(|t| Interval::new(t.starts_at, t.ends_at))
        .collect();
    Ok(Calendar {
        working,
        time_off,
        practitioner_busy: Vec::new(),
        patient_busy: Vec::new(),
        rooms: Vec::new(),
    })
}

/// What a calendar is loaded for: the appointments that overlap `span` (only the span
/// the checks ask about: whatever lies outside it cannot clash), the patient's too if
/// given, and the rooms only when the check will look at them (`schedule::uses_rooms`).
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub span: Interval,
    pub patient: Option<PatientId>,
    pub rooms: bool,
    /// The appointment being moved (it does not clash with itself).
    pub except: Option<AppointmentId>,
}

/// Loads what the checks need for one practitioner: the working hours and time off over
/// `window`, and what is busy as `scope` asks.
pub fn load_calendar(
    conn: &mut DbConnection,
    tz: Tz,
    practitioner: PractitionerId,
    window: Interval,
    scope: Scope,
) -> Result<Calendar<LocationId, RoomId>, ApiError> {
    let Scope {
        span,
        patient,
        rooms: with_rooms,
        except,
    } = scope;
    let Calendar {
        working, time_off, ..
    } = load_hours(conn, tz, practitioner, window)?;
    let practitioner_busy =
        appointments::practitioner_busy(conn, practitioner, span.start, span.end, except)?
            .into_iter()
            .filter_map(|a| Interval::new(a.starts_at, a.blocked_until))
            .collect();
    let patient_busy = match patient {
        Some(p) => appointments::patient_busy(conn, p, span.start, span.end, except)?
            .into_iter()
            .filter_map(|a| Interval::new(a.starts_at, a.ends_at))
            .collect(),
        None => Vec::new(),
    };
    let room_rows = if with_rooms {
        let mut location_ids: Vec<LocationId> = working.iter().map(|(_, l)| *l).collect();
        location_ids.sort();
        location_ids.dedup();
        clinic::rooms_at(conn, &location_ids)?
    } else {
        Vec::new()
    };
    let room_ids: Vec<RoomId> = room_rows.iter().map(|r| r.id).collect();
    let busy = appointments::rooms_busy(conn, &room_ids, span.start, span.end, except)?;
    let rooms = room_rows
        .into_iter()
        .map(|r| {
            let held = busy
                .iter()
                .filter(|a| a.room_id == Some(r.id))
                .filter_map(|a| Interval::new(a.starts_at, a.blocked_until))
                .collect();
            (r.location_id, r.id, held)
        })
        .collect();
    Ok(Calendar {
        working,
        time_off,
        practitioner_busy,
        patient_busy,
        rooms,
    })
}

/// What is being booked.
#[derive(Debug, Clone)]
pub struct Booking {
    pub patient_id: PatientId,
    pub practitioner_id: PractitionerId,
    pub service: ServiceRow,
    pub starts_at: NaiveDateTime,
    pub room_id: Option<RoomId>,
    pub notes: Option<String>,
    pub follow_up_of: Option<AppointmentId>,
    pub follow_up_offset_days: Option<i32>,
    pub booked_by: Option<UserId>,
}

fn misfit(m: Misfit) -> ApiError {
    ApiError::Conflict(m.describe().to_owned())
}

/// Checks that the referenced patient, practitioner and room exist and may be booked.
fn check_references(conn: &mut DbConnection, b: &Booking) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    match patients::archived(conn, b.patient_id)? {
        None => errors.push(FieldError::new("patient_id", "no such patient")),
        Some(true) => {
            return Err(ApiError::Conflict(
                "The patient is archived and cannot be booked.".into(),
            ))
        }
        Some(false) => {}
    }
    if clinic::find_practitioner(conn, b.practitioner_id)?.is_none() {
        errors.push(FieldError::new("practitioner_id", "no such practitioner"));
    }
    if let Some(room) = b.room_id {
        if clinic::find_room(conn, room)?.is_none() {
            errors.push(FieldError::new("room_id", "no such room"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Decides where the booking goes: checks every rule and picks a room when needed.
fn place(
    conn: &mut DbConnection,
    tz: Tz,
    b: &Booking,
    except: Option<AppointmentId>,
) -> Result<Option<RoomId>, ApiError> {
    let shape = shape_of(&b.service);
    let held = shape.held(b.starts_at);
    let window = hours_window(b.starts_at, held.end);
    let calendar = load_calendar(
        conn,
        tz,
        b.practitioner_id,
        window,
        Scope {
            span: held,
            patient: Some(b.patient_id),
            rooms: uses_rooms(b.service.requires_room, b.room_id.is_some()),
            except,
        },
    )?;
    let (_, room) = calendar
        .check(shape, b.starts_at, b.service.requires_room, b.room_id)
        .map_err(misfit)?;
    Ok(room)
}

/// The portal's limit on open future appointments, checked under the booking's locks.
#[derive(Debug, Clone, Copy)]
pub struct OpenLimit {
    pub max_open: usize,
    pub now: NaiveDateTime,
}

/// Books an appointment (call inside a write transaction).
pub fn book(
    conn: &mut DbConnection,
    tz: Tz,
    b: Booking,
    reminder_lead: Duration,
) -> Result<AppointmentRow, ApiError> {
    book_within(conn, tz, b, reminder_lead, None)
}

/// Books an appointment, first checking the patient's open-appointment limit when
/// given (call inside a write transaction).
pub fn book_within(
    conn: &mut DbConnection,
    tz: Tz,
    b: Booking,
    reminder_lead: Duration,
    limit: Option<OpenLimit>,
) -> Result<AppointmentRow, ApiError> {
    lock(
        conn,
        &[
            Lock::Practitioner(b.practitioner_id),
            Lock::Patient(b.patient_id),
        ],
    )?;
    if let Some(limit) = limit {
        let open = appointments::patient_future_open(conn, b.patient_id, limit.now)?;
        if open.len() >= limit.max_open {
            return Err(ApiError::Conflict(format!(
                "You already have {} upcoming appointments.",
                open.len()
            )));
        }
    }
    check_references(conn, &b)?;
    let room_id = place(conn, tz, &b, None)?;
    let shape = shape_of(&b.service);
    let now = crate::db::now();
    let row = AppointmentRow {
        id: AppointmentId::new(),
        patient_id: b.patient_id,
        practitioner_id: b.practitioner_id,
        service_id: b.service.id,
        room_id,
        starts_at: b.starts_at,
        ends_at: shape.visit(b.starts_at).end,
        blocked_until: shape.held(b.starts_at).end,
        status: AppointmentStatus::Booked,
        notes: b.notes,
        cancel_reason: None,
        follow_up_of: b.follow_up_of,
        follow_up_offset_days: b.follow_up_offset_days,
        booked_by: b.booked_by,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    appointments::insert(conn, &row)?;
    // Nothing to remind of for a visit entered after the fact.
    if row.starts_at > now {
        reminders::schedule(conn, row.id, row.starts_at - reminder_lead, now)?;
    }
    Ok(row)
}

/// What a reschedule may change (`None` = unchanged).
#[derive(Debug, Default, Clone)]
pub struct Reschedule {
    pub starts_at: Option<NaiveDateTime>,
    pub practitioner_id: Option<PractitionerId>,
    pub room_id: Option<Option<RoomId>>,
    pub service: Option<ServiceRow>,
    pub notes: Option<Option<String>>,
}

/// Moves an appointment, re-running every booking rule; it returns to `booked`.
pub fn reschedule(
    conn: &mut DbConnection,
    tz: Tz,
    current: AppointmentRow,
    change: Reschedule,
    expected_version: Option<i64>,
    reminder_lead: Duration,
) -> Result<AppointmentRow, ApiError> {
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(ApiError::PreconditionFailed);
    }
    let status = current.status;
    if !status.reschedulable() {
        return Err(ApiError::Conflict(format!(
            "An appointment that is {} cannot be changed; only booked or confirmed ones can.",
            status.as_str()
        )));
    }
    let service = match change.service {
        Some(s) => s,
        None => clinic::find_service(conn, current.service_id)?.ok_or(ApiError::NotFound)?,
    };
    let booking = Booking {
        patient_id: current.patient_id,
        practitioner_id: change.practitioner_id.unwrap_or(current.practitioner_id),
        starts_at: change.starts_at.unwrap_or(current.starts_at),
        // A room the client names is required; otherwise any free room is picked again.
        room_id: change.room_id.flatten(),
        notes: match change.notes {
            Some(n) => n,
            None => current.notes.clone(),
        },
        service,
        follow_up_of: current.follow_up_of,
        follow_up_offset_days: current.follow_up_offset_days,
        booked_by: current.booked_by,
    };
    lock(
        conn,
        &[
            Lock::Practitioner(current.practitioner_id),
            Lock::Practitioner(booking.practitioner_id),
            Lock::Patient(booking.patient_id),
        ],
    )?;
    check_references(conn, &booking)?;
    let room_id = place(conn, tz, &booking, Some(current.id))?;
    let shape = shape_of(&booking.service);
    let mut row = current.clone();
    row.practitioner_id = booking.practitioner_id;
    row.service_id = booking.service.id;
    row.room_id = room_id;
    row.starts_at = booking.starts_at;
    row.ends_at = shape.visit(booking.starts_at).end;
    row.blocked_until = shape.held(booking.starts_at).end;
    row.notes = booking.notes;
    row.status = AppointmentStatus::Booked;
    row.version = current.version + 1;
    row.updated_at = crate::db::now();
    if !appointments::save(conn, &row, current.version)? {
        return Err(ApiError::PreconditionFailed);
    }
    if row.starts_at > row.updated_at {
        if reminders::retime(conn, row.id, row.starts_at - reminder_lead)? == 0 {
            reminders::schedule(conn, row.id, row.starts_at - reminder_lead, row.updated_at)?;
        }
    } else {
        reminders::cancel(conn, row.id)?;
    }
    Ok(row)
}

/// Applies a lifecycle transition; an illegal one is 409 naming both states.
pub fn transition(
    conn: &mut DbConnection,
    tz: Tz,
    current: AppointmentRow,
    next: AppointmentStatus,
    cancel_reason: Option<String>,
    expected_version: Option<i64>,
) -> Result<AppointmentRow, ApiError> {
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(ApiError::PreconditionFailed);
    }
    let status = current.status;
    if !status.can_become(next) {
        return Err(ApiError::Conflict(format!(
            "An appointment cannot go from {} to {}.",
            status.as_str(),
            next.as_str()
        )));
    }
    let now = crate::db::now();
    if status == AppointmentStatus::NoShow
        && next == AppointmentStatus::CheckedIn
        && local_date(tz, current.starts_at) != local_date(tz, now)
    {
        return Err(ApiError::Conflict(
            "A no-show can be checked in only on the appointment's own day.".into(),
        ));
    }
    let mut row = current.clone();
    row.status = next;
    if next == AppointmentStatus::Cancelled {
        row.cancel_reason = cancel_reason;
    }
    row.version = current.version + 1;
    row.updated_at = now;
    // Undoing a no-show takes the slot back: the database re-checks overlap.
    if !appointments::save(conn, &row, current.version)? {
        return Err(ApiError::PreconditionFailed);
    }
    if !next.blocks_slot() {
        reminders::cancel(conn, row.id)?;
    }
    Ok(row)
}

/// A free slot.
#[derive(Debug, Clone)]
pub struct Slot {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub practitioner_id: PractitionerId,
    pub room_id: Option<RoomId>,
}

/// Free slots for a service in `[from, to)` for the given practitioners.
#[expect(
    clippy::too_many_arguments,
    reason = "each argument is a separate filter of the slot search"
)]
pub fn availability(
    conn: &mut DbConnection,
    tz: Tz,
    service: &ServiceRow,
    practitioners: &[PractitionerId],
    patient: Option<PatientId>,
    from: NaiveDateTime,
    to: NaiveDateTime,
    step: Duration,
    not_before: NaiveDateTime,
) -> Result<Vec<Slot>, ApiError> {
    let shape = shape_of(service);
    let window = Interval {
        start: from - Duration::days(1),
        end: to + shape.duration + shape.buffer + Duration::days(1),
    };
    // Every slot's held time lies in here.
    let held = Interval {
        start: from,
        end: to + shape.duration + shape.buffer,
    };
    let mut slots = Vec::new();
    for p in practitioners {
        let scope = Scope {
            span: held,
            patient,
            rooms: uses_rooms(service.requires_room, false),
            except: None,
        };
        let calendar = load_calendar(conn, tz, *p, window, scope)?;
        for (start, room) in
            calendar.free_slots(shape, service.requires_room, from, to, step, not_before)
        {
            slots.push(Slot {
                starts_at: start,
                ends_at: start + shape.duration,
                practitioner_id: *p,
                room_id: room,
            });
        }
    }
    slots.sort_by_key(|s| (s.starts_at, s.practitioner_id));
    Ok(slots)
}

/// Books the follow-up series of a completed appointment, all or nothing
/// (call inside a write transaction).
pub fn book_follow_ups(
    conn: &mut DbConnection,
    tz: Tz,
    original: &AppointmentRow,
    booked_by: UserId,
    reminder_lead: Duration,
) -> Result<Vec<AppointmentRow>, ApiError> {
    if original.status != AppointmentStatus::Completed {
        return Err(ApiError::Conflict(
            "Follow-ups are booked after the appointment is completed.".into(),
        ));
    }
    if original.follow_up_of.is_some() {
        return Err(ApiError::Conflict(
            "A follow-up does not start a series of its own.".into(),
        ));
    }
    let service = clinic::find_service(conn, original.service_id)?.ok_or(ApiError::NotFound)?;
    let days = service.follow_up_days();
    let Some(follow_service_id) = service.follow_up_service_id.filter(|_| !days.is_empty()) else {
        return Err(ApiError::Conflict(
            "This service has no follow-up series.".into(),
        ));
    };
    if !appointments::follow_ups_of(conn, original.id)?.is_empty() {
        return Err(ApiError::Conflict(
            "The follow-up series is already booked.".into(),
        ));
    }
    let follow_service =
        clinic::find_service(conn, follow_service_id)?.ok_or(ApiError::NotFound)?;
    let start_date = local_date(tz, original.starts_at);
    let local_start = chrono::TimeZone::from_utc_datetime(&tz, &original.starts_at);
    let start_minute =
        chrono::Timelike::hour(&local_start) * 60 + chrono::Timelike::minute(&local_start);
    let mut booked = Vec::new();
    let mut missing = Vec::new();
    for d in days {
        let target = start_date + Duration::days(i64::from(d));
        // On or after the original start + d clinic-local days, up to 14 days further.
        let from = crate::domain::schedule::local_to_utc(tz, target, start_minute);
        let to =
            crate::domain::schedule::local_to_utc(tz, target + Duration::days(14), start_minute);
        let slot = availability(
            conn,
            tz,
            &follow_service,
            &[original.practitioner_id],
            Some(original.patient_id),
            from,
            to,
            Duration::minutes(15),
            from,
        )?
        .into_iter()
        .next();
        match slot {
            None => missing.push(d),
            Some(slot) => {
                let row = book(
                    conn,
                    tz,
                    Booking {
                        patient_id: original.patient_id,
                        practitioner_id: original.practitioner_id,
                        service: follow_service.clone(),
                        starts_at: slot.starts_at,
                        room_id: None,
                        notes: None,
                        follow_up_of: Some(original.id),
                        follow_up_offset_days: Some(d),
                        booked_by: Some(booked_by),
                    },
                    reminder_lead,
                )?;
                booked.push(row);
            }
        }
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|d| d.to_string()).collect();
        // The caller's transaction rolls back what was booked: all or nothing.
        return Err(ApiError::Conflict(format!(
            "No free slot within 14 days of the follow-up offsets (days): {}.",
            list.join(", ")
        )));
    }
    Ok(booked)
}

/// Cancels a patient's future open appointments (the patient was archived).
pub fn cancel_future_of_patient(
    conn: &mut DbConnection,
    patient: PatientId,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    lock(conn, &[Lock::Patient(patient)])?;
    let open = appointments::patient_future_open(conn, patient, now)?;
    let count = open.len();
    for mut row in open {
        let expected = row.version;
        row.status = AppointmentStatus::Cancelled;
        row.cancel_reason = Some("Patient archived".into());
        row.version += 1;
        row.updated_at = now;
        if !appointments::save(conn, &row, expected)? {
            return Err(ApiError::PreconditionFailed);
        }
        reminders::cancel(conn, row.id)?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_sort_practitioners_before_patients_whatever_the_ids() {
        let (pr, pa, us) = (PractitionerId::new(), PatientId::new(), UserId::new());
        let mut locks = vec![Lock::User(us), Lock::Patient(pa), Lock::Practitioner(pr)];
        locks.sort();
        assert_eq!(
            locks,
            vec![Lock::Practitioner(pr), Lock::Patient(pa), Lock::User(us)]
        );
    }
}
