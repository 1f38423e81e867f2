//! `?limit=&cursor=` paging (SPEC §2): default 50, at most 200, opaque cursors.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// The limit a client asked for, clamped; below 1 is a 422.
pub fn limit(requested: Option<i64>) -> Result<i64, ApiError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if n < 1 => Err(ApiError::validation("limit", "must be at least 1")),
        Some(n) => Ok(n.min(MAX_LIMIT)),
    }
}

/// `?limit=` as sent: any whole number, however large (clamped later rather than
/// refused), or nothing. Text that is not a number is still a 400.
pub fn lenient_limit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(serde::de::Error::custom("limit must be a whole number"));
    }
    Ok(Some(digits.parse::<i64>().map_or(
        if negative { i64::MIN } else { i64::MAX },
        |n| if negative { -n } else { n },
    )))
}

/// `?cursor=` as sent; an empty one is no cursor (the first page).
pub fn optional_cursor<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|c| !c.is_empty()))
}

/// The position after the last item of a page ordered by (time, id) descending.
#[derive(Debug, Serialize, Deserialize)]
pub struct TimeCursor {
    pub t: NaiveDateTime,
    pub id: uuid::Uuid,
}

impl TimeCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(text: Option<&str>) -> Result<Option<TimeCursor>, ApiError> {
        let Some(text) = text else { return Ok(None) };
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .map(Some)
            .ok_or_else(|| ApiError::BadRequest("The cursor is not valid.".into()))
    }
}

/// A cursor that is a plain sequence number (the audit log).
pub fn decode_seq_cursor(text: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(text) = text else { return Ok(None) };
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest("The cursor is not valid.".into()))
}

pub fn encode_seq_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(seq.to_string())
}

/// Splits a page fetched with `limit + 1` rows into the items and whether more follow.
pub fn split_page<T>(mut rows: Vec<T>, limit: i64) -> (Vec<T>, bool) {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}
