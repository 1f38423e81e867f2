//! Appointment and availability bodies.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::appointments::AppointmentRow;
use crate::db::types::{AppointmentId, PatientId, PractitionerId, RoomId, ServiceId};
use crate::domain::schedule::AppointmentStatus;

#[derive(Debug, Serialize, ToSchema)]
pub struct Appointment {
    pub id: AppointmentId,
    pub patient_id: PatientId,
    pub practitioner_id: PractitionerId,
    pub service_id: ServiceId,
    pub room_id: Option<RoomId>,
    #[serde(serialize_with = "crate::api::rfc3339")]
    pub starts_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339")]
    pub ends_at: DateTime<Utc>,
    /// `ends_at` + the service's buffer: the practitioner and room are held until then.
    #[serde(serialize_with = "crate::api::rfc3339")]
    pub blocked_until: DateTime<Utc>,
    pub status: AppointmentStatus,
    pub notes: Option<String>,
    pub cancel_reason: Option<String>,
    pub follow_up_of: Option<AppointmentId>,
    pub follow_up_offset_days: Option<i32>,
    pub version: i64,
    #[serde(serialize_with = "crate::api::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl From<AppointmentRow> for Appointment {
    fn from(r: AppointmentRow) -> Self {
        Appointment {
            id: r.id,
            patient_id: r.patient_id,
            practitioner_id: r.practitioner_id,
            service_id: r.service_id,
            room_id: r.room_id,
            starts_at: super::instant(r.starts_at),
            ends_at: super::instant(r.ends_at),
            blocked_until: super::instant(r.blocked_until),
            status: r.status,
            notes: r.notes,
            cancel_reason: r.cancel_reason,
            follow_up_of: r.follow_up_of,
            follow_up_offset_days: r.follow_up_offset_days,
            version: r.version,
            created_at: super::instant(r.created_at),
            updated_at: super::instant(r.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAppointment {
    pub patient_id: PatientId,
    pub practitioner_id: PractitionerId,
    pub service_id: ServiceId,
    pub starts_at: DateTime<Utc>,
    pub room_id: Option<RoomId>,
    pub notes: Option<String>,
}

/// A reschedule (JSON Merge Patch of the movable fields).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAppointment {
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub starts_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub practitioner_id: Option<Option<PractitionerId>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub room_id: Option<Option<RoomId>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub service_id: Option<Option<ServiceId>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelAppointment {
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AppointmentQuery {
    /// Appointments overlapping `[from, to)`.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub practitioner_id: Option<PractitionerId>,
    pub patient_id: Option<PatientId>,
    pub room_id: Option<RoomId>,
    pub status: Option<AppointmentStatus>,
    /// Page size: default 50, larger values are clamped to 200.
    #[serde(default, deserialize_with = "crate::api::pagination::lenient_limit")]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    #[serde(default, deserialize_with = "crate::api::pagination::optional_cursor")]
    pub cursor: Option<String>,
    /// `names`: each item also carries `patient_name` and `service_name` (the calendar's one request).
    #[param(inline)]
    pub include: Option<AppointmentInclude>,
}

/// What `GET /appointments` may add to each item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentInclude {
    Names,
}

/// An item of `GET /appointments`: the appointment, with display names when asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentListItem {
    #[serde(flatten)]
    pub appointment: Appointment,
    /// The patient's given and family name (`include=names`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_name: Option<String>,
    /// The service's name (`include=names`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    pub service_id: ServiceId,
    pub practitioner_id: Option<PractitionerId>,
    /// Staff only; a patient's own id is used for patients.
    pub patient_id: Option<PatientId>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub step_minutes: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FreeSlot {
    #[serde(serialize_with = "crate::api::rfc3339")]
    pub starts_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339")]
    pub ends_at: DateTime<Utc>,
    pub practitioner_id: PractitionerId,
    pub room_id: Option<RoomId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Slots {
    pub items: Vec<FreeSlot>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentList {
    pub items: Vec<Appointment>,
}
