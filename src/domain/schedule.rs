//! Scheduling rules: the appointment lifecycle, half-open time intervals, working hours
//! in the clinic's time zone (daylight-saving aware), and free-slot search.
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an appointment is in its life (SPEC §6 "Lifecycle").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    Confirmed,
    CheckedIn,
    InProgress,
    Completed,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 7] = [
        AppointmentStatus::Booked,
        AppointmentStatus::Confirmed,
        AppointmentStatus::CheckedIn,
        AppointmentStatus::InProgress,
        AppointmentStatus::Completed,
        AppointmentStatus::Cancelled,
        AppointmentStatus::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Confirmed => "confirmed",
            AppointmentStatus::CheckedIn => "checked_in",
            AppointmentStatus::InProgress => "in_progress",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "no_show",
        }
    }

    pub fn parse(text: &str) -> Option<AppointmentStatus> {
        AppointmentStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// Whether an appointment in this state holds its slot (SPEC §6 "What blocks a slot").
    pub fn blocks_slot(self) -> bool {
        !matches!(
            self,
            AppointmentStatus::Cancelled | AppointmentStatus::NoShow
        )
    }

    /// Whether it may still be moved (PATCH).
    pub fn reschedulable(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Booked | AppointmentStatus::Confirmed
        )
    }

    /// The legal transitions; nothing else is allowed.
    pub fn can_become(self, next: AppointmentStatus) -> bool {
        use AppointmentStatus::*;
        matches!(
            (self, next),
            (Booked, Confirmed | CheckedIn | Cancelled | NoShow)
                | (Confirmed, CheckedIn | Cancelled | NoShow)
                | (CheckedIn, InProgress | Cancelled)
                | (InProgress, Completed)
                | (NoShow, CheckedIn)
        )
    }
}

/// A half-open interval `[start, end)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

impl Interval {
    /// `None` unless `end > start`.
    pub fn new(start: NaiveDateTime, end: NaiveDateTime) -> Option<Interval> {
        (end > start).then_some(Interval { start, end })
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Merges touching or overlapping intervals (so 22:00–24:00 and 00:00–02:00 become one).
pub fn merge(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.sort();
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for iv in intervals {
        match merged.last_mut() {
            Some(last) if iv.start <= last.end => last.end = last.end.max(iv.end),
            _ => merged.push(iv),
        }
    }
    merged
}

/// One weekly working-hours range, clinic-local.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyRange<L> {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    pub start_minute: u32,
    /// Exclusive; 1440 means midnight at the end of the day.
    pub end_minute: u32,
    pub location: L,
}

/// The UTC instant of a clinic-local wall-clock time. In a spring-forward gap the
/// time does not exist and the first instant after the gap is used; in a fall-back
/// overlap the earlier instant is used.
pub fn local_to_utc(tz: Tz, date: NaiveDate, minute_of_day: u32) -> NaiveDateTime {
    let day_start = date.and_time(NaiveTime::MIN);
    let wall = day_start + Duration::minutes(i64::from(minute_of_day));
    let mut probe = wall;
    for _ in 0..180 {
        if let Some(dt) = tz.from_local_datetime(&probe).earliest() {
            return dt.naive_utc();
        }
        probe += Duration::minutes(1);
    }
    // Unreachable for real zones (gaps are at most a few hours).
    Utc.from_utc_datetime(&wall).naive_utc()
}

/// The clinic-local date of a UTC instant.
pub fn local_date(tz: Tz, at: NaiveDateTime) -> NaiveDate {
    tz.from_utc_datetime(&at).date_naive()
}

/// The working intervals (UTC, merged where they touch) overlapping `window`, each with
/// its location. Ranges at different locations are never merged.
pub fn working_intervals<L: Copy + PartialEq>(
    tz: Tz,
    ranges: &[WeeklyRange<L>],
    window: Interval,
) -> Vec<(Interval, L)> {
    let first = local_date(tz, window.start) - Duration::days(1);
    let last = local_date(tz, window.end) + Duration::days(1);
    let mut per_location: Vec<(L, Vec<Interval>)> = Vec::new();
    let mut date = first;
    while date <= last {
        let weekday = date.weekday().number_from_monday();
        for r in ranges.iter().filter(|r| r.weekday == weekday) {
            let start = local_to_utc(tz, date, r.start_minute);
            let end = local_to_utc(tz, date, r.end_minute);
            if let Some(iv) = Interval::new(start, end) {
                match per_location.iter_mut().find(|(l, _)| *l == r.location) {
                    Some((_, list)) => list.push(iv),
                    None => per_location.push((r.location, vec![iv])),
                }
            }
        }
        date += Duration::days(1);
    }
    let mut out = Vec::new();
    for (location, list) in per_location {
        for iv in merge(list) {
            if iv.overlaps(&window) {
                out.push((iv, location));
            }
        }
    }
    out.sort_by_key(|(iv, _)| *iv);
    out
}

/// What a booking needs to fit.
#[derive(Debug, Clone, Copy)]
pub struct SlotShape {
    pub duration: Duration,
    pub buffer: Duration,
}

impl SlotShape {
    /// `[start, end)` the patient is busy and must lie within working hours.
    pub fn visit(&self, start: NaiveDateTime) -> Interval {
        Interval {
            start,
            end: start + self.duration,
        }
    }

