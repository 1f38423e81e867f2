//! Request and response bodies (serde), separate from the database rows.
pub mod adverse;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clinic;
pub mod consents;
pub mod entered_in_error;
pub mod me;
pub mod measurements;
pub mod notes;
pub mod pagination;
pub mod patient_record;
pub mod patients;
pub mod photos;
pub mod samples;
pub mod users;

/// Deserialises a JSON Merge Patch field: absent → `None`, `null` → `Some(None)`, value → `Some(Some(v))`.
pub fn merge_patch_field<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// An instant from a client, as stored (naive UTC), if it is in a plausible range:
/// years 1900–9999 (so no arithmetic on it can overflow, and SQLite's text
/// timestamps keep sorting correctly). 422 naming the field otherwise.
pub fn plausible(
    field: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::NaiveDateTime, crate::error::ApiError> {
    use chrono::Datelike;
    if (1900..=9999).contains(&at.year()) {
        // Both databases keep microseconds; keep no more, so hashes and answers agree.
        Ok(chrono::SubsecRound::trunc_subsecs(at.naive_utc(), 6))
    } else {
        Err(crate::error::ApiError::validation(
            field,
            "must be between the years 1900 and 9999",
        ))
    }
}

/// RFC 3339 with offset (UTC) for an instant stored as naive UTC.
pub fn instant(at: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_naive_utc_and_offset(at, chrono::Utc)
}

/// Writes an instant exactly as chrono's own `Serialize` does (RFC 3339, `Z`, as many
/// fractional digits as the value needs: chrono's `write_rfc3339` with
/// `SecondsFormat::AutoSi`, which `to_rfc3339_opts` calls too), but through one string
/// instead of a formatter that serde_json escapes a character at a time: ~1,700 fewer
/// instructions a timestamp. For the bodies served in bulk (a free-slot list, a
/// calendar week, a patient): `#[serde(serialize_with = "crate::api::rfc3339")]`.
pub fn rfc3339<S: serde::Serializer>(
    at: &chrono::DateTime<chrono::Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};

    #[derive(serde::Serialize)]
    struct Ours(#[serde(serialize_with = "super::rfc3339")] DateTime<Utc>);

    /// `rfc3339` writes what chrono's own `Serialize` writes, whatever the fraction
    /// (none, milli, micro, nano), the year (0 to 9999 and beyond, signed) or a leap
    /// second.
    #[test]
    fn instants_are_written_as_chrono_writes_them() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a date");
        let mut cases = vec![
            day(2026, 12, 23).and_hms_opt(9, 0, 0),
            day(2026, 12, 23).and_hms_milli_opt(9, 0, 0, 120),
            day(2026, 12, 23).and_hms_micro_opt(23, 59, 59, 123_456),
            day(2026, 12, 23).and_hms_nano_opt(0, 0, 1, 7),
            day(2016, 12, 31).and_hms_milli_opt(23, 59, 59, 1_500),
            day(1, 1, 1).and_hms_opt(0, 0, 0),
            day(9999, 12, 31).and_hms_opt(23, 59, 59),
            day(10_000, 1, 1).and_hms_opt(0, 0, 0),
            day(-1, 1, 1).and_hms_opt(0, 0, 0),
        ];
        // A spread of ordinary instants, some with each kind of fraction.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let secs = i64::try_from(x % 4_000_000_000).unwrap_or_default();
            let nanos = match x % 4 {
                0 => 0,
                1 => (x % 1_000) as u32 * 1_000_000,
                2 => (x % 1_000_000) as u32 * 1_000,
                _ => (x % 1_000_000_000) as u32,
            };
            cases.push(DateTime::from_timestamp(secs, nanos).map(|t| t.naive_utc()));
        }
        for naive in cases {
            let at = crate::api::instant(naive.expect("a valid instant"));
            assert_eq!(
                serde_json::to_string(&Ours(at)).expect("ours"),
                serde_json::to_string(&at).expect("chrono's"),
            );
        }
    }
}
