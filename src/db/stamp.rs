//! Timestamps as SQLite stores them, read and written without chrono's format
//! machinery.
//!
//! SQLite has no timestamp type: diesel keeps a `Timestamp` as text,
//! `%Y-%m-%d %H:%M:%S%.f`, and reads one back by trying eighteen chrono format strings in
//! turn. Each try parses its format string again, and each write does the same for
//! the encoding. On the hot paths that was 6–9 % of a free-slot search or of the
//! week's page (five timestamps an appointment row, each bound filter a sixth).
//! [`Stamp`] reads and writes the one shape diesel writes, byte for byte, and hands
//! anything else to chrono. On PostgreSQL it is diesel's own binary codec.
//!
//! Use it where a profile shows timestamps: `#[diesel(deserialize_as = Stamp)]` on
//! a queried field, `Stamp(t)` as a bound value, a `Stamp` field in an insert.
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Nullable, Timestamp};
use diesel::sqlite::Sqlite;

use super::MultiBackend;

/// A `Timestamp` column's value (UTC, naive, as every timestamp here is).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = Timestamp)]
pub struct Stamp(pub NaiveDateTime);

impl From<Stamp> for NaiveDateTime {
    fn from(stamp: Stamp) -> Self {
        stamp.0
    }
}

/// For `#[diesel(serialize_as = Stamp)]` on an inserted field.
impl From<NaiveDateTime> for Stamp {
    fn from(at: NaiveDateTime) -> Self {
        Stamp(at)
    }
}

/// A nullable `Timestamp` column's value, for `#[diesel(deserialize_as = OptStamp)]`
/// on an `Option<NaiveDateTime>` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct OptStamp(pub Option<NaiveDateTime>);

impl From<OptStamp> for Option<NaiveDateTime> {
    fn from(stamp: OptStamp) -> Self {
        stamp.0
    }
}

/// The text diesel writes for `at` (`%Y-%m-%d %H:%M:%S%.f`): the fraction is left out
/// when zero, else three, six or nine digits, the fewest that hold it exactly. Years
/// outside 0..=9999 and leap seconds, which chrono spells its own way, are `None`.
fn sqlite_text(at: NaiveDateTime) -> Option<String> {
    let year = at.year();
    let nano = at.nanosecond();
    if !(0..=9999).contains(&year) || nano >= 1_000_000_000 {
        return None;
    }
    let mut out = [0u8; 29];
    let mut put = |at: usize, value: u32, width: usize| {
        let mut v = value;
        for i in (0..width).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year.unsigned_abs(), 4);
    put(5, at.month(), 2);
    put(8, at.day(), 2);
    put(11, at.hour(), 2);
    put(14, at.minute(), 2);
    put(17, at.second(), 2);
    let len = if nano == 0 {
        19
    } else if nano % 1_000_000 == 0 {
        put(20, nano / 1_000_000, 3);
        23
    } else if nano % 1_000 == 0 {
        put(20, nano / 1_000, 6);
        26
    } else {
        put(20, nano, 9);
        29
    };
    out[4] = b'-';
    out[7] = b'-';
    out[10] = b' ';
    out[13] = b':';
    out[16] = b':';
    out[19] = b'.';
    // Every byte written is an ASCII digit or separator.
    String::from_utf8(out[..len].to_vec()).ok()
}

/// `YYYY-MM-DD HH:MM:SS` (or `T` between), with an optional fraction of 1–9 digits:
/// every shape diesel or this module writes. Anything else is `None`.
fn parse_sqlite_text(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let separators = b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b' ' || b[10] == b'T')
        && b[13] == b':'
        && b[16] == b':';
    if !separators {
        return None;
    }
    let nano = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let value = num(20..b.len())?;
            value * 10u32.pow(9 - u32::try_from(digits.len()).ok()?)
        }
        _ => return None,
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)?;
    let time = NaiveTime::from_hms_nano_opt(num(11..13)?, num(14..16)?, num(17..19)?, nano)?;
    Some(date.and_time(time))
}

/// The fast path for the shape this module and diesel write; anything else (another
/// shape, or a number of Julian days) is read by diesel's own codec, as before.
fn from_sqlite(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<NaiveDateTime> {
    if value.value_type() == Some(diesel::sqlite::SqliteType::Text) {
        if let Some(at) = parse_sqlite_text(value.read_text()) {
            return Ok(at);
        }
    }
    <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value)
}

impl ToSql<Timestamp, Sqlite> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        match sqlite_text(self.0) {
            Some(text) => {
                out.set_value(text);
                Ok(IsNull::No)
            }
            None => <NaiveDateTime as ToSql<Timestamp, Sqlite>>::to_sql(&self.0, out),
        }
    }
}

impl FromSql<Timestamp, Sqlite> for Stamp {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        from_sqlite(value).map(Stamp)
    }
}

impl ToSql<Timestamp, Pg> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDateTime as ToSql<Timestamp, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<Timestamp, Pg> for Stamp {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Stamp)
    }
}

impl ToSql<Timestamp, MultiBackend> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Timestamp, self));
        Ok(IsNull::No)
    }
}

