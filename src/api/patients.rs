//! Patient bodies. Front desk sees and sends no clinical fields.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::patients::PatientRow;
use crate::db::types::PatientId;
use crate::domain::patient::{EmergencyContact, PatientFields, Sex};
use crate::domain::FieldError;

/// A patient. `allergies`, `medications`, `medical_history` and `fitzpatrick_type`
/// are absent for front desk.
#[derive(Debug, Serialize, ToSchema)]
pub struct Patient {
    pub id: PatientId,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub emergency_contact: Option<EmergencyContact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allergies: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medications: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medical_history: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fitzpatrick_type: Option<Option<i32>>,
    pub archived: bool,
    pub version: i64,
    #[serde(serialize_with = "crate::api::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// The stored row as validated fields.
pub fn fields_of(row: &PatientRow) -> PatientFields {
    PatientFields {
        given_name: row.given_name.clone(),
        family_name: row.family_name.clone(),
        date_of_birth: row.date_of_birth,
        sex: row.sex.as_deref().and_then(Sex::parse),
        phone: row.phone.clone(),
        email: row.email.clone(),
        address: row.address.clone(),
        emergency_contact: row
            .emergency_contact
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok()),
        allergies: serde_json::from_str(&row.allergies).unwrap_or_default(),
        medications: serde_json::from_str(&row.medications).unwrap_or_default(),
        medical_history: row.medical_history.clone(),
        fitzpatrick_type: row.fitzpatrick_type,
    }
}

impl Patient {
    pub fn from_row(row: PatientRow, clinical: bool) -> Patient {
        let f = fields_of(&row);
        Patient {
            id: row.id,
            mrn: row.mrn,
            given_name: f.given_name,
            family_name: f.family_name,
            date_of_birth: f.date_of_birth,
            sex: f.sex,
            phone: f.phone,
            email: f.email,
            address: f.address,
            emergency_contact: f.emergency_contact,
            allergies: clinical.then_some(f.allergies),
            medications: clinical.then_some(f.medications),
            medical_history: clinical.then_some(f.medical_history),
            fitzpatrick_type: clinical.then_some(f.fitzpatrick_type),
            archived: row.archived,
            version: row.version,
            created_at: super::instant(row.created_at),
            updated_at: super::instant(row.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePatient {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub emergency_contact: Option<EmergencyContact>,
    pub allergies: Option<Vec<String>>,
    pub medications: Option<Vec<String>>,
    pub medical_history: Option<String>,
    pub fitzpatrick_type: Option<i32>,
}

impl CreatePatient {
    pub fn has_clinical_fields(&self) -> bool {
        self.allergies.is_some()
            || self.medications.is_some()
            || self.medical_history.is_some()
            || self.fitzpatrick_type.is_some()
    }

    pub fn into_fields(self) -> PatientFields {
        PatientFields {
            given_name: self.given_name,
            family_name: self.family_name,
            date_of_birth: self.date_of_birth,
            sex: self.sex,
            phone: self.phone,
            email: self.email,
            address: self.address,
            emergency_contact: self.emergency_contact,
            allergies: self.allergies.unwrap_or_default(),
            medications: self.medications.unwrap_or_default(),
            medical_history: self.medical_history,
            fitzpatrick_type: self.fitzpatrick_type,
        }
    }
}

/// JSON Merge Patch (RFC 7396) of a patient: absent = unchanged, null = clear.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePatient {
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub given_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub family_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<NaiveDate>)]
    pub date_of_birth: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<Sex>)]
    pub sex: Option<Option<Sex>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<EmergencyContact>)]
    pub emergency_contact: Option<Option<EmergencyContact>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<Vec<String>>)]
    pub allergies: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<Vec<String>>)]
    pub medications: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub medical_history: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<i32>)]
    pub fitzpatrick_type: Option<Option<i32>>,
}

fn required<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    patch: Option<Option<T>>,
    current: T,
) -> T {
    match patch {
        None => current,
        Some(Some(v)) => v,
        Some(None) => {
            errors.push(FieldError::new(field, "is required and cannot be null"));
            current
        }
    }
}

fn optional<T>(patch: Option<Option<T>>, current: Option<T>) -> Option<T> {
    match patch {
        None => current,
        Some(v) => v,
    }
}

impl UpdatePatient {
    pub fn has_clinical_fields(&self) -> bool {
        self.allergies.is_some()
            || self.medications.is_some()
            || self.medical_history.is_some()
            || self.fitzpatrick_type.is_some()
    }

    /// The patient after the patch; nulls on required fields are listed.
    pub fn apply(self, current: PatientFields) -> Result<PatientFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let merged = PatientFields {
            given_name: required(
                &mut errors,
                "given_name",
                self.given_name,
                current.given_name,
            ),
            family_name: required(
                &mut errors,
                "family_name",
                self.family_name,
                current.family_name,
            ),
            date_of_birth: required(
                &mut errors,
                "date_of_birth",
                self.date_of_birth,
                current.date_of_birth,
            ),
            sex: optional(self.sex, current.sex),
            phone: optional(self.phone, current.phone),
            email: optional(self.email, current.email),
            address: optional(self.address, current.address),
            emergency_contact: optional(self.emergency_contact, current.emergency_contact),
            allergies: optional(self.allergies, Some(current.allergies)).unwrap_or_default(),
            medications: optional(self.medications, Some(current.medications)).unwrap_or_default(),
            medical_history: optional(self.medical_history, current.medical_history),
            fitzpatrick_type: optional(self.fitzpatrick_type, current.fitzpatrick_type),
        };
        if errors.is_empty() {
            Ok(merged)
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PatientSearchQuery {
    /// Prefix of a name, MRN, phone, email, or a date of birth (YYYY-MM-DD); case-insensitive.
    pub q: Option<String>,
    #[serde(default)]
    pub include_archived: bool,
    /// Page size: default 50, larger values are clamped to 200.
    #[serde(default, deserialize_with = "crate::api::pagination::lenient_limit")]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    #[serde(default, deserialize_with = "crate::api::pagination::optional_cursor")]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub imported: usize,
    /// The new patients' ids, in file order.
    pub ids: Vec<PatientId>,
}
