//! `Idempotency-Key` (SPEC §2, §6): a retry with the same key answers the first
//! status, headers and body and does nothing new, even when it races the original
//! on another app server or comes after the server that took it crashed.
//!
//! The key's row is written in the same transaction as the write it answers for, so
//! the two commit together: there is no "in progress" claim that could outlive a dead
//! server. A concurrent request with the same key waits on the key's row (PostgreSQL's
//! unique index, SQLite's write lock) and then replays the committed answer.
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::audit::AuditEvent;
use crate::db::schema::idempotency_keys;
use crate::db::types::UserId;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::state::AppState;

const HEADER: &str = "idempotency-key";
const KEEP_HOURS: i64 = 24;

/// The headers an answer keeps for its replays.
const KEPT_HEADERS: [&str; 2] = ["etag", "location"];

/// A keyed write's answer, as first given and as replayed.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    /// (lower-case name, value) of the headers in `KEPT_HEADERS`.
    pub headers: Vec<(String, String)>,
    /// JSON (a problem document for a refusal).
    pub body: String,
}

impl Answer {
    pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Result<Answer, ApiError> {
        Ok(Answer {
            status,
            headers: Vec::new(),
            body: serde_json::to_string(value).map_err(ApiError::internal)?,
        })
    }

    pub fn header(mut self, name: &str, value: String) -> Answer {
        self.headers.push((name.to_ascii_lowercase(), value));
        self
    }

    /// A refusal (4xx) as its problem document.
    fn refusal(err: &ApiError) -> Result<Answer, ApiError> {
        Answer::json(err.status_code(), &err.problem())
    }

    fn into_response(self, replay: bool) -> HttpResponse {
        let content_type = if self.status.is_success() {
            "application/json"
        } else {
            "application/problem+json"
        };
        let mut builder = HttpResponse::build(self.status);
        builder.content_type(content_type);
        for (name, value) in &self.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                builder.insert_header((n, v));
            }
        }
        if replay {
            builder.insert_header(("idempotent-replay", "true"));
        }
        builder.body(self.body)
    }
}

/// The request's key, if it sent one.
fn key_of(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(key) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    key.to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .map(|k| Some(k.to_owned()))
        .ok_or_else(|| {
            ApiError::BadRequest("Idempotency-Key must be 1 to 200 visible characters.".into())
        })
}

/// A stored key: the request's hash, and the answer.
type StoredKey = (String, Option<i32>, Option<String>, Option<String>);

/// Runs a write that honours `Idempotency-Key`: `work` runs in one audited write
/// transaction with the key's answer. Without a key it is an ordinary audited write.
/// With one, the first request's answer (a 2xx, or a 4xx refusal) is committed with
/// the write; a retry, even a concurrent one or one after a crash, gets exactly that
/// answer back. A 5xx stores nothing, so the client may try again.
pub async fn run<B, F>(
    state: &AppState,
    req: &HttpRequest,
    user: UserId,
    body: &B,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    B: serde::Serialize,
    F: FnOnce(&mut DbConnection, &mut Vec<AuditEvent>) -> Result<Answer, ApiError> + Send + 'static,
{
    let Some(key) = key_of(req)? else {
        return Ok(state.write(work).await?.into_response(false));
    };
    let hash = hex::encode(Sha256::digest(
        serde_json::to_vec(body).map_err(ApiError::internal)?,
    ));
    let (answer, replay) = state
        .write(move |conn, audit| keyed(conn, audit, user, &key, &hash, work))
        .await?;
    Ok(answer.into_response(replay))
}

/// Inside the transaction: claim the key (waiting for a concurrent holder), replay a
/// committed answer, or run the work in a savepoint and store what it answered.
fn keyed<F>(
    conn: &mut DbConnection,
    audit: &mut Vec<AuditEvent>,
    user: UserId,
    key: &str,
    hash: &str,
    work: F,
) -> Result<(Answer, bool), ApiError>
where
    F: FnOnce(&mut DbConnection, &mut Vec<AuditEvent>) -> Result<Answer, ApiError>,
{
    let now = crate::db::now();
    let this = idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(user))
        .filter(idempotency_keys::key.eq(key));
    diesel::delete(
        this.filter(idempotency_keys::created_at.lt(now - chrono::Duration::hours(KEEP_HOURS))),
    )
    .execute(conn)?;
    let claim = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(hash),
            idempotency_keys::created_at.eq(now),
        ))
        .on_conflict_do_nothing();
    // On PostgreSQL this waits while another transaction holds the same key
    // uncommitted, then inserts nothing if that one committed.
    let claimed = match conn {
        DbConnection::Postgres(pg) => claim.execute(pg)?,
        DbConnection::Sqlite(c) => claim.execute(c)?,
    };
    if claimed == 0 {
        let (stored_hash, status, body, headers) = this
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::status_code,
                idempotency_keys::response_body,
                idempotency_keys::response_headers,
            ))
            .first::<StoredKey>(conn)?;
        if stored_hash != hash {
            return Err(ApiError::validation(
                "Idempotency-Key",
                "was already used with a different request body",
            ));
        }
        if let Some(status) = status {
            return Ok((stored(status, body, headers), true));
        }
        // A claim without an answer was left by an older version that claimed keys
        // in a transaction of their own: this request runs it now.
    }
    // The work runs in a savepoint: a refusal undoes its changes but keeps the key,
    // whose stored answer is then the refusal.
    let mut events = Vec::new();
    let answer = match conn.transaction(|conn| work(conn, &mut events)) {
        Ok(answer) => {
            audit.append(&mut events);
            answer
        }
        Err(err) if err.status_code().is_client_error() => Answer::refusal(&err)?,
        Err(err) => return Err(err),
    };
    let headers = serde_json::to_string(&answer.headers).map_err(ApiError::internal)?;
    diesel::update(this)
        .set((
            idempotency_keys::status_code.eq(i32::from(answer.status.as_u16())),
            idempotency_keys::response_body.eq(&answer.body),
            idempotency_keys::response_headers.eq(headers),
        ))
        .execute(conn)?;
    Ok((answer, false))
}

fn stored(status: i32, body: Option<String>, headers: Option<String>) -> Answer {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let headers: Vec<(String, String)> = headers
        .and_then(|h| serde_json::from_str(&h).ok())
        .unwrap_or_default();
    Answer {
        status,
        headers: headers
            .into_iter()
            .filter(|(name, _)| KEPT_HEADERS.contains(&name.as_str()))
            .collect(),
        body: body.unwrap_or_default(),
    }
}