impl FromSql<Timestamp, MultiBackend> for Stamp {
    fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Timestamp>()
    }
}

/// A NULL is `None`; any other value is read as [`Stamp`] reads it on that backend.
impl<DB: Backend> FromSql<Nullable<Timestamp>, DB> for OptStamp
where
    Stamp: FromSql<Timestamp, DB>,
{
    fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
        <Stamp as FromSql<Timestamp, DB>>::from_sql(value).map(|at| OptStamp(Some(at.0)))
    }
    fn from_nullable_sql(value: Option<DB::RawValue<'_>>) -> deserialize::Result<Self> {
        value.map_or(Ok(OptStamp(None)), Self::from_sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%F %T%.f").expect("a valid test time")
    }

    /// Written as diesel writes it, for every fraction length and the ends of the range.
    #[test]
    fn the_text_is_the_text_diesel_writes() {
        let cases = [
            "2026-12-06 09:00:00",
            "2026-12-06 09:00:00.5",
            "2026-12-06 23:59:59.123",
            "2026-12-06 23:59:59.000001",
            "2026-12-06 23:59:59.123456",
            "2026-12-06 23:59:59.000000001",
            "2026-12-06 23:59:59.987654321",
            "0000-01-01 00:00:00",
            "0001-02-28 12:34:56.010",
            "9999-12-31 23:59:59.999999999",
            "2024-02-29 00:00:00.100000",
        ];
        for case in cases {
            let t = at(case);
            let ours = sqlite_text(t).expect("in range");
            assert_eq!(ours, t.format("%F %T%.f").to_string(), "{case}");
            assert_eq!(parse_sqlite_text(&ours), Some(t), "{case}");
        }
    }

    /// What chrono spells its own way goes to chrono.
    #[test]
    fn years_beyond_four_digits_and_leap_seconds_are_left_to_chrono() {
        let far = NaiveDate::from_ymd_opt(10_000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("a valid date");
        assert_eq!(sqlite_text(far), None);
        let bc = NaiveDate::from_ymd_opt(-1, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("a valid date");
        assert_eq!(sqlite_text(bc), None);
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .expect("a valid leap second");
        assert_eq!(sqlite_text(leap), None);
    }

    /// Anything but the exact shape is refused by the fast path (and goes to diesel).
    #[test]
    fn other_shapes_are_not_read_by_the_fast_path() {
        for text in [
            "",
            "2026-12-06",
            "2026-12-06 09:00",
            "2026-12-06 09:00:00.",
            "2026-12-06 09:00:00.1234567890",
            "2026-12-06 09:00:00Z",
            "2026-12-06 09:00:00+01:00",
            "2026-13-06 09:00:00",
            "2026-02-30 09:00:00",
            "2026-12-06 24:00:00",
            "2026-12-06 09:60:00",
            "2026-12-06 09:00:60",
            "2026-12-06 09:00:00.+1",
            "2026-12-06 09:0a:00",
            "+026-12-06 09:00:00",
            "2026/12/06 09:00:00",
        ] {
            assert_eq!(parse_sqlite_text(text), None, "{text:?}");
        }
        assert_eq!(
            parse_sqlite_text("2026-12-06T09:00:00.25"),
            Some(at("2026-12-06 09:00:00.25"))
        );
    }

    /// A stored value goes in and comes out the same through a real SQLite file, and
    /// reads the same as diesel's own codec reads it (both directions).
    #[test]
    fn a_value_round_trips_through_sqlite_like_diesels_own() {
        use diesel::{Connection, RunQueryDsl};
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = dir.path().join("stamp.db");
        let mut conn =
            diesel::SqliteConnection::establish(&url.to_string_lossy()).expect("a SQLite file");
        for text in [
            "2026-12-06 09:00:00",
            "2026-12-06 09:00:00.123456",
            "2026-12-06 09:00:00.000000001",
            "2026-12-06 09:00:00+02:00",
            "2026-12-06T09:00Z",
        ] {
            let ours: Stamp = diesel::select(diesel::dsl::sql::<Timestamp>(&format!("'{text}'")))
                .get_result(&mut conn)
                .expect("read by Stamp");
            let theirs: NaiveDateTime =
                diesel::select(diesel::dsl::sql::<Timestamp>(&format!("'{text}'")))
                    .get_result(&mut conn)
                    .expect("read by diesel");
            assert_eq!(ours.0, theirs, "{text}");
        }
        let t = at("2026-12-06 23:59:59.000001");
        let stored: String = diesel::select(
            diesel::dsl::sql::<diesel::sql_types::Text>("").bind::<Timestamp, _>(Stamp(t)),
        )
        .get_result(&mut conn)
        .expect("written by Stamp");
        assert_eq!(stored, "2026-12-06 23:59:59.000001");
        let none: OptStamp = diesel::select(diesel::dsl::sql::<Nullable<Timestamp>>("NULL"))
            .get_result(&mut conn)
            .expect("a NULL");
        assert_eq!(none, OptStamp(None));
    }
}
