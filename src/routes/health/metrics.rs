//! `GET /metrics`.
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::state::AppState;

use super::constant_time_eq;

/// Prometheus text, for allowed peers or the metrics token only.
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let settings = &state.settings;
    let peer_ok = req.peer_addr().is_some_and(|a| {
        settings
            .metrics_allow
            .iter()
            .any(|net| net.contains(&a.ip()))
    });
    let token_ok = settings.metrics_token.as_deref().is_some_and(|expected| {
        req.headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| constant_time_eq(given.as_bytes(), expected.as_bytes()))
    });
    if !(peer_ok || token_ok) {
        use actix_web::ResponseError;
        return crate::error::ApiError::NotFound.error_response();
    }
    let state_pool = state.pool.state();
    state.metrics.set_pool(
        i64::from(state_pool.connections),
        i64::from(state_pool.idle_connections),
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
