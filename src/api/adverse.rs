//! Adverse-event bodies.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::adverse::AdverseEventRow;
use crate::db::types::{AdverseEventId, PatientId, ProcedureId, UserId};
pub use crate::domain::adverse::{AdverseKind, Phase, Severity};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAdverseEvent {
    pub procedure_id: Option<ProcedureId>,
    pub onset_at: DateTime<Utc>,
    pub kind: AdverseKind,
    pub severity: Severity,
    pub phase: Phase,
    pub description: String,
    #[serde(default)]
    pub action_taken: String,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAdverseEvent {
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub resolved_at: Option<Option<DateTime<Utc>>>,
    pub severity: Option<Severity>,
    pub action_taken: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReported {
    pub reported_at: DateTime<Utc>,
    pub reference: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    /// Only serious events not yet reported whose report falls due before this instant.
    pub report_due_before: Option<DateTime<Utc>>,
    /// Only this patient's events.
    pub patient_id: Option<PatientId>,
    /// Only events of this severity.
    #[param(inline)]
    pub severity: Option<Severity>,
    /// Page size: default 50, larger values are clamped to 200.
    #[serde(default, deserialize_with = "crate::api::pagination::lenient_limit")]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    #[serde(default, deserialize_with = "crate::api::pagination::optional_cursor")]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdverseEvent {
    pub id: AdverseEventId,
    pub patient_id: PatientId,
    pub procedure_id: Option<ProcedureId>,
    pub onset_at: DateTime<Utc>,
    #[schema(value_type = String)]
    pub kind: AdverseKind,
    #[schema(value_type = String)]
    pub severity: Severity,
    #[schema(value_type = String)]
    pub phase: Phase,
    pub description: String,
    pub action_taken: String,
    pub resolved_at: Option<DateTime<Utc>>,
    pub recorded_by: UserId,
    pub recorded_at: DateTime<Utc>,
    /// 15 days after recording for a `serious` event (the regulator's deadline); else null.
    pub report_due_at: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
    pub report_reference: Option<String>,
    pub version: i64,
}

impl From<AdverseEventRow> for AdverseEvent {
    fn from(r: AdverseEventRow) -> Self {
        AdverseEvent {
            id: r.id,
            patient_id: r.patient_id,
            procedure_id: r.procedure_id,
            onset_at: super::instant(r.onset_at),
            kind: r.kind,
            severity: r.severity,
            phase: r.phase,
            description: r.description,
            action_taken: r.action_taken,
            resolved_at: r.resolved_at.map(super::instant),
            recorded_by: r.recorded_by,
            recorded_at: super::instant(r.recorded_at),
            report_due_at: r.report_due_at.map(super::instant),
            reported_at: r.reported_at.map(super::instant),
            report_reference: r.report_reference,
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdverseEventList {
    pub items: Vec<AdverseEvent>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}
