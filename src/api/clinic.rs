//! Clinic set-up bodies: locations, rooms, practitioners, working hours, time off, services.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::clinic::{
    LocationRow, PractitionerRow, RoomRow, ServiceRow, TimeOffRow, WorkingHoursRow,
};
use crate::db::types::{
    ConsentFamilyId, LocationId, PractitionerId, RoomId, ServiceId, TimeOffId, UserId,
};
use crate::domain::FieldError;
use crate::error::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct Location {
    pub id: LocationId,
    pub name: String,
    pub address: Option<String>,
}

impl From<LocationRow> for Location {
    fn from(r: LocationRow) -> Self {
        Location {
            id: r.id,
            name: r.name,
            address: r.address,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLocation {
    pub name: String,
    pub address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Room {
    pub id: RoomId,
    pub location_id: LocationId,
    pub name: String,
}

impl From<RoomRow> for Room {
    fn from(r: RoomRow) -> Self {
        Room {
            id: r.id,
            location_id: r.location_id,
            name: r.name,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRoom {
    pub location_id: LocationId,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Practitioner {
    pub id: PractitionerId,
    pub user_id: UserId,
    pub display_name: String,
    pub title: Option<String>,
}

impl From<PractitionerRow> for Practitioner {
    fn from(r: PractitionerRow) -> Self {
        Practitioner {
            id: r.id,
            user_id: r.user_id,
            display_name: r.display_name,
            title: r.title,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePractitioner {
    pub user_id: UserId,
    pub display_name: String,
    pub title: Option<String>,
}

/// One weekly range: ISO weekday (1 = Monday), `"HH:MM"` start inclusive, end exclusive (`"24:00"` allowed).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingHours {
    pub weekday: u8,
    pub start: String,
    pub end: String,
    pub location_id: LocationId,
}

fn minute_of(text: &str, allow_24: bool) -> Option<i32> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..60).contains(&m) {
        return None;
    }
    match h {
        0..=23 => Some(h * 60 + m),
        24 if allow_24 && m == 0 => Some(1440),
        _ => None,
    }
}

fn hhmm(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl WorkingHours {
    pub fn from_row(r: &WorkingHoursRow) -> Self {
        WorkingHours {
            weekday: u8::try_from(r.weekday).unwrap_or(0),
            start: hhmm(r.start_minute),
            end: hhmm(r.end_minute),
            location_id: r.location_id,
        }
    }

    /// Parses the list a PUT sends; every bad entry is named.
    pub fn parse_all(list: &[WorkingHours]) -> Result<Vec<(i32, i32, i32, LocationId)>, ApiError> {
        let mut errors = Vec::new();
        let mut out = Vec::new();
        for (i, h) in list.iter().enumerate() {
            let weekday = i32::from(h.weekday);
            if !(1..=7).contains(&weekday) {
                errors.push(FieldError::new(
                    format!("[{i}].weekday"),
                    "must be 1 (Monday) to 7 (Sunday)",
                ));
            }
            let start = minute_of(&h.start, false);
            let end = minute_of(&h.end, true);
            match (start, end) {
                (None, _) => errors.push(FieldError::new(format!("[{i}].start"), "must be HH:MM")),
                (_, None) => errors.push(FieldError::new(
                    format!("[{i}].end"),
                    "must be HH:MM (24:00 allowed)",
                )),
                (Some(s), Some(e)) if e <= s => {
                    errors.push(FieldError::new(format!("[{i}].end"), "must be after start"))
                }
                (Some(s), Some(e)) => out.push((weekday, s, e, h.location_id)),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeOff {
    pub id: TimeOffId,
    pub practitioner_id: PractitionerId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
}

impl From<TimeOffRow> for TimeOff {
    fn from(r: TimeOffRow) -> Self {
        TimeOff {
            id: r.id,
            practitioner_id: r.practitioner_id,
            starts_at: super::instant(r.starts_at),
            ends_at: super::instant(r.ends_at),
            reason: r.reason,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTimeOff {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub duration_minutes: i32,
    pub buffer_minutes: i32,
    pub requires_room: bool,
    pub consent_template_id: Option<ConsentFamilyId>,
    pub follow_up_days: Vec<i32>,
    pub follow_up_service_id: Option<ServiceId>,
    pub patient_bookable: bool,
    pub version: i64,
}

impl From<ServiceRow> for Service {
    fn from(r: ServiceRow) -> Self {
        Service {
            follow_up_days: r.follow_up_days(),
            id: r.id,
            name: r.name,
            duration_minutes: r.duration_minutes,
            buffer_minutes: r.buffer_minutes,
            requires_room: r.requires_room,
            consent_template_id: r.consent_template_id,
            follow_up_service_id: r.follow_up_service_id,
            patient_bookable: r.patient_bookable,
            version: r.version,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateService {
    pub name: String,
    pub duration_minutes: i32,
    #[serde(default)]
    pub buffer_minutes: i32,
    #[serde(default)]
    pub requires_room: bool,
    pub consent_template_id: Option<ConsentFamilyId>,
    #[serde(default)]
    pub follow_up_days: Vec<i32>,
    pub follow_up_service_id: Option<ServiceId>,
    #[serde(default)]
    pub patient_bookable: bool,
}

/// JSON Merge Patch of a service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<i32>)]
    pub duration_minutes: Option<Option<i32>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<i32>)]
    pub buffer_minutes: Option<Option<i32>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<bool>)]
    pub requires_room: Option<Option<bool>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub consent_template_id: Option<Option<ConsentFamilyId>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<Vec<i32>>)]
    pub follow_up_days: Option<Option<Vec<i32>>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub follow_up_service_id: Option<Option<ServiceId>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<bool>)]
    pub patient_bookable: Option<Option<bool>>,
}

impl CreateService {
    /// Every rule a service satisfies (the referenced follow-up service is checked by the caller).
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::new("name", "must be 1 to 200 characters"));
        }
        if !(1..=1440).contains(&self.duration_minutes) {
            errors.push(FieldError::new("duration_minutes", "must be 1 to 1440"));
        }
        if !(0..=720).contains(&self.buffer_minutes) {
            errors.push(FieldError::new("buffer_minutes", "must be 0 to 720"));
        }
        if self.follow_up_days.iter().any(|d| !(1..=3650).contains(d))
            || self.follow_up_days.len() > 20
        {
            errors.push(FieldError::new(
                "follow_up_days",
                "at most 20 offsets, each 1 to 3650 days",
            ));
        }
        let mut sorted = self.follow_up_days.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != self.follow_up_days.len() {
            errors.push(FieldError::new(
                "follow_up_days",
                "offsets must be distinct",
            ));
        }
        if !self.follow_up_days.is_empty() && self.follow_up_service_id.is_none() {
            errors.push(FieldError::new(
                "follow_up_service_id",
                "is required with follow_up_days",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    pub fn apply(mut self, patch: UpdateService) -> Result<CreateService, ApiError> {
        let mut errors = Vec::new();
        let mut required = |field: &str, present: bool| {
            if !present {
                errors.push(FieldError::new(field, "cannot be null"));
            }
        };
        if let Some(v) = patch.name {
            required("name", v.is_some());
            self.name = v.unwrap_or(self.name);
        }
        if let Some(v) = patch.duration_minutes {
            required("duration_minutes", v.is_some());
            self.duration_minutes = v.unwrap_or(self.duration_minutes);
        }
        if let Some(v) = patch.buffer_minutes {
            self.buffer_minutes = v.unwrap_or(0);
        }
        if let Some(v) = patch.requires_room {
            self.requires_room = v.unwrap_or(false);
        }
        if let Some(v) = patch.consent_template_id {
            self.consent_template_id = v;
        }
        if let Some(v) = patch.follow_up_days {
            self.follow_up_days = v.unwrap_or_default();
        }
        if let Some(v) = patch.follow_up_service_id {
            self.follow_up_service_id = v;
        }
        if let Some(v) = patch.patient_bookable {
            self.patient_bookable = v.unwrap_or(false);
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    pub fn from_row(r: &ServiceRow) -> CreateService {
        CreateService {
            name: r.name.clone(),
            duration_minutes: r.duration_minutes,
            buffer_minutes: r.buffer_minutes,
            requires_room: r.requires_room,
            consent_template_id: r.consent_template_id,
            follow_up_days: r.follow_up_days(),
            follow_up_service_id: r.follow_up_service_id,
            patient_bookable: r.patient_bookable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_hours_accept_24_00_as_an_end_only() {
        assert_eq!(minute_of("09:00", false), Some(540));
        assert_eq!(minute_of("24:00", true), Some(1440));
        assert_eq!(minute_of("24:00", false), None);
        assert_eq!(minute_of("9:00", false), None);
        assert_eq!(minute_of("12:60", false), None);
    }
}

/// The clinic's settings a client shows: its time zone, in which every screen
/// shows dates and times whatever the browser's own zone, and the rules of online
/// booking (the server enforces them; clients state them).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ClinicInfo {
    /// IANA name, e.g. `Europe/London` (`CLINIC_TIMEZONE`).
    pub timezone: String,
    pub online_booking: OnlineBookingRules,
}

/// What a patient may book online (`/me/appointments`).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OnlineBookingRules {
    /// How far ahead of now the earliest online booking starts (`PORTAL_MIN_LEAD`).
    pub min_lead_minutes: i64,
    /// How many days ahead online booking is open.
    pub max_days_ahead: i64,
    /// How many upcoming appointments a patient may hold at once (`PORTAL_MAX_OPEN`).
    pub max_open_appointments: i64,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PractitionerList {
    pub items: Vec<Practitioner>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ServiceList {
    pub items: Vec<Service>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LocationList {
    pub items: Vec<Location>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TimeOffList {
    pub items: Vec<TimeOff>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RoomList {
    pub items: Vec<Room>,
}
