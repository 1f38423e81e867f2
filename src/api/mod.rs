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
