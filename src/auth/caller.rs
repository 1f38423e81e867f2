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
    /// Whether this caller may reach the record of `patient` at all: a patient only
    /// their own (anyone else's answers like an id that does not exist); staff any —
    /// which parts of it their role may see is the policy table's and the views' call.
    /// The one "is this the caller's own patient" check outside `/me` (where `Me`
    /// already carries only the caller's own id).
    pub fn may_reach(&self, patient: PatientId) -> bool {
        self.role != Role::Patient || self.patient_id == Some(patient)
    }

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

/// A patient and their own patient id, from the session: every `/me` route takes this
/// instead of `Caller`, so the id a `/me` handler works on can only be the caller's own
/// (never one from the path, query or body). A login without a patient record — which
/// the policy table keeps away from `/me` anyway — answers 404.
#[derive(Debug, Clone)]
pub struct Me {
    pub caller: Caller,
    pub patient: PatientId,
}

impl Me {
    /// Runs a read of the patient's own record and writes its audit row (`read` of
    /// `entity_type`, by the patient, for their own chart) before answering: every
    /// `/me` read goes through here, so none is answered unaudited.
    pub async fn read<T, F>(
        &self,
        state: &crate::state::AppState,
        entity_type: &'static str,
        entity_id: Option<String>,
        work: F,
    ) -> Result<T, ApiError>
    where
        F: FnOnce(&mut crate::db::DbConnection, PatientId) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let patient = self.patient;
        let value = state.db(move |conn| work(conn, patient)).await?;
        self.audit_read(state, entity_type, entity_id).await?;
        Ok(value)
    }

    /// Writes the audit row of a read of the patient's own record that was served
    /// without `read` (streamed files, say).
    pub async fn audit_read(
        &self,
        state: &crate::state::AppState,
        entity_type: &'static str,
        entity_id: Option<String>,
    ) -> Result<(), ApiError> {
        state
            .audit
            .record(self.caller.event(
                AuditAction::Read,
                entity_type,
                entity_id,
                Some(self.patient),
            ))
            .await
    }
}

impl FromRequest for Me {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(
            Caller::from_request(req, payload)
                .into_inner()
                .and_then(|caller| {
                    let patient = caller.patient_id.ok_or(ApiError::NotFound)?;
                    Ok(Me { caller, patient })
                }),
        )
    }
}
