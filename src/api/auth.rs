//! Login, password and TOTP bodies.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::users::User;
use crate::db::types::UserId;

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// The token is returned in the body (API clients).
    #[default]
    Bearer,
    /// The token is set as an HttpOnly cookie (the web UI) and not returned.
    Cookie,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    pub totp_code: Option<String>,
    #[serde(default)]
    pub session: SessionKind,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Absent when `session` was `cookie`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpEnroll {
    pub current_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrollment {
    pub secret_base32: String,
    pub otpauth_uri: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirm {
    pub current_password: String,
    pub code: String,
}

/// `POST /patients/{id}/portal-account`: the link goes by email, never in the answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalAccount {
    pub user_id: UserId,
    /// When the emailed set-password link stops working.
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub token: String,
    pub new_password: String,
}
