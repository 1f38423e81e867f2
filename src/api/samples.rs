//! Sample bodies.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::samples::{SampleEventRow, SampleRow};
use crate::db::types::{PatientId, ProcedureId, SampleEventId, SampleId, UserId};
use crate::domain::clinical::{CustodyEvent, SampleState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSample {
    pub patient_id: PatientId,
    pub procedure_id: ProcedureId,
    pub harvested_at: DateTime<Utc>,
    pub site: String,
    pub volume_ml: f64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSampleEvent {
    pub kind: CustodyEvent,
    pub at: DateTime<Utc>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub details: serde_json::Map<String, serde_json::Value>,
    /// The recipient, for `applied` (must be the donor).
    pub patient_id: Option<PatientId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SampleEvent {
    pub id: SampleEventId,
    pub kind: String,
    pub at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub actor_id: UserId,
    pub patient_id: Option<PatientId>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Sample {
    pub id: SampleId,
    pub label_code: String,
    pub patient_id: PatientId,
    pub procedure_id: ProcedureId,
    pub harvested_at: DateTime<Utc>,
    pub site: String,
    pub volume_ml: f64,
    pub status: SampleState,
    pub created_by: UserId,
    pub events: Vec<SampleEvent>,
}

impl Sample {
    pub fn from_rows(s: SampleRow, events: Vec<SampleEventRow>) -> Sample {
        Sample {
            id: s.id,
            label_code: s.label_code,
            patient_id: s.patient_id,
            procedure_id: s.procedure_id,
            harvested_at: super::instant(s.harvested_at),
            site: s.site,
            volume_ml: s.volume_ml,
            status: s.status,
            created_by: s.created_by,
            events: events
                .into_iter()
                .map(|e| SampleEvent {
                    id: e.id,
                    kind: e.kind,
                    at: super::instant(e.at),
                    recorded_at: super::instant(e.recorded_at),
                    actor_id: e.actor_id,
                    patient_id: e.patient_id,
                    details: serde_json::from_str(&e.details).unwrap_or_default(),
                })
                .collect(),
        }
    }
}
