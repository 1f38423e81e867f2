//! Structured logs. Spans carry the route pattern and request id, never paths,
//! query strings or bodies (they can hold names and dates of birth).
use std::io::IsTerminal;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};
use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(colours(
            std::io::stdout().is_terminal(),
            std::env::var_os("NO_COLOR"),
        ))
        .try_init();
}

/// Colours (ANSI escape codes) only for a person at a terminal. A log file, journald
/// or a log collector would keep the codes as text around every timestamp, level and
/// field name; writing them cost ~8,300 instructions a request (14 % of `/healthz`'s,
/// callgrind, docs/benchmarks.md). `NO_COLOR` (no-color.org) turns them off at a
/// terminal too.
fn colours(stdout_is_terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    stdout_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// A root span per request without the raw URL.
pub struct PhiFreeSpan;

impl RootSpanBuilder for PhiFreeSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = crate::middleware::route_pattern(request.request());
        let route = route.as_deref().unwrap_or("unmatched");
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            request_id = %request_id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        if let Ok(response) = outcome {
            span.record("status", response.status().as_u16());
            tracing::info!(parent: &span, status = response.status().as_u16(), "answered");
        }
        let _ = DefaultRootSpanBuilder::on_request_end::<B>;
    }
}

#[cfg(test)]
mod tests {
    use super::colours;

    #[test]
    fn logs_are_coloured_only_at_a_terminal_without_no_color() {
        assert!(colours(true, None));
        assert!(colours(true, Some("".into())));
        assert!(!colours(true, Some("1".into())));
        assert!(!colours(false, None));
        assert!(!colours(false, Some("1".into())));
    }
}
