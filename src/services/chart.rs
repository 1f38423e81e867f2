//! The chart: everything of one patient, loaded in one place, and its views — the
//! staff chart (`/patients/{id}/record`), what the patient sees (`/me/record`), and the
//! input of the FHIR export (`fhir.rs`).
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Value};

use crate::api::adverse::AdverseEvent;
use crate::api::appointments::Appointment;
use crate::api::consents::Consent;
use crate::api::measurements::Measurement;
use crate::api::notes::{Consultation, Procedure};
use crate::api::patient_record::{
    MyAdverseEvent, MyConsent, MyConsultation, MyProcedure, NameStaff, PatientRecord, StaffName,
};
use crate::api::patients::Patient;
use crate::api::photos::MyPhoto;
use crate::api::samples::Sample;
use crate::db::models::appointments::{self, AppointmentFilter};
use crate::db::models::{
    adverse, clinic, consents, entered_in_error, measurements, notes, patients, samples, users,
};
use crate::db::types::{NoteId, PatientId, PractitionerId, ServiceId, UserId};
use crate::db::DbConnection;
use crate::domain::clinical::NoteStatus;
use crate::error::ApiError;

/// A photo's metadata as the chart carries it (never the bytes).
pub type ChartPhoto = crate::api::photos::Photo;

/// How much of the chart to load: front desk gets no clinical part at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartParts {
    /// Patient demographics, appointments and consents.
    Administrative,
    /// Everything.
    Full,
}

/// One patient's whole record, as response bodies (the staff form: ids, drafts, notes).
#[derive(Debug)]
pub struct Chart {
    pub parts: ChartParts,
    /// With clinical fields (`allergies`, …); the front-desk view strips them.
    pub patient: Patient,
    pub appointments: Vec<Appointment>,
    pub consultations: Vec<Consultation>,
    pub procedures: Vec<Procedure>,
    pub consents: Vec<Consent>,
    pub samples: Vec<Sample>,
    pub photos: Vec<ChartPhoto>,
    pub measurements: Vec<Measurement>,
    pub adverse_events: Vec<AdverseEvent>,
    /// Display names of every staff user the chart names (authors, signers, collectors…).
    pub staff_names: BTreeMap<UserId, String>,
    /// Display names of the practitioners of the appointments.
    pub practitioner_names: BTreeMap<PractitionerId, String>,
    /// Names of the services of appointments and procedures.
    pub service_names: BTreeMap<ServiceId, String>,
}

/// Shown where a staff user can no longer be found.
const UNKNOWN_STAFF: &str = "Clinic staff";

impl Chart {
    /// Loads the chart of one patient (404 if there is no such patient).
    pub fn load(
        conn: &mut DbConnection,
        patient: PatientId,
        parts: ChartParts,
    ) -> Result<Chart, ApiError> {
        let row = patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
        let appointment_list = appointments::list(
            conn,
            &AppointmentFilter {
                patient_id: Some(patient),
                ..Default::default()
            },
            10_000,
        )?;
        let mut consent_list = Vec::new();
        for c in consents::of_patient(conn, patient)? {
            let t = consents::find_template(conn, c.template_id)?.ok_or(ApiError::NotFound)?;
            consent_list.push(crate::api::consents::Consent::from_rows(
                c,
                &t,
                crate::db::now(),
            ));
        }
        let mut chart = Chart {
            parts,
            patient: Patient::from_row(row, true),
            appointments: appointment_list
                .into_iter()
                .map(Appointment::from)
                .collect(),
            consultations: Vec::new(),
            procedures: Vec::new(),
            consents: consent_list,
            samples: Vec::new(),
            photos: Vec::new(),
            measurements: Vec::new(),
            adverse_events: Vec::new(),
            staff_names: BTreeMap::new(),
            practitioner_names: BTreeMap::new(),
            service_names: BTreeMap::new(),
        };
        if parts == ChartParts::Full {
            for c in notes::consultations_of(conn, patient)? {
                let a = notes::amendments_of(conn, "consultation", NoteId(c.id.0))?;
                chart.consultations.push(Consultation::from_row(c, a));
            }
            for p in notes::procedures_of(conn, patient)? {
                let a = notes::amendments_of(conn, "procedure", NoteId(p.id.0))?;
                chart.procedures.push(Procedure::from_row(p, a)?);
            }
            for s in samples::of_patient(conn, patient)? {
                let events = samples::events(conn, s.id)?;
                chart.samples.push(Sample::from_rows(s, events));
            }
            chart.measurements = measurements::series(conn, patient, None)?
                .into_iter()
                .map(Measurement::from)
                .collect();
            chart.adverse_events = adverse::of_patient(conn, patient)?
                .into_iter()
                .map(AdverseEvent::from)
                .collect();
            chart.photos = crate::db::models::photos::of_patient(conn, patient)?
                .into_iter()
                .map(ChartPhoto::from)
                .collect();
            chart.drop_entered_in_error(conn)?;
            chart.load_names(conn)?;
        }
        Ok(chart)
    }

