//! Adverse events and the regulator's reporting deadline.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::adverse_events;
use crate::db::types::{AdverseEventId, PatientId, ProcedureId, UserId};
use crate::db::DbConnection;
use crate::domain::adverse::{AdverseKind, Phase, Severity};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = adverse_events, treat_none_as_null = true)]
pub struct AdverseEventRow {
    pub id: AdverseEventId,
    pub patient_id: PatientId,
    pub procedure_id: Option<ProcedureId>,
    pub onset_at: NaiveDateTime,
    pub kind: AdverseKind,
    pub severity: Severity,
    pub phase: Phase,
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

/// What `GET /adverse-events` asks for.
#[derive(Debug, Clone, Default)]
pub struct AdverseFilter {
    /// Serious events not yet reported whose deadline falls before this.
    pub report_due_before: Option<NaiveDateTime>,
    pub patient_id: Option<PatientId>,
    pub severity: Option<Severity>,
    /// The page starts after this (recorded_at, id), newest first.
    pub after: Option<(NaiveDateTime, AdverseEventId)>,
}

/// Adverse events, newest recorded first, filtered; at most `limit` rows.
pub fn list(
    conn: &mut DbConnection,
    filter: &AdverseFilter,
    limit: i64,
) -> QueryResult<Vec<AdverseEventRow>> {
    let mut query = adverse_events::table
        .select(AdverseEventRow::as_select())
        .order((
            adverse_events::recorded_at.desc(),
            adverse_events::id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(before) = filter.report_due_before {
        query = query
            .filter(adverse_events::reported_at.is_null())
            .filter(adverse_events::report_due_at.lt(before));
    }
    if let Some(patient) = filter.patient_id {
        query = query.filter(adverse_events::patient_id.eq(patient));
    }
    if let Some(severity) = filter.severity {
        query = query.filter(adverse_events::severity.eq(severity));
    }
    if let Some((at, id)) = filter.after {
        query = query.filter(
            adverse_events::recorded_at
                .lt(at)
                .or(adverse_events::recorded_at
                    .eq(at)
                    .and(adverse_events::id.lt(id))),
        );
    }
    query.load(conn)
}
