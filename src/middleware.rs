//! Cross-cutting answers: security headers, problem+json for every error, panics as 500s.
use std::panic::AssertUnwindSafe;
use std::rc::Rc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use futures_util::FutureExt;

use crate::error::ApiError;
use crate::security_headers::apply_security_headers;

/// The route pattern that matched the request's path (`/api/v1/patients/{id}`), or
/// `None` if none did. Several layers name the route (the log span, the metrics, the
/// guard's policy lookup, a 405's `Allow`); before routing, actix-web finds it by
/// trying the resource map's patterns in turn on every call, so it is found once per
/// request and kept in the request's extensions. The first call comes before routing
/// (the log span), so every layer names the route the policy judged, by path alone:
/// after routing, actix-web would name the resource the router chose with its method
/// guards (they differ only for a method the guard refuses before routing, such as
/// `GET /patients/import`).
pub fn route_pattern(req: &actix_web::HttpRequest) -> Option<Rc<str>> {
    if let Some(MatchedRoute(route)) = req.extensions().get::<MatchedRoute>() {
        return route.clone();
    }
    let route: Option<Rc<str>> = req.match_pattern().map(Rc::from);
    req.extensions_mut().insert(MatchedRoute(route.clone()));
    route
}

#[derive(Clone)]
struct MatchedRoute(Option<Rc<str>>);

/// Adds the security headers to every answer.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let tls = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .is_some_and(|s| s.settings.behind_tls);
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    apply_security_headers(headers);
    if tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    Ok(response)
}

fn generic_problem(status: actix_web::http::StatusCode) -> HttpResponse {
    let err = match status.as_u16() {
        400 => ApiError::BadRequest("The request is malformed.".into()),
        401 => ApiError::Unauthorized,
        403 => ApiError::Forbidden,
        404 => ApiError::NotFound,
        405 => ApiError::MethodNotAllowed,
        408 => ApiError::RequestTimeout,
        413 => ApiError::PayloadTooLarge,
        415 => ApiError::UnsupportedMediaType,
        422 => ApiError::Validation(vec![]),
        503 => ApiError::Unavailable,
        s if s < 500 => ApiError::BadRequest("The request cannot be served.".into()),
        _ => ApiError::internal(anyhow::anyhow!(
            "error answer {status} without a problem body"
        )),
    };
    let mut response = err.error_response();
    *response.status_mut() = status;
    response
}

/// Any error answer that is not already problem+json (router 404/405, framework
/// errors) becomes one, so no internal text ever reaches a client.
pub async fn problem_json(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(req).await?;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    let mut response = if (status.is_client_error() || status.is_server_error()) && !is_problem {
        let (req, _) = response.into_parts();
        ServiceResponse::new(req, generic_problem(status))
    } else {
        response.map_into_boxed_body()
    };
    if status == actix_web::http::StatusCode::METHOD_NOT_ALLOWED {
        allow_header(&mut response);
    }
    Ok(response)
}

/// A 405 names the methods the path does take (RFC 9110), from the policy table.
fn allow_header<B>(response: &mut ServiceResponse<B>) {
    let methods = route_pattern(response.request())
        .map(|p| crate::routes::openapi::allowed_methods(&p).join(", "))
        .unwrap_or_default();
    if let Ok(value) = HeaderValue::from_str(&methods) {
        response.headers_mut().insert(header::ALLOW, value);
    }
}

/// A panicking handler answers 500 problem+json instead of dropping the connection.
/// (The request cannot be kept aside here: routing needs it unshared, so the
/// error travels up and actix renders it through `ApiError::error_response`.)
pub async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result.map(|r| r.map_into_boxed_body()),
        Err(_) => Err(ApiError::internal(anyhow::anyhow!("a handler panicked")).into()),
    }
}

/// Records each request in the metrics under its route pattern (never the raw path, which holds ids).
pub async fn track_metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map(|s| s.metrics.clone());
    let route = route_pattern(req.request());
    let method = req.method().to_string();
    let started = std::time::Instant::now();
    let response = next.call(req).await?;
    if let Some(m) = metrics {
        m.record(
            &method,
            route.as_deref().unwrap_or("unmatched"),
            response.status().as_u16(),
            started.elapsed(),
        );
    }
    Ok(response)
}