    /// Leaves out every item marked entered in error (SPEC §6 "Entered in error": hidden
    /// from charts, `/me` and exports alike).
    fn drop_entered_in_error(&mut self, conn: &mut DbConnection) -> Result<(), ApiError> {
        use entered_in_error as eie;
        let ids: Vec<uuid::Uuid> = self
            .consultations
            .iter()
            .map(|c| c.id.0)
            .chain(self.procedures.iter().map(|p| p.id.0))
            .chain(self.measurements.iter().map(|m| m.id.0))
            .chain(self.adverse_events.iter().map(|e| e.id.0))
            .chain(self.photos.iter().map(|p| p.id.0))
            .collect();
        let marked: BTreeSet<(String, uuid::Uuid)> = eie::marked_among(conn, &ids)?
            .into_iter()
            .map(|(kind, id)| (kind, id.0))
            .collect();
        if marked.is_empty() {
            return Ok(());
        }
        let is = |kind: &str, id: uuid::Uuid| marked.contains(&(kind.to_owned(), id));
        self.consultations
            .retain(|c| !is(eie::CONSULTATION, c.id.0));
        self.procedures.retain(|p| !is(eie::PROCEDURE, p.id.0));
        self.measurements.retain(|m| !is(eie::MEASUREMENT, m.id.0));
        self.adverse_events
            .retain(|e| !is(eie::ADVERSE_EVENT, e.id.0));
        self.photos.retain(|p| !is(eie::PHOTO, p.id.0));
        Ok(())
    }

    /// Looks up the display names of the staff, practitioners and services named.
    fn load_names(&mut self, conn: &mut DbConnection) -> Result<(), ApiError> {
        for user in self.staff_ids() {
            let name = match users::find(conn, user) {
                Ok(u) => u.display_name,
                Err(diesel::result::Error::NotFound) => UNKNOWN_STAFF.to_owned(),
                Err(other) => return Err(other.into()),
            };
            self.staff_names.insert(user, name);
        }
        let practitioners: BTreeSet<PractitionerId> = self
            .appointments
            .iter()
            .map(|a| a.practitioner_id)
            .collect();
        for id in practitioners {
            if let Some(p) = clinic::find_practitioner(conn, id)? {
                self.practitioner_names.insert(id, p.display_name);
            }
        }
        let services: BTreeSet<ServiceId> = self
            .appointments
            .iter()
            .map(|a| a.service_id)
            .chain(self.procedures.iter().map(|p| p.service_id))
            .collect();
        for id in services {
            if let Some(row) = clinic::find_service(conn, id)? {
                self.service_names.insert(id, row.name);
            }
        }
        Ok(())
    }

