//! Skin measurements and the clinic's outcome table.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::measurements::MeasurementRow;
use crate::db::types::{AppointmentId, MeasurementId, PatientId, ServiceId};
use crate::domain::outcomes::{Metric, OutcomeTable};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMeasurement {
    pub measured_at: DateTime<Utc>,
    pub metric: Metric,
    pub value: f64,
    pub unit: String,
    pub device: Option<String>,
    pub appointment_id: Option<AppointmentId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Measurement {
    pub id: MeasurementId,
    pub patient_id: PatientId,
    pub measured_at: DateTime<Utc>,
    pub metric: String,
    pub value: f64,
    pub unit: String,
    pub device: Option<String>,
    pub appointment_id: Option<AppointmentId>,
}

impl From<MeasurementRow> for Measurement {
    fn from(r: MeasurementRow) -> Self {
        Measurement {
            id: r.id,
            patient_id: r.patient_id,
            measured_at: crate::api::instant(r.measured_at),
            metric: r.metric,
            value: r.value,
            unit: r.unit,
            device: r.device,
            appointment_id: r.appointment_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasurementList {
    pub items: Vec<Measurement>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SeriesQuery {
    pub metric: Option<Metric>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutcomeQuery {
    pub service_id: ServiceId,
    pub metric: Metric,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Outcomes {
    pub service_id: ServiceId,
    pub metric: Metric,
    pub unit: &'static str,
    /// True for GAIS and satisfaction (raw scores, not changes).
    pub raw_values: bool,
    #[serde(flatten)]
    pub table: OutcomeTable,
}
