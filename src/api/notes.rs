//! Consultation and procedure bodies.
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::notes::{AmendmentRow, ConsultationRow, ProcedureRow};
use crate::db::types::{
    AmendmentId, AppointmentId, ConsentId, ConsultationId, PatientId, ProcedureId, ServiceId,
    UserId,
};
use crate::domain::clinical::{Concern, Contraindications, Eligibility, NoteStatus};
use crate::domain::FieldError;
use crate::error::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct Amendment {
    pub id: AmendmentId,
    pub author_id: UserId,
    pub at: DateTime<Utc>,
    pub reason: String,
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub sha256: String,
}

impl From<AmendmentRow> for Amendment {
    fn from(r: AmendmentRow) -> Self {
        Amendment {
            id: r.id,
            author_id: r.author_id,
            at: super::instant(r.at),
            reason: r.reason,
            changes: serde_json::from_str(&r.changes).unwrap_or_default(),
            sha256: r.sha256,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAmendment {
    pub reason: String,
    #[schema(value_type = Object)]
    pub changes: serde_json::Map<String, serde_json::Value>,
}

/// The clinical fields of a consultation (what is hashed at signing).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConsultationContent {
    pub concerns: Vec<Concern>,
    #[serde(default)]
    pub subjective: String,
    #[serde(default)]
    pub objective: String,
    #[serde(default)]
    pub assessment: String,
    #[serde(default)]
    pub plan: String,
    pub contraindications: Contraindications,
    pub contraindication_other: Option<String>,
    #[serde(default)]
    pub contraindication_overrides: BTreeMap<String, String>,
    pub eligibility: Eligibility,
}

// Request bodies list their fields explicitly: serde cannot refuse unknown fields
// through `#[serde(flatten)]`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConsultation {
    pub patient_id: PatientId,
    pub appointment_id: Option<AppointmentId>,
    pub concerns: Vec<Concern>,
    #[serde(default)]
    pub subjective: String,
    #[serde(default)]
    pub objective: String,
    #[serde(default)]
    pub assessment: String,
    #[serde(default)]
    pub plan: String,
    pub contraindications: Contraindications,
    pub contraindication_other: Option<String>,
    #[serde(default)]
    pub contraindication_overrides: BTreeMap<String, String>,
    pub eligibility: Eligibility,
}

impl CreateConsultation {
    pub fn content(&self) -> ConsultationContent {
        ConsultationContent {
            concerns: self.concerns.clone(),
            subjective: self.subjective.clone(),
            objective: self.objective.clone(),
            assessment: self.assessment.clone(),
            plan: self.plan.clone(),
            contraindications: self.contraindications,
            contraindication_other: self.contraindication_other.clone(),
            contraindication_overrides: self.contraindication_overrides.clone(),
            eligibility: self.eligibility,
        }
    }
}

fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
}