    /// Every staff user id the chart holds.
    fn staff_ids(&self) -> BTreeSet<UserId> {
        let mut ids = BTreeSet::new();
        for c in &self.consultations {
            ids.insert(c.author_id);
            ids.extend(c.signed_by);
            ids.extend(c.amendments.iter().map(|a| a.author_id));
        }
        for p in &self.procedures {
            ids.insert(p.author_id);
            ids.extend(p.signed_by);
            ids.extend(p.amendments.iter().map(|a| a.author_id));
        }
        for c in &self.consents {
            ids.extend(c.collected_by);
            ids.extend(c.witness_id);
        }
        ids.extend(self.adverse_events.iter().map(|e| e.recorded_by));
        ids.extend(self.photos.iter().map(|p| p.taken_by));
        ids
    }

    /// A staff member's display name.
    pub fn staff_name(&self, user: UserId) -> &str {
        self.staff_names
            .get(&user)
            .map_or(UNKNOWN_STAFF, String::as_str)
    }

    /// What a patient may see of their own chart (SPEC §6 "What patients see"): signed
    /// notes only, no appointment notes, no samples.
    pub fn for_patient(mut self) -> Chart {
        self.consultations
            .retain(|c| c.status == NoteStatus::Signed);
        self.procedures.retain(|p| p.status == NoteStatus::Signed);
        for a in &mut self.appointments {
            a.notes = None;
        }
        self.samples.clear();
        self
    }

    /// The staff chart: every key for clinicians; for front desk only the patient's
    /// demographics, appointments and consent status.
    pub fn staff_json(self, clinical: bool) -> Result<Value, ApiError> {
        let mut patient = self.patient;
        if !clinical {
            patient.allergies = None;
            patient.medications = None;
            patient.medical_history = None;
            patient.fitzpatrick_type = None;
        }
        let consent_list = if clinical {
            to_value(&self.consents)?
        } else {
            Value::Array(
                self.consents
                    .iter()
                    .map(|c| {
                        json!({"id": c.id, "title": c.title, "scope": c.scope, "status": c.status,
                           "template_version": c.template_version, "signed_at": c.signed_at,
                           "expires_at": c.expires_at, "revoked_at": c.revoked_at})
                    })
                    .collect(),
            )
        };
        let mut chart = json!({
            "patient": to_value(&patient)?,
            "appointments": to_value(&self.appointments)?,
            "consents": consent_list,
        });
        if clinical && self.parts == ChartParts::Full {
            chart["consultations"] = to_value(&self.consultations)?;
            chart["procedures"] = to_value(&self.procedures)?;
            chart["samples"] = to_value(&self.samples)?;
            chart["photos"] = to_value(&self.photos)?;
            chart["measurements"] = to_value(&self.measurements)?;
            chart["adverse_events"] = to_value(&self.adverse_events)?;
        }
        Ok(chart)
    }

    /// `/me/record`: the chart's keys except `samples`, as the patient sees them — a
    /// typed view in which every staff member is a display name (`api::patient_record`).
    pub fn patient_record(self) -> PatientRecord {
        let mut chart = self.for_patient();
        let consultations = std::mem::take(&mut chart.consultations);
        let procedures = std::mem::take(&mut chart.procedures);
        let consents = std::mem::take(&mut chart.consents);
        let adverse_events = std::mem::take(&mut chart.adverse_events);
        let names = &chart;
        PatientRecord {
            photos: chart
                .photos
                .iter()
                .map(|p| MyPhoto::from_photo(p, chart.staff_name(p.taken_by).to_owned()))
                .collect(),
            consultations: consultations
                .into_iter()
                .map(|c| MyConsultation::new(c, names))
                .collect(),
            procedures: procedures
                .into_iter()
                .map(|p| MyProcedure::new(p, names))
                .collect(),
            consents: consents
                .into_iter()
                .map(|c| MyConsent::new(c, names))
                .collect(),
            adverse_events: adverse_events
                .into_iter()
                .map(|e| MyAdverseEvent::new(e, names))
                .collect(),
            patient: chart.patient,
            appointments: chart.appointments,
            measurements: chart.measurements,
        }
    }
}

impl NameStaff for Chart {
    fn staff_name(&self, user: UserId) -> StaffName {
        StaffName(Chart::staff_name(self, user).to_owned())
    }
}

fn to_value(v: &impl Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(ApiError::internal)
}
