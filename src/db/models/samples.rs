//! Autologous cell samples and their custody events.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{sample_events, samples};
use crate::db::types::{PatientId, ProcedureId, SampleEventId, SampleId, UserId};
use crate::db::DbConnection;
use crate::domain::clinical::SampleState;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = samples)]
pub struct SampleRow {
    pub id: SampleId,
    pub label_code: String,
    pub patient_id: PatientId,
    pub procedure_id: ProcedureId,
    pub harvested_at: NaiveDateTime,
    pub site: String,
    pub volume_ml: f64,
    pub status: SampleState,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sample_events)]
pub struct SampleEventRow {
    pub id: SampleEventId,
    pub sample_id: SampleId,
    pub kind: String,
    pub at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
    pub actor_id: UserId,
    pub patient_id: Option<PatientId>,
    pub details: String,
}

pub fn insert(conn: &mut DbConnection, row: &SampleRow) -> QueryResult<usize> {
    diesel::insert_into(samples::table)
        .values(row)
        .execute(conn)
}

pub fn find(conn: &mut DbConnection, id: SampleId) -> QueryResult<Option<SampleRow>> {
    samples::table
        .find(id)
        .select(SampleRow::as_select())
        .first(conn)
        .optional()
}

pub fn of_patient(conn: &mut DbConnection, patient: PatientId) -> QueryResult<Vec<SampleRow>> {
    samples::table
        .filter(samples::patient_id.eq(patient))
        .select(SampleRow::as_select())
        .order(samples::harvested_at.desc())
        .load(conn)
}

pub fn events(conn: &mut DbConnection, sample: SampleId) -> QueryResult<Vec<SampleEventRow>> {
    sample_events::table
        .filter(sample_events::sample_id.eq(sample))
        .select(SampleEventRow::as_select())
        .order((sample_events::recorded_at.asc(), sample_events::id.asc()))
        .load(conn)
}

/// Records an event and moves the sample, if it is still in the state the caller read.
pub fn record(
    conn: &mut DbConnection,
    event: &SampleEventRow,
    from: SampleState,
    to: SampleState,
) -> QueryResult<bool> {
    let moved = diesel::update(
        samples::table
            .filter(samples::id.eq(event.sample_id))
            .filter(samples::status.eq(from)),
    )
    .set(samples::status.eq(to))
    .execute(conn)?;
    if moved != 1 {
        return Ok(false);
    }
    diesel::insert_into(sample_events::table)
        .values(event)
        .execute(conn)?;
    Ok(true)
}

pub fn of_procedure(
    conn: &mut DbConnection,
    procedure: ProcedureId,
) -> QueryResult<Vec<SampleRow>> {
    samples::table
        .filter(samples::procedure_id.eq(procedure))
        .select(SampleRow::as_select())
        .load(conn)
}