    /// `[start, blocked_until)` the practitioner and the room are held.
    pub fn held(&self, start: NaiveDateTime) -> Interval {
        Interval {
            start,
            end: start + self.duration + self.buffer,
        }
    }
}

/// Why a booking does not fit (the API names these in its 409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misfit {
    OutsideWorkingHours,
    TimeOff,
    PractitionerBusy,
    PatientBusy,
    NoRoom,
}

impl Misfit {
    pub fn describe(&self) -> &'static str {
        match self {
            Misfit::OutsideWorkingHours => "The time is outside the practitioner's working hours.",
            Misfit::TimeOff => "The practitioner is on time off then.",
            Misfit::PractitionerBusy => "The practitioner already has an appointment then.",
            Misfit::PatientBusy => "The patient already has an appointment then.",
            Misfit::NoRoom => "No room is free then.",
        }
    }
}

/// One practitioner's calendar over a window, as the checks need it.
#[derive(Debug, Clone)]
pub struct Calendar<L, R> {
    pub working: Vec<(Interval, L)>,
    pub time_off: Vec<Interval>,
    /// `[starts_at, blocked_until)` of the practitioner's slot-holding appointments.
    pub practitioner_busy: Vec<Interval>,
    /// `[starts_at, ends_at)` of the patient's slot-holding appointments.
    pub patient_busy: Vec<Interval>,
    /// Rooms by location, each with its held intervals.
    pub rooms: Vec<(L, R, Vec<Interval>)>,
}

impl<L: Copy + PartialEq, R: Copy> Calendar<L, R> {
    /// Checks one start; on success the location and (when needed) a free room.
    pub fn check(
        &self,
        shape: SlotShape,
        start: NaiveDateTime,
        needs_room: bool,
        wanted_room: Option<R>,
    ) -> Result<(L, Option<R>), Misfit>
    where
        R: PartialEq,
    {
        self.fit(shape, start, needs_room, wanted_room)
            .map_err(|(misfit, _)| misfit)
    }

    /// `check`, and on a misfit the end of the interval that caused it, where one
    /// interval did (time off, or the practitioner's or patient's appointment): every
    /// later start before that end fails too. Its interval would begin after this
    /// start's, still before the blocker ends, and end after this start's did, which
    /// was already after the blocker began; so it overlaps the blocker as well.
    fn fit(
        &self,
        shape: SlotShape,
        start: NaiveDateTime,
        needs_room: bool,
        wanted_room: Option<R>,
    ) -> Result<(L, Option<R>), (Misfit, Option<NaiveDateTime>)>
    where
        R: PartialEq,
    {
        let visit = shape.visit(start);
        let held = shape.held(start);
        let Some((_, location)) = self.working.iter().find(|(iv, _)| iv.contains(&visit)) else {
            return Err((Misfit::OutsideWorkingHours, None));
        };
        if let Some(t) = self.time_off.iter().find(|t| t.overlaps(&held)) {
            return Err((Misfit::TimeOff, Some(t.end)));
        }
        if let Some(b) = self.practitioner_busy.iter().find(|b| b.overlaps(&held)) {
            return Err((Misfit::PractitionerBusy, Some(b.end)));
        }
        if let Some(b) = self.patient_busy.iter().find(|b| b.overlaps(&visit)) {
            return Err((Misfit::PatientBusy, Some(b.end)));
        }
        if !uses_rooms(needs_room, wanted_room.is_some()) {
            return Ok((*location, None));
        }
        let room = self
            .rooms
            .iter()
            .filter(|(l, r, _)| *l == *location && wanted_room.is_none_or(|w| w == *r))
            .find(|(_, _, busy)| !busy.iter().any(|b| b.overlaps(&held)))
            .map(|(_, r, _)| *r);
        match room {
            Some(r) => Ok((*location, Some(r))),
            None => Err((Misfit::NoRoom, None)),
        }
    }