impl ConsultationContent {
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        for (f, v) in [
            ("subjective", &self.subjective),
            ("objective", &self.objective),
            ("assessment", &self.assessment),
            ("plan", &self.plan),
        ] {
            text(&mut errors, f, v, 20_000);
        }
        if let Some(o) = &self.contraindication_other {
            text(&mut errors, "contraindication_other", o, 2000);
        }
        for (name, reason) in &self.contraindication_overrides {
            if !crate::domain::clinical::OVERRIDABLE.contains(&name.as_str()) {
                errors.push(FieldError::new(
                    format!("contraindication_overrides.{name}"),
                    "is not a contraindication",
                ));
            }
            text(
                &mut errors,
                &format!("contraindication_overrides.{name}"),
                reason,
                2000,
            );
        }
        if self.concerns.len() > 8 {
            errors.push(FieldError::new(
                "concerns",
                "at most the eight listed concerns",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Consultation {
    pub id: ConsultationId,
    pub patient_id: PatientId,
    pub appointment_id: Option<AppointmentId>,
    pub author_id: UserId,
    /// `draft | signed`.
    #[schema(value_type = String)]
    pub status: NoteStatus,
    #[serde(flatten)]
    pub content: ConsultationContent,
    pub signed_at: Option<DateTime<Utc>>,
    pub signed_by: Option<UserId>,
    pub content_sha256: Option<String>,
    pub amendments: Vec<Amendment>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn consultation_content(r: &ConsultationRow) -> ConsultationContent {
    ConsultationContent {
        concerns: serde_json::from_str(&r.concerns).unwrap_or_default(),
        subjective: r.subjective.clone(),
        objective: r.objective.clone(),
        assessment: r.assessment.clone(),
        plan: r.plan.clone(),
        contraindications: serde_json::from_str(&r.contraindications).unwrap_or_default(),
        contraindication_other: r.contraindication_other.clone(),
        contraindication_overrides: serde_json::from_str(&r.contraindication_overrides)
            .unwrap_or_default(),
        eligibility: r.eligibility,
    }
}

impl Consultation {
    pub fn from_row(r: ConsultationRow, amendments: Vec<AmendmentRow>) -> Consultation {
        Consultation {
            content: consultation_content(&r),
            id: r.id,
            patient_id: r.patient_id,
            appointment_id: r.appointment_id,
            author_id: r.author_id,
            status: r.status,
            signed_at: r.signed_at.map(super::instant),
            signed_by: r.signed_by,
            content_sha256: r.content_sha256,
            amendments: amendments.into_iter().map(Amendment::from).collect(),
            version: r.version,
            created_at: super::instant(r.created_at),
            updated_at: super::instant(r.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Preparation {
    pub cleansing: String,
    pub exfoliation: String,
    pub anaesthesia: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Harvest {
    pub site: String,
    pub volume_ml: f64,
    pub method: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Processing {
    pub method: String,
    pub duration_minutes: i32,
    pub cell_count: Option<f64>,
    pub viability_percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AreaVolume {
    pub area: String,
    pub volume_ml: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub method: String,
    pub areas: Vec<AreaVolume>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub name: String,
    pub lot_number: String,
    pub expiry_date: NaiveDate,
}

/// The clinical fields of a procedure note (what is hashed at signing).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProcedureContent {
    pub preparation: Preparation,
    pub harvest: Harvest,
    pub processing: Processing,
    pub application: Application,
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default)]
    pub complications: String,
    #[serde(default)]
    pub aftercare: String,
}

impl ProcedureContent {
    /// Field rules; `performed_on` is the procedure's date (an expired product is refused).
    pub fn validate(&self, performed_on: NaiveDate) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        for (f, v) in [
            ("preparation.cleansing", &self.preparation.cleansing),
            ("preparation.exfoliation", &self.preparation.exfoliation),
            ("preparation.anaesthesia", &self.preparation.anaesthesia),
            ("harvest.site", &self.harvest.site),
            ("harvest.method", &self.harvest.method),
            ("processing.method", &self.processing.method),
            ("application.method", &self.application.method),
        ] {
            text(&mut errors, f, v, 2000);
        }
        text(&mut errors, "complications", &self.complications, 20_000);
        text(&mut errors, "aftercare", &self.aftercare, 20_000);
        if !(self.harvest.volume_ml > 0.0 && self.harvest.volume_ml <= 1000.0) {
            errors.push(FieldError::new(
                "harvest.volume_ml",
                "must be more than 0 and at most 1000",
            ));
        }
        if !(0..=1440).contains(&self.processing.duration_minutes) {
            errors.push(FieldError::new(
                "processing.duration_minutes",
                "must be 0 to 1440",
            ));
        }
        if self
            .processing
            .viability_percent
            .is_some_and(|v| !(0.0..=100.0).contains(&v))
        {
            errors.push(FieldError::new(
                "processing.viability_percent",
                "must be 0 to 100",
            ));
        }
        if self
            .processing
            .cell_count
            .is_some_and(|c| !(c >= 0.0 && c.is_finite()))
        {
            errors.push(FieldError::new(
                "processing.cell_count",
                "must be 0 or more",
            ));
        }
        if self.application.areas.len() > 30 {
            errors.push(FieldError::new("application.areas", "at most 30 areas"));
        }
        if self.products.len() > 50 {
            errors.push(FieldError::new("products", "at most 50 products"));
        }
        for (i, a) in self.application.areas.iter().enumerate() {
            text(
                &mut errors,
                &format!("application.areas[{i}].area"),
                &a.area,
                200,
            );
            if !(a.volume_ml > 0.0 && a.volume_ml <= 1000.0) {
                errors.push(FieldError::new(
                    format!("application.areas[{i}].volume_ml"),
                    "must be more than 0 and at most 1000",
                ));
            }
        }
        for (i, p) in self.products.iter().enumerate() {
            if p.name.trim().is_empty() || p.lot_number.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("products[{i}]"),
                    "name and lot_number are required",
                ));
            }
            text(&mut errors, &format!("products[{i}].name"), &p.name, 200);
            text(
                &mut errors,
                &format!("products[{i}].lot_number"),
                &p.lot_number,
                100,
            );
            if p.expiry_date < performed_on {
                errors.push(FieldError::new(
                    format!("products[{i}].expiry_date"),
                    "the product had expired when it was used",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProcedure {
    pub patient_id: PatientId,
    pub appointment_id: AppointmentId,
    pub service_id: ServiceId,
    pub consent_id: Option<ConsentId>,
    pub performed_at: DateTime<Utc>,
    pub preparation: Preparation,
    pub harvest: Harvest,
    pub processing: Processing,
    pub application: Application,
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default)]
    pub complications: String,
    #[serde(default)]
    pub aftercare: String,
}

impl CreateProcedure {
    pub fn content(&self) -> ProcedureContent {
        ProcedureContent {
            preparation: self.preparation.clone(),
            harvest: self.harvest.clone(),
            processing: self.processing.clone(),
            application: self.application.clone(),
            products: self.products.clone(),
            complications: self.complications.clone(),
            aftercare: self.aftercare.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Procedure {
    pub id: ProcedureId,
    pub patient_id: PatientId,
    pub appointment_id: AppointmentId,
    pub service_id: ServiceId,
    pub consent_id: Option<ConsentId>,
    pub author_id: UserId,
    #[schema(value_type = String)]
    pub status: NoteStatus,
    pub performed_at: DateTime<Utc>,
    #[serde(flatten)]
    pub content: ProcedureContent,
    pub signed_at: Option<DateTime<Utc>>,
    pub signed_by: Option<UserId>,
    pub content_sha256: Option<String>,
    pub amendments: Vec<Amendment>,
    pub version: i64,
}

pub fn procedure_content(r: &ProcedureRow) -> Result<ProcedureContent, ApiError> {
    let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).map_err(ApiError::internal);
    let value = serde_json::json!({
        "preparation": parse(&r.preparation)?,
        "harvest": parse(&r.harvest)?,
        "processing": parse(&r.processing)?,
        "application": parse(&r.application)?,
        "products": parse(&r.products)?,
        "complications": r.complications,
        "aftercare": r.aftercare,
    });
    serde_json::from_value(value).map_err(ApiError::internal)
}

impl Procedure {
    pub fn from_row(r: ProcedureRow, amendments: Vec<AmendmentRow>) -> Result<Procedure, ApiError> {
        Ok(Procedure {
            content: procedure_content(&r)?,
            id: r.id,
            patient_id: r.patient_id,
            appointment_id: r.appointment_id,
            service_id: r.service_id,
            consent_id: r.consent_id,
            author_id: r.author_id,
            status: r.status,
            performed_at: super::instant(r.performed_at),
            signed_at: r.signed_at.map(super::instant),
            signed_by: r.signed_by,
            content_sha256: r.content_sha256,
            amendments: amendments.into_iter().map(Amendment::from).collect(),
            version: r.version,
        })
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProcedureQuery {
    /// Every procedure that used this product lot (a recall).
    pub product_lot: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureList {
    pub items: Vec<Procedure>,
}
