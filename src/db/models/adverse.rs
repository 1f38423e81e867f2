//! Adverse events and the regulator's reporting deadline.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::adverse_events;
use crate::db::types::{AdverseEventId, PatientId, ProcedureId, UserId};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = adverse_events, treat_none_as_null = true)]
pub struct AdverseEventRow {
    pub id: AdverseEventId,
    pub patient_id: PatientId,
    pub procedure_id: Option<ProcedureId>,
    pub onset_at: NaiveDateTime,
    pub kind: String,
    pub severity: String,
    pub phase: String,
    pub description: String,
    pub action_taken: String,
    pub resolved_at: Option<NaiveDateTime>,
    pub recorded_by: UserId,
    pub recorded_at: NaiveDateTime,
    pub report_due_at: Option<NaiveDateTime>,
    pub reported_at: Option<NaiveDateTime>,
    pub report_reference: Option<String>,
    pub version: i64,
}

pub fn insert(conn: &mut DbConnection, row: &AdverseEventRow) -> QueryResult<usize> {
    diesel::insert_into(adverse_events::table)
        .values(row)
        .execute(conn)
}

pub fn find(conn: &mut DbConnection, id: AdverseEventId) -> QueryResult<Option<AdverseEventRow>> {
    adverse_events::table
        .find(id)
        .select(AdverseEventRow::as_select())
        .first(conn)
        .optional()
}

pub fn save(conn: &mut DbConnection, row: &AdverseEventRow, expected: i64) -> QueryResult<bool> {
    let n = diesel::update(
        adverse_events::table
            .filter(adverse_events::id.eq(row.id))
            .filter(adverse_events::version.eq(expected)),
    )
    .set(row)
    .execute(conn)?;
    Ok(n == 1)
}

pub fn of_patient(
    conn: &mut DbConnection,
    patient: PatientId,
) -> QueryResult<Vec<AdverseEventRow>> {
    adverse_events::table
        .filter(adverse_events::patient_id.eq(patient))
        .select(AdverseEventRow::as_select())
        .order(adverse_events::recorded_at.desc())
        .load(conn)
}

/// Serious events not yet reported whose deadline falls before `before`.
pub fn reports_due(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<Vec<AdverseEventRow>> {
    adverse_events::table
        .filter(adverse_events::reported_at.is_null())
        .filter(adverse_events::report_due_at.lt(before))
        .select(AdverseEventRow::as_select())
        .order(adverse_events::report_due_at.asc())
        .load(conn)
}
