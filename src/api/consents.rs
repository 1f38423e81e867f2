//! Consent-template and consent bodies. The signature image is never echoed back.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::consents::{ConsentRow, TemplateRow};
use crate::db::types::{
    ConsentFamilyId, ConsentId, ConsentTemplateId, PatientId, ServiceId, UserId,
};
use crate::domain::consent::{ConsentScope, ConsentStatus};

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentTemplate {
    pub id: ConsentTemplateId,
    pub family_id: ConsentFamilyId,
    pub version: i32,
    pub service_id: Option<ServiceId>,
    pub title: String,
    pub body_markdown: String,
    pub risks: Vec<String>,
    pub scope: ConsentScope,
    pub requires_reconsent: bool,
    pub valid_for_days: Option<i32>,
    pub created_at: DateTime<Utc>,
}

impl From<TemplateRow> for ConsentTemplate {
    fn from(r: TemplateRow) -> Self {
        ConsentTemplate {
            risks: r.risks(),
            scope: r.scope,
            id: r.id,
            family_id: r.family_id,
            version: r.version,
            service_id: r.service_id,
            title: r.title,
            body_markdown: r.body_markdown,
            requires_reconsent: r.requires_reconsent,
            valid_for_days: r.valid_for_days,
            created_at: super::instant(r.created_at),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTemplate {
    pub service_id: Option<ServiceId>,
    pub title: String,
    pub body_markdown: String,
    #[serde(default)]
    pub risks: Vec<String>,
    pub scope: ConsentScope,
    /// Accepted for the SPEC's field list; the server numbers versions itself.
    pub version: Option<i32>,
    #[serde(default)]
    pub requires_reconsent: bool,
    pub valid_for_days: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Consent {
    pub id: ConsentId,
    pub patient_id: PatientId,
    pub template_id: ConsentTemplateId,
    pub family_id: ConsentFamilyId,
    pub template_version: i32,
    pub scope: ConsentScope,
    pub title: String,
    pub status: ConsentStatus,
    pub requested_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardian_name: Option<String>,
    pub has_signature: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_text_sha256: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    /// The staff member who took the signature; `null` when the patient signed in
    /// the portal (or is not shown to front desk).
    pub collected_by: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness_id: Option<UserId>,
    pub witnessed_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
    pub version: i64,
}

impl Consent {
    /// What front desk sees: the status and dates, not who signed, what, or why it was revoked.
    pub fn for_front_desk(mut self) -> Consent {
        self.signer_name = None;
        self.signer_kind = None;
        self.guardian_name = None;
        self.signed_text = None;
        self.signed_text_sha256 = None;
        self.collected_by = None;
        self.witness_id = None;
        self.revoked_reason = None;
        self
    }

    pub fn from_rows(r: ConsentRow, t: &TemplateRow, now: chrono::NaiveDateTime) -> Consent {
        let status = r.facts(t.version).status_at(now);
        Consent {
            id: r.id,
            patient_id: r.patient_id,
            template_id: r.template_id,
            family_id: r.family_id,
            template_version: t.version,
            scope: t.scope,
            title: t.title.clone(),
            status,
            requested_at: super::instant(r.requested_at),
            signer_name: r.signer_name,
            signer_kind: r.signer_kind,
            guardian_name: r.guardian_name,
            has_signature: r.signature_png.is_some(),
            signed_text: r.signed_text,
            signed_text_sha256: r.signed_text_sha256,
            signed_at: r.signed_at.map(super::instant),
            collected_by: r.collected_by,
            witness_id: r.witness_id,
            witnessed_at: r.witnessed_at.map(super::instant),
            expires_at: r.expires_at.map(super::instant),
            revoked_at: r.revoked_at.map(super::instant),
            revoked_reason: r.revoked_reason,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestConsent {
    /// Any version of the family; the latest version is issued.
    pub template_id: ConsentTemplateId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignerKind {
    Patient,
    Guardian,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignConsent {
    pub signer_name: String,
    pub signature_png_base64: String,
    pub signer_kind: SignerKind,
    pub guardian_name: Option<String>,
}

/// A patient signing their own consent in the portal (`collected_by` stays empty).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOwnConsent {
    pub signer_name: String,
    pub signature_png_base64: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeConsent {
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentList {
    pub items: Vec<Consent>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateList {
    pub items: Vec<ConsentTemplate>,
}
