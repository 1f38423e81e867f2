//! `Idempotency-Key` (SPEC §2, §6): a retry with the same key answers the first
//! status and body and does nothing new, even when it races the original.
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::idempotency_keys;
use crate::db::types::UserId;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::state::AppState;

const HEADER: &str = "idempotency-key";
const KEEP_HOURS: i64 = 24;

/// A stored key: the request's hash, and the answer once there is one.
type StoredKey = (String, Option<i32>, Option<String>, chrono::NaiveDateTime);

/// A claim whose request never finished (the process died) may be taken over after this.
const ABANDONED_AFTER_SECS: i64 = 60;

/// What to do with a keyed request.
pub enum Claim {
    /// No key: just run it.
    NoKey,
    /// First time with this key: run it, then `finish`.
    Fresh { key: String },
    /// Seen before: answer this.
    Replay(HttpResponse),
}

fn stored_response(status: i32, body: Option<String>) -> HttpResponse {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    HttpResponse::build(status)
        .content_type(content_type)
        .insert_header(("idempotent-replay", "true"))
        .body(body.unwrap_or_default())
}

/// Claims the key for this user and request body, or finds the first answer.
pub async fn claim(
    state: &AppState,
    req: &HttpRequest,
    user: UserId,
    body: &impl serde::Serialize,
) -> Result<Claim, ApiError> {
    let Some(key) = req.headers().get(HEADER) else {
        return Ok(Claim::NoKey);
    };
    let key = key
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| {
            ApiError::BadRequest("Idempotency-Key must be 1 to 200 visible characters.".into())
        })?
        .to_owned();
    let hash = hex::encode(Sha256::digest(
        serde_json::to_vec(body).map_err(ApiError::internal)?,
    ));
    // A racing retry waits for the original to finish (it holds the key "in flight").
    for _ in 0..100 {
        let (k, h) = (key.clone(), hash.clone());
        let outcome = state
            .db(move |conn| {
                conn.write_transaction(|conn| -> Result<Option<StoredKey>, ApiError> {
                    let now = crate::db::now();
                    diesel::delete(
                        idempotency_keys::table
                            .filter(idempotency_keys::user_id.eq(user))
                            .filter(idempotency_keys::key.eq(&k))
                            .filter(
                                idempotency_keys::created_at
                                    .lt(now - chrono::Duration::hours(KEEP_HOURS)),
                            ),
                    )
                    .execute(conn)?;
                    let existing = idempotency_keys::table
                        .filter(idempotency_keys::user_id.eq(user))
                        .filter(idempotency_keys::key.eq(&k))
                        .select((
                            idempotency_keys::request_hash,
                            idempotency_keys::status_code,
                            idempotency_keys::response_body,
                            idempotency_keys::created_at,
                        ))
                        .first::<StoredKey>(conn)
                        .optional()?;
                    let abandoned = existing.as_ref().is_some_and(|(stored, status, _, at)| {
                        *stored == h
                            && status.is_none()
                            && *at < now - chrono::Duration::seconds(ABANDONED_AFTER_SECS)
                    });
                    if abandoned {
                        // Take the claim over: this request runs it afresh.
                        diesel::update(
                            idempotency_keys::table
                                .filter(idempotency_keys::user_id.eq(user))
                                .filter(idempotency_keys::key.eq(&k)),
                        )
                        .set(idempotency_keys::created_at.eq(now))
                        .execute(conn)?;
                        return Ok(None);
                    }
                    if existing.is_none() {
                        diesel::insert_into(idempotency_keys::table)
                            .values((
                                idempotency_keys::user_id.eq(user),
                                idempotency_keys::key.eq(&k),
                                idempotency_keys::request_hash.eq(&h),
                                idempotency_keys::created_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                    Ok(existing)
                })
            })
            .await;
        match outcome {
            Ok(None) => return Ok(Claim::Fresh { key }),
            Ok(Some((stored_hash, _, _, _))) if stored_hash != hash => {
                return Err(ApiError::validation(
                    "Idempotency-Key",
                    "was already used with a different request body",
                ))
            }
            Ok(Some((_, Some(status), body, _))) => {
                return Ok(Claim::Replay(stored_response(status, body)))
            }
            // In flight, or the insert raced another: look again shortly.
            Ok(Some((_, None, _, _))) | Err(ApiError::Conflict(_)) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(other) => return Err(other),
        }
    }
    Err(ApiError::Conflict(
        "A request with this Idempotency-Key is still in progress.".into(),
    ))
}

/// Stores the answer for later retries (4xx included; a 5xx frees the key to try again).
pub async fn finish(
    state: &AppState,
    user: UserId,
    key: String,
    status: StatusCode,
    body: String,
) -> Result<(), ApiError> {
    state
        .db(move |conn| {
            forget_or_store(conn, user, &key, status, &body)?;
            Ok(())
        })
        .await
}

fn forget_or_store(
    conn: &mut DbConnection,
    user: UserId,
    key: &str,
    status: StatusCode,
    body: &str,
) -> QueryResult<usize> {
    let target = idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(user))
        .filter(idempotency_keys::key.eq(key));
    if status.is_server_error() {
        diesel::delete(target).execute(conn)
    } else {
        diesel::update(target)
            .set((
                idempotency_keys::status_code.eq(i32::from(status.as_u16())),
                idempotency_keys::response_body.eq(body),
            ))
            .execute(conn)
    }
}
