//! The patient portal's own bodies (`/me/...`).
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::appointments::Appointment;
use crate::db::types::{PractitionerId, ServiceId};

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct SelfBooking {
    pub practitioner_id: PractitionerId,
    pub service_id: ServiceId,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyAppointments {
    pub items: Vec<Appointment>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    pub staff_display_name: String,
    pub staff_role: String,
    pub action: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLog {
    pub items: Vec<AccessEntry>,
}
