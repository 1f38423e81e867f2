//! One error type for every answer that is not a success, rendered as `application/problem+json`.
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::domain::{FieldError, LikelyDuplicate};

/// The problem document (RFC 9457) every error answers with.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// CSV import: rows that look like patients already on file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicates: Option<Vec<LikelyDuplicate>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized")]
    Unauthorized,
    #[error("a second factor is required")]
    TotpRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("payload too large")]
    PayloadTooLarge,
    /// The body did not arrive within its time limit.
    #[error("request timeout")]
    RequestTimeout,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 415 with its own explanation (an upload that is not what the route takes).
    #[error("wrong media type: {0}")]
    WrongMediaType(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A CSV import refused whole: per-row errors and likely duplicates.
    #[error("import refused")]
    ImportRejected {
        errors: Vec<FieldError>,
        duplicates: Vec<LikelyDuplicate>,
    },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable,
    /// Anything unexpected: logged once with its cause, answered opaquely.
    #[error("internal error: {0}")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(err.into())
    }

    fn slug_title_detail(&self) -> (&'static str, &'static str, String) {
        match self {
            ApiError::BadRequest(d) => ("bad-request", "Bad request", d.clone()),
            ApiError::Unauthorized => (
                "unauthorized",
                "Unauthorized",
                "Missing or invalid credentials.".into(),
            ),
            ApiError::TotpRequired => (
                "totp-required",
                "Unauthorized",
                "A valid one-time code (totp_code) is required for this account.".into(),
            ),
            ApiError::Forbidden => (
                "forbidden",
                "Forbidden",
                "Your role may not do this.".into(),
            ),
            ApiError::NotFound => ("not-found", "Not found", "No such resource.".into()),
            ApiError::MethodNotAllowed => (
                "method-not-allowed",
                "Method not allowed",
                "This resource does not accept that method.".into(),
            ),
            ApiError::Conflict(d) => ("conflict", "Conflict", d.clone()),
            ApiError::PreconditionFailed => (
                "precondition-failed",
                "Precondition failed",
                "The resource changed since you read it (If-Match is stale).".into(),
            ),
            ApiError::PayloadTooLarge => (
                "payload-too-large",
                "Payload too large",
                "The request body is larger than allowed.".into(),
            ),
            ApiError::RequestTimeout => (
                "request-timeout",
                "Request timeout",
                "The request body did not arrive in time.".into(),
            ),
            ApiError::UnsupportedMediaType => (
                "unsupported-media-type",
                "Unsupported media type",
                "Send the body as application/json.".into(),
            ),
            ApiError::WrongMediaType(d) => (
                "unsupported-media-type",
                "Unsupported media type",
                d.clone(),
            ),
            ApiError::Validation(_) => (
                "validation",
                "Unprocessable content",
                "One or more fields are invalid.".into(),
            ),
            ApiError::ImportRejected { errors, duplicates } => (
                "import-rejected",
                "Unprocessable content",
                format!(
                    "Nothing was imported: {} error(s) and {} likely duplicate(s).",
                    errors.len(),
                    duplicates.len()
                ),
            ),
            ApiError::TooManyRequests { .. } => (
                "too-many-requests",
                "Too many requests",
                "Too many attempts; try again later.".into(),
            ),
            ApiError::Unavailable => (
                "unavailable",
                "Service unavailable",
                "The service is temporarily unavailable; try again shortly.".into(),
            ),
            ApiError::Internal(_) => (
                "internal",
                "Internal server error",
                "Something went wrong on our side.".into(),
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title, detail) = self.slug_title_detail();
        Problem {
            problem_type: format!("urn:dermachart:problem:{slug}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors: match self {
                ApiError::Validation(errors) | ApiError::ImportRejected { errors, .. } => {
                    Some(errors.clone())
                }
                _ => None,
            },
            duplicates: match self {
                ApiError::ImportRejected { duplicates, .. } => Some(duplicates.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized | ApiError::TotpRequired => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType | ApiError::WrongMediaType(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            ApiError::Validation(_) | ApiError::ImportRejected { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            // Logged once, here; the answer stays opaque.
            tracing::error!(error = %format!("{cause:#}"), "internal error");
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.content_type("application/problem+json");
        match self {
            ApiError::TooManyRequests { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.max(&1).to_string()));
            }
            ApiError::Unavailable => {
                builder.insert_header((header::RETRY_AFTER, "2"));
            }
            ApiError::Unauthorized | ApiError::TotpRequired => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        let mut response = builder.json(self.problem());
        crate::security_headers::apply_security_headers(response.headers_mut());
        response
    }
}

/// The 409 a booking constraint of the database gives (PostgreSQL names the
/// exclusion constraint; SQLite's trigger raises its name as the message).
fn booking_conflict(info: &dyn diesel::result::DatabaseErrorInformation) -> Option<ApiError> {
    let named = |name: &str| info.constraint_name() == Some(name) || info.message().contains(name);
    let detail = if named("appointments_practitioner_overlap") {
        "The practitioner already has an appointment then."
    } else if named("appointments_room_overlap") {
        "The room is already booked then."
    } else if named("appointments_patient_overlap") {
        "The patient already has an appointment then."
    } else if named("appointments_one_follow_up_per_offset") {
        "The follow-up series is already booked."
    } else {
        return None;
    };
    Some(ApiError::Conflict(detail.into()))
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        if let Error::DatabaseError(_, info) = &err {
            if let Some(conflict) = booking_conflict(info.as_ref()) {
                return conflict;
            }
        }
        if let Some(cause) = unavailable_cause(&err) {
            return ApiError::unavailable(cause);
        }
        match err {
            Error::NotFound => ApiError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict("A record with the same unique value already exists.".into())
            }
            other => ApiError::internal(other),
        }
    }
}

/// The cause of a 503 whose connection was found closed.
const CLOSED_CONNECTION: &str = "closed_connection";

/// The kind of a database error that means "unavailable, try again" (a 503), if it
/// is one: the one place these are told apart (the handlers' errors and the writer's).
pub fn unavailable_cause(err: &diesel::result::Error) -> Option<&'static str> {
    use diesel::result::{DatabaseErrorKind, Error};
    if crate::db::connection_lost(err) {
        return Some(CLOSED_CONNECTION);
    }
    if let Error::RollbackErrorOnCommit { commit_error, .. } = err {
        return unavailable_cause(commit_error);
    }
    let Error::DatabaseError(kind, info) = err else {
        return None;
    };
    let message = info.message();
    match kind {
        // Transient on PostgreSQL: the client may simply retry.
        DatabaseErrorKind::SerializationFailure => Some("serialization_failure"),
        _ if message.contains("deadlock detected") => Some("deadlock"),
        _ if message.contains("database is locked") || message.contains("database is busy") => {
            Some("database_locked")
        }
        _ => None,
    }
}

impl ApiError {
    /// A 503, its cause logged once, here: the kind only (no statement, no values, no
    /// PHI). Every "database unavailable" answer is made here.
    pub fn unavailable(cause: &'static str) -> ApiError {
        tracing::warn!(cause, "database unavailable: answering 503");
        if cause == CLOSED_CONNECTION {
            crate::db::note_connection_lost();
        }
        ApiError::Unavailable
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(_: diesel::r2d2::PoolError) -> Self {
        // The pool gave up waiting for a connection: the database is down or saturated.
        ApiError::unavailable("pool_timeout")
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        ApiError::internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
