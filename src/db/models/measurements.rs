//! Skin measurements.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{entered_in_error, measurements};
use crate::db::types::{AppointmentId, MeasurementId, PatientId, UserId};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = measurements)]
pub struct MeasurementRow {
    pub id: MeasurementId,
    pub patient_id: PatientId,
    pub measured_at: NaiveDateTime,
    pub metric: String,
    pub value: f64,
    pub unit: String,
    pub device: Option<String>,
    pub appointment_id: Option<AppointmentId>,
    pub recorded_by: UserId,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &MeasurementRow) -> QueryResult<usize> {
    diesel::insert_into(measurements::table)
        .values(row)
        .execute(conn)
}

pub fn find(conn: &mut DbConnection, id: MeasurementId) -> QueryResult<Option<MeasurementRow>> {
    measurements::table
        .find(id)
        .select(MeasurementRow::as_select())
        .first(conn)
        .optional()
}

/// A patient's series, oldest first (optionally one metric), without the readings
/// marked entered in error.
pub fn series(
    conn: &mut DbConnection,
    patient: PatientId,
    metric: Option<&str>,
) -> QueryResult<Vec<MeasurementRow>> {
    let mut q = measurements::table
        .filter(measurements::patient_id.eq(patient))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            entered_in_error::table.filter(entered_in_error::entity_id.eq(measurements::id)),
        )))
        .select(MeasurementRow::as_select())
        .order((measurements::measured_at.asc(), measurements::id.asc()))
        .into_boxed();
    if let Some(m) = metric {
        q = q.filter(measurements::metric.eq(m.to_owned()));
    }
    q.load(conn)
}
