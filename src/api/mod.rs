//! Request and response bodies (serde), separate from the database rows.
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod clinic;
pub mod pagination;
pub mod patients;
pub mod users;

/// Deserialises a JSON Merge Patch field: absent → `None`, `null` → `Some(None)`, value → `Some(Some(v))`.
pub fn merge_patch_field<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// RFC 3339 with offset (UTC) for an instant stored as naive UTC.
pub fn instant(at: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_naive_utc_and_offset(at, chrono::Utc)
}
