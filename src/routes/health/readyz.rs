//! `GET /readyz`.
use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::state::AppState;

/// The database answers (503 quickly when it does not).
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.database_answers().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Err(_) => HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, "2"))
            .content_type("application/problem+json")
            .json(crate::error::ApiError::Unavailable.problem()),
    }
}
