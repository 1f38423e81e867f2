//! The guard in front of every API route: resolves the session, refuses cross-site
//! cookie requests, and applies the route policy, auditing every refusal.
use std::net::{IpAddr, SocketAddr};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};

use super::caller::{Caller, RequestContext};
use super::policy::{self, Access, Lookup};
use super::session::{self, COOKIE_NAME};
use crate::audit::AuditAction;
use crate::config::Settings;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::state::AppState;

/// The client's address: the socket peer, or the forwarded address when the peer
/// is a trusted proxy.
pub fn client_ip(req: &ServiceRequest, settings: &Settings) -> String {
    let peer = req.peer_addr().map(|a: SocketAddr| a.ip());
    if let Some(peer_ip) = peer {
        if settings.is_trusted_proxy(peer_ip) {
            let forwarded = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter_map(|s| s.parse::<IpAddr>().ok())
                        .rev()
                        .find(|ip| !settings.is_trusted_proxy(*ip))
                });
            if let Some(ip) = forwarded {
                return ip.to_string();
            }
        }
        return peer_ip.to_string();
    }
    "unknown".to_owned()
}

enum Credential {
    Bearer(String),
    Cookie(String),
}

fn credential(req: &ServiceRequest) -> Option<Credential> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let text = value.to_str().unwrap_or_default();
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .unwrap_or_default()
            .trim();
        return Some(Credential::Bearer(token.to_owned()));
    }
    req.cookie(COOKIE_NAME)
        .map(|c| Credential::Cookie(c.value().to_owned()))
}

/// `scheme://host[:port]` of a URL, lower-cased, default ports left out, so that
/// two spellings of one origin compare equal. `None` if it is not a URL.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    // Credentials in a URL are never part of an origin.
    let authority = authority.rsplit('@').next()?.to_owned();
    if authority.is_empty() {
        return None;
    }
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => "",
    };
    let authority = if default_port.is_empty() {
        authority
    } else {
        authority
            .strip_suffix(default_port)
            .map(str::to_owned)
            .unwrap_or(authority)
    };
    Some(format!("{scheme}://{authority}"))
}

/// A cookie-authenticated unsafe request must come from our own origin (CSRF
/// defence): the `Origin` is compared with `PUBLIC_URL`, never with what the
/// request says about itself (`Host`, `X-Forwarded-Host`, `Forwarded` are the
/// client's to choose) — except that a trusted proxy's forwarded host and scheme
/// name the origin it serves.
fn same_origin(req: &ServiceRequest, settings: &Settings) -> bool {
    match req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    {
        Some(origin) => {
            let Some(origin) = origin_of(origin) else {
                return false;
            };
            if origin_of(&settings.public_url).is_some_and(|ours| ours == origin) {
                return true;
            }
            let behind_trusted_proxy = req
                .peer_addr()
                .is_some_and(|peer| settings.is_trusted_proxy(peer.ip()));
            behind_trusted_proxy && {
                let info = req.connection_info();
                origin_of(&format!("{}://{}", info.scheme(), info.host()))
                    .is_some_and(|forwarded| forwarded == origin)
            }
        }
        // Browsers send Origin on every cross-origin POST; without it, require the
        // fetch metadata to say same-origin.
        None => req
            .headers()
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "same-origin"),
    }
}

/// Percent-decodes a path (invalid escapes are kept as they are).
fn decoded_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn refuse(req: ServiceRequest, err: ApiError) -> ServiceResponse<BoxBody> {
    let response = err.error_response();
    req.into_response(response)
}

pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    };
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string())
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let context = RequestContext {
        request_id,
        ip: client_ip(&req, &state.settings),
    };
    req.extensions_mut().insert(context.clone());

    // The router matches the percent-decoded path while the policy lookup sees the
    // raw one; an escaped API path (`/api/v1/%61udit`, `/%61pi/…`) could slip past
    // the policy. No API path needs escapes, so any escape that decodes into one is
    // refused outright.
    if req.path().contains('%')
        && decoded_path(req.path())
            .to_ascii_lowercase()
            .starts_with("/api")
    {
        return Ok(refuse(req, ApiError::NotFound));
    }
    if !req.path().starts_with("/api/") {
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    }
    let access = match crate::middleware::route_pattern(req.request()) {
        None => None,
        Some(pattern) => match policy::lookup(req.method().as_str(), &pattern) {
            Lookup::Found(access) => Some(access),
            // A wrong method is 405 — except to a patient, who learns nothing (404).
            Lookup::OtherMethod => Some(Access::OtherMethod),
            Lookup::Unclassified => {
                // Fail closed: a route nobody classified is not served.
                tracing::error!(route = %pattern, "route missing from the policy table");
                return Ok(refuse(req, ApiError::NotFound));
            }
        },
    };
    if access.is_none() || access == Some(Access::Public) {
        // Unknown routes fall through to the router's 404.
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    }
    let access = access.unwrap_or(Access::AnyUser);

    let Some(cred) = credential(&req) else {
        return Ok(refuse(req, ApiError::Unauthorized));
    };
    let (token, via_cookie) = match cred {
        Credential::Bearer(t) => (t, false),
        Credential::Cookie(t) => (t, true),
    };
    let settings = state.settings.clone();
    let resolved = state
        .lookup(move |conn| Ok(session::resolve(conn, &settings, &token)?))
        .await;
    let (found, upkeep) = match resolved {
        Ok(resolved) => resolved,
        Err(err) => return Ok(refuse(req, err)),
    };
    if let Some(claim) = upkeep.and_then(|upkeep| state.touches.claim(upkeep)) {
        let upkeep = claim.upkeep;
        let written = state
            .write(move |conn, _| Ok(session::upkeep(conn, upkeep)?))
            .await;
        drop(claim);
        if let Err(err) = written {
            return Ok(refuse(req, err));
        }
    }
    let Some((session_row, user)) = found else {
        return Ok(refuse(req, ApiError::Unauthorized));
    };
    let role = user.role;
    let caller = Caller {
        user_id: user.id,
        role,
        display_name: user.display_name,
        patient_id: user.patient_id,
        session_id: session_row.id,
        via_cookie,
        context,
    };

    if access == Access::OtherMethod && role != Role::Patient {
        return Ok(refuse(req, ApiError::MethodNotAllowed));
    }

    if via_cookie && !is_safe(req.method()) && !same_origin(&req, &state.settings) {
        let event = caller.event(AuditAction::AccessDenied, "cross_site_request", None, None);
        if let Err(err) = state.audit.record(event).await {
            return Ok(refuse(req, err));
        }
        return Ok(refuse(req, ApiError::Forbidden));
    }

    if !access.allows(role) {
        let route = format!(
            "{} {}",
            req.method(),
            crate::middleware::route_pattern(req.request()).unwrap_or_default()
        );
        let event = caller.event(AuditAction::AccessDenied, "route", Some(route), None);
        if let Err(err) = state.audit.record(event).await {
            return Ok(refuse(req, err));
        }
        // A patient learns nothing about what exists outside their own record.
        let err = if role == Role::Patient {
            ApiError::NotFound
        } else {
            ApiError::Forbidden
        };
        return Ok(refuse(req, err));
    }

    let refused_to_patient = (role == Role::Patient).then(|| caller.clone());
    req.extensions_mut().insert(caller);
    let response = next.call(req).await?.map_into_boxed_body();
    // A patient's 404 inside an allowed route (another patient's id, or one that does
    // not exist: the two are indistinguishable on purpose) is a refused access too.
    if let Some(caller) = refused_to_patient {
        if response.status() == actix_web::http::StatusCode::NOT_FOUND {
            let request = response.request();
            // The probed id is named too (only when it is a UUID, so never free text).
            let probed = request
                .match_info()
                .get("id")
                .and_then(|id| id.parse::<uuid::Uuid>().ok())
                .map(|id| format!(" {id}"))
                .unwrap_or_default();
            let route = format!(
                "{} {}{probed}",
                request.method(),
                crate::middleware::route_pattern(request).unwrap_or_default()
            );
            let event = caller.event(AuditAction::AccessDenied, "route", Some(route), None);
            if let Err(err) = state.audit.record(event).await {
                let (req, _) = response.into_parts();
                return Ok(ServiceResponse::new(req, err.error_response()));
            }
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origins_compare_by_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://Clinic.Example:443/app/").as_deref(),
            Some("https://clinic.example")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_ne!(
            origin_of("http://clinic.example"),
            origin_of("https://clinic.example")
        );
        assert_eq!(origin_of("null"), None);
    }
}