    /// Whether a booked visit still lies within working hours and clear of time off
    /// (what new hours or time off must not break).
    pub fn fits_hours_and_time_off(&self, visit: Interval, held: Interval) -> bool {
        self.working.iter().any(|(iv, _)| iv.contains(&visit))
            && !self.time_off.iter().any(|t| t.overlaps(&held))
    }

    /// Every start in `[from, to)` on the step grid (`align_up`'s: multiples of `step`
    /// from midnight UTC) that fits. `step` is a whole number of minutes (the API
    /// takes 5 to 240).
    pub fn free_slots(
        &self,
        shape: SlotShape,
        needs_room: bool,
        from: NaiveDateTime,
        to: NaiveDateTime,
        step: Duration,
        not_before: NaiveDateTime,
    ) -> Vec<(NaiveDateTime, Option<R>)>
    where
        R: PartialEq,
    {
        let mut out = Vec::new();
        for (iv, _) in &self.working {
            let mut start = align_up(iv.start.max(from).max(not_before), step);
            while start < to && start + shape.duration <= iv.end {
                match self.fit(shape, start, needs_room, None) {
                    Ok((_, room)) => {
                        out.push((start, room));
                        start += step;
                    }
                    // Past the appointment or time off in the way, to the first start
                    // on the grid at or after its end, not one step at a time through
                    // it (`fit` says why no start before its end fits). The grid is
                    // `align_up`'s: this loop's first start is on it and moves by `step`.
                    Err((_, Some(blocked_until))) => {
                        start = align_up(blocked_until, step).max(start + step);
                    }
                    Err((_, None)) => start += step,
                }
            }
        }
        out.sort_by_key(|(s, _)| *s);
        out.dedup_by_key(|(s, _)| *s);
        out
    }
}

/// Whether a check looks at rooms at all: for a service that needs one, or when a room
/// is asked for. (What a calendar need not load otherwise.)
pub fn uses_rooms(needs_room: bool, room_asked: bool) -> bool {
    needs_room || room_asked
}

