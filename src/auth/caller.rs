//! The signed-in user and the request's context, as the guard middleware resolved them.
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{ready, Ready};

use crate::audit::{AuditAction, AuditEvent};
use crate::db::types::{PatientId, SessionId, UserId};
use crate::domain::role::Role;
use crate::error::ApiError;

/// Where a request came from: for the audit log and the login throttle.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub ip: String,
}

impl RequestContext {
    /// An audit event with no actor (a failed login, say).
    pub fn anonymous_event(&self, action: AuditAction, entity_type: &'static str) -> AuditEvent {
        AuditEvent {
            actor_id: None,
            actor_role: None,
            action,
            entity_type,
            entity_id: None,
            patient_id: None,
            ip: Some(self.ip.clone()),
            request_id: Some(self.request_id.clone()),
        }
    }
}

impl FromRequest for RequestContext {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<RequestContext>()
                .cloned()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no request context"))),
        )
    }
}

/// A user with a live session.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: UserId,
    pub role: Role,
    pub display_name: String,
    pub patient_id: Option<PatientId>,
    pub session_id: SessionId,
    pub via_cookie: bool,
    pub context: RequestContext,
}

impl Caller {
    /// An audit event by this caller.
    pub fn event(
        &self,
        action: AuditAction,
        entity_type: &'static str,
        entity_id: Option<String>,
        patient_id: Option<PatientId>,
    ) -> AuditEvent {
        AuditEvent {
            actor_id: Some(self.user_id),
            actor_role: Some(self.role),
            action,
            entity_type,
            entity_id,
            patient_id,
            ip: Some(self.context.ip.clone()),
            request_id: Some(self.context.request_id.clone()),
        }
    }

    /// Audit event about one patient's data.
    pub fn patient_event(&self, action: AuditAction, patient_id: PatientId) -> AuditEvent {
        self.event(
            action,
            "patient",
            Some(patient_id.to_string()),
            Some(patient_id),
        )
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Caller>()
                .cloned()
                .ok_or(ApiError::Unauthorized),
        )
    }
}