/// The first multiple of `step` (counted from midnight UTC) at or after `t`.
fn align_up(t: NaiveDateTime, step: Duration) -> NaiveDateTime {
    let secs = t.and_utc().timestamp();
    let step_secs = step.num_seconds().max(60);
    let rem = secs.rem_euclid(step_secs);
    let aligned = if rem == 0 {
        secs
    } else {
        secs + step_secs - rem
    };
    DateTime::from_timestamp(aligned, 0).map_or(t, |d| d.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn only_the_listed_transitions_are_legal() {
        use AppointmentStatus::*;
        assert!(Booked.can_become(Confirmed));
        assert!(InProgress.can_become(Completed));
        assert!(NoShow.can_become(CheckedIn));
        assert!(!Completed.can_become(Cancelled));
        assert!(!Booked.can_become(Completed));
        assert!(!Cancelled.can_become(Booked));
        let legal = AppointmentStatus::ALL
            .iter()
            .flat_map(|a| AppointmentStatus::ALL.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_become(*b))
            .count();
        assert_eq!(legal, 11);
    }

    #[test]
    fn half_open_intervals_that_touch_do_not_overlap() {
        let a = Interval::new(at("2026-03-02 10:00"), at("2026-03-02 10:45")).unwrap();
        let b = Interval::new(at("2026-03-02 10:45"), at("2026-03-02 11:30")).unwrap();
        let c = Interval::new(at("2026-03-02 10:30"), at("2026-03-02 11:15")).unwrap();
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&c) && c.overlaps(&b));
        assert!(Interval::new(at("2026-03-02 10:00"), at("2026-03-02 10:00")).is_none());
    }

    #[test]
    fn working_hours_follow_the_clinic_clock_across_daylight_saving() {
        let tz: Tz = "Europe/London".parse().unwrap();
        let hours = [1, 2, 3, 4, 5, 6, 7].map(|d| WeeklyRange {
            weekday: d,
            start_minute: 9 * 60,
            end_minute: 17 * 60,
            location: 1,
        });
        // 2026-03-29 is the spring change in London: Friday 27th is GMT, Monday 30th BST.
        let window = Interval::new(at("2026-03-27 00:00"), at("2026-03-31 00:00")).unwrap();
        let ivs = working_intervals(tz, &hours, window);
        assert!(
            ivs.iter().any(|(iv, _)| iv.start == at("2026-03-27 09:00")),
            "GMT: 09:00 is 09:00Z"
        );
        assert!(
            ivs.iter().any(|(iv, _)| iv.start == at("2026-03-30 08:00")),
            "BST: 09:00 is 08:00Z"
        );
    }

    #[test]
    fn touching_ranges_across_midnight_are_one() {
        let tz: Tz = "UTC".parse().unwrap();
        let hours = [
            WeeklyRange {
                weekday: 1,
                start_minute: 22 * 60,
                end_minute: 1440,
                location: 1,
            },
            WeeklyRange {
                weekday: 2,
                start_minute: 0,
                end_minute: 2 * 60,
                location: 1,
            },
        ];
        let window = Interval::new(at("2026-03-02 00:00"), at("2026-03-04 00:00")).unwrap();
        let ivs = working_intervals(tz, &hours, window);
        assert_eq!(ivs.len(), 1);
        assert_eq!(
            ivs[0].0,
            Interval::new(at("2026-03-02 22:00"), at("2026-03-03 02:00")).unwrap()
        );
    }

    fn calendar() -> Calendar<u8, u8> {
        Calendar {
            working: vec![(
                Interval::new(at("2026-03-02 09:00"), at("2026-03-02 12:00")).unwrap(),
                1,
            )],
            time_off: vec![],
            practitioner_busy: vec![
                Interval::new(at("2026-03-02 10:00"), at("2026-03-02 10:45")).unwrap(),
            ],
            patient_busy: vec![],
            rooms: vec![(1, 7, vec![])],
        }
    }

    #[test]
    fn a_booking_may_end_exactly_at_closing_but_not_cross_it() {
        let cal = calendar();
        let shape = SlotShape {
            duration: Duration::minutes(30),
            buffer: Duration::minutes(15),
        };
        assert!(cal
            .check(shape, at("2026-03-02 11:30"), false, None)
            .is_ok());
        assert_eq!(
            cal.check(shape, at("2026-03-02 11:45"), false, None),
            Err(Misfit::OutsideWorkingHours)
        );
        assert_eq!(
            cal.check(shape, at("2026-03-02 10:30"), false, None),
            Err(Misfit::PractitionerBusy)
        );
        // The buffer holds the practitioner: 09:30 + 30 + 15 reaches 10:15.
        assert_eq!(
            cal.check(shape, at("2026-03-02 09:30"), false, None),
            Err(Misfit::PractitionerBusy)
        );
        assert!(cal
            .check(shape, at("2026-03-02 09:15"), false, None)
            .is_ok());
        assert_eq!(
            cal.check(shape, at("2026-03-02 09:15"), true, None),
            Ok((1, Some(7)))
        );
    }

    #[test]
    fn every_free_slot_passes_the_check_and_no_busy_time_is_offered() {
        let cal = calendar();
        let shape = SlotShape {
            duration: Duration::minutes(20),
            buffer: Duration::minutes(5),
        };
        let slots = cal.free_slots(
            shape,
            false,
            at("2026-03-02 00:00"),
            at("2026-03-03 00:00"),
            Duration::minutes(15),
            at("2000-01-01 00:00"),
        );
        assert!(!slots.is_empty());
        for (start, _) in &slots {
            assert!(cal.check(shape, *start, false, None).is_ok());
            assert!(!cal.practitioner_busy[0].overlaps(&shape.held(*start)));
        }
        assert_eq!(slots[0].0, at("2026-03-02 09:00"));
    }

    /// Property: over many random calendars, every offered start passes the booking
    /// check, none touches busy time, and every start on the grid that passes the
    /// check is offered (availability and booking can never disagree). Busy time and
    /// time off begin and end on any minute, off the grid as often as on it, so the
    /// search's skips past them are held to the check at every start.
    #[test]
    fn availability_and_the_booking_check_agree_on_random_calendars() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
        let day = at("2026-03-02 00:00");
        // (offered, refused in working hours): both must occur, or the test held nothing.
        let (mut offered_in_all, mut refused_in_all) = (0, 0);
        for _ in 0..2000 {
            let mut working = Vec::new();
            let mut t = day + Duration::minutes(rng.gen_range(0..6) * 60);
            for _ in 0..rng.gen_range(1..4) {
                let len = Duration::minutes(rng.gen_range(2..10) * 30);
                working.push((Interval::new(t, t + len).unwrap(), 1u8));
                t = t + len + Duration::minutes(rng.gen_range(0..4) * 30);
            }
            let busy = |rng: &mut rand::rngs::StdRng| -> Vec<Interval> {
                (0..rng.gen_range(0..10))
                    .map(|_| {
                        let (s, len) = if rng.gen_bool(0.5) {
                            (rng.gen_range(0..96) * 15, rng.gen_range(1..8) * 15)
                        } else {
                            (rng.gen_range(0..1440), rng.gen_range(1..150))
                        };
                        let s = day + Duration::minutes(s);
                        Interval::new(s, s + Duration::minutes(len)).unwrap()
                    })
                    .collect()
            };
            let cal = Calendar {
                working,
                time_off: busy(&mut rng).into_iter().take(2).collect(),
                practitioner_busy: busy(&mut rng),
                patient_busy: busy(&mut rng),
                rooms: vec![(1u8, 1u8, busy(&mut rng)), (1u8, 2u8, busy(&mut rng))],
            };
            let shape = SlotShape {
                duration: Duration::minutes(rng.gen_range(1..5) * 15),
                buffer: Duration::minutes(rng.gen_range(0..3) * 5),
            };
            let needs_room = rng.gen_bool(0.5);
            // Steps that divide a day, so the grid meets midnight as `align_up`'s does.
            let step = Duration::minutes([5, 10, 15, 20, 30, 45, 60][rng.gen_range(0..7)]);
            let not_before = day + Duration::minutes(rng.gen_range(0..3) * 200);
            let offered = cal.free_slots(
                shape,
                needs_room,
                day,
                day + Duration::days(1),
                step,
                not_before,
            );
            for (start, room) in &offered {
                let checked = cal.check(shape, *start, needs_room, None);
                assert!(checked.is_ok(), "offered {start} fails: {checked:?}");
                assert!(!cal
                    .practitioner_busy
                    .iter()
                    .any(|b| b.overlaps(&shape.held(*start))));
                assert!(!cal
                    .patient_busy
                    .iter()
                    .any(|b| b.overlaps(&shape.visit(*start))));
                assert_eq!(room.is_some(), needs_room);
            }
            let mut start = day;
            while start < day + Duration::days(1) {
                let checked = cal.check(shape, start, needs_room, None);
                let fits = start >= not_before && checked.is_ok();
                assert_eq!(fits, offered.iter().any(|(s, _)| *s == start), "{start}");
                offered_in_all += usize::from(fits);
                refused_in_all += usize::from(matches!(
                    checked,
                    Err(Misfit::TimeOff | Misfit::PractitionerBusy | Misfit::PatientBusy)
                ));
                start += step;
            }
        }
        assert!(
            offered_in_all > 10_000 && refused_in_all > 10_000,
            "{offered_in_all} {refused_in_all}"
        );
    }
}
