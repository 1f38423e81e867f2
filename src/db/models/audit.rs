//! The audit log table: appended in chained batches, read by admins, checked by `verify`.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::stamp::Stamp;
use crate::db::types::{AuditId, PatientId, UserId};
use crate::db::DbConnection;

/// `None` is bound as NULL, never left to `DEFAULT`: so the SQLite single-row insert
/// has one fixed text (prepared once per connection), and a PostgreSQL chunk is one
/// statement.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
pub struct AuditRow {
    pub seq: i64,
    pub id: AuditId,
    pub at: NaiveDateTime,
    pub actor_id: Option<UserId>,
    pub actor_role: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub patient_id: Option<PatientId>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The newest row's sequence number and hash (the chain head), if any.
pub fn head(conn: &mut DbConnection) -> QueryResult<Option<(i64, String)>> {
    crate::db::native!(conn, |c| audit_log::table
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(c)
        .optional())
}

/// PostgreSQL: takes the chain's transaction-scoped advisory lock `key`, then reads
/// the head as committed once the lock was granted, in one round trip (the function
/// `audit_chain_head`, migration 000011).
pub fn lock_and_head(
    pg: &mut diesel::PgConnection,
    key: i64,
) -> QueryResult<Option<(i64, String)>> {
    #[derive(QueryableByName)]
    struct Head {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        seq: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        hash: Option<String>,
    }
    let head: Head = diesel::sql_query("SELECT seq, hash FROM audit_chain_head($1)")
        .bind::<diesel::sql_types::BigInt, _>(key)
        .get_result(pg)?;
    Ok(head.seq.zip(head.hash))
}

pub fn insert(conn: &mut DbConnection, row: &AuditRow) -> QueryResult<usize> {
    diesel::insert_into(audit_log::table)
        .values(row)
        .execute(conn)
}

/// An [`AuditRow`] as inserted: the same columns, borrowed, with the time bound as a
/// [`Stamp`] (written without chrono's format machinery on SQLite).
#[derive(Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
struct NewAuditRow<'a> {
    seq: i64,
    id: AuditId,
    at: Stamp,
    actor_id: Option<UserId>,
    actor_role: Option<&'a str>,
    action: &'a str,
    entity_type: &'a str,
    entity_id: Option<&'a str>,
    patient_id: Option<PatientId>,
    ip: Option<&'a str>,
    request_id: Option<&'a str>,
    prev_hash: &'a str,
    hash: &'a str,
}

impl<'a> From<&'a AuditRow> for NewAuditRow<'a> {
    fn from(row: &'a AuditRow) -> Self {
        NewAuditRow {
            seq: row.seq,
            id: row.id,
            at: Stamp(row.at),
            actor_id: row.actor_id,
            actor_role: row.actor_role.as_deref(),
            action: &row.action,
            entity_type: &row.entity_type,
            entity_id: row.entity_id.as_deref(),
            patient_id: row.patient_id,
            ip: row.ip.as_deref(),
            request_id: row.request_id.as_deref(),
            prev_hash: &row.prev_hash,
            hash: &row.hash,
        }
    }
}

/// Inserts chained rows, in order.
///
/// - SQLite: one single-row statement per row. Its text never changes, so diesel
///   prepares it once per connection and each row is a bind and a step, in-process.
///   A multi-row statement's text changes with the number of rows, so SQLite parsed
///   and planned it afresh for every batch: 16 % of the writer's time during the week
///   view (40 rows a request), more than the rows' B-tree inserts.
/// - PostgreSQL: one multi-row statement per chunk of 500 (13 values a row, well
///   under its 65,535 parameters), so a batch is one round trip.
pub fn insert_all(conn: &mut DbConnection, rows: &[AuditRow]) -> QueryResult<usize> {
    match conn {
        DbConnection::Sqlite(lite) => rows.iter().try_fold(0, |inserted, row| {
            Ok(inserted
                + diesel::insert_into(audit_log::table)
                    .values(NewAuditRow::from(row))
                    .execute(lite)?)
        }),
        DbConnection::Postgres(pg) => rows.chunks(500).try_fold(0, |inserted, chunk| {
            let chunk: Vec<NewAuditRow<'_>> = chunk.iter().map(NewAuditRow::from).collect();
            Ok(inserted
                + diesel::insert_into(audit_log::table)
                    .values(chunk)
                    .execute(pg)?)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> AuditRow {
        AuditRow {
            seq: 1,
            id: AuditId::new(),
            at: crate::db::now(),
            actor_id: None,
            actor_role: None,
            action: "read".into(),
            entity_type: "patient".into(),
            entity_id: None,
            patient_id: None,
            ip: None,
            request_id: None,
            prev_hash: "0".repeat(64),
            hash: "1".repeat(64),
        }
    }

    /// On SQLite each row goes in through one statement that diesel prepares once per
    /// connection: its query id is static only while every column is bound (a value
    /// left to `DEFAULT`, or a boxed part, would make diesel build and prepare it for
    /// every row). `static_id` is the check: with `treat_none_as_default_value` on,
    /// the insert's query id is no longer static.
    #[test]
    fn the_sqlite_row_insert_is_a_statement_prepared_once() {
        use diesel::query_builder::QueryId;
        let row = row();
        let insert = diesel::insert_into(audit_log::table).values(NewAuditRow::from(&row));
        fn static_id<Q: QueryId>(_: &Q) -> bool {
            Q::HAS_STATIC_QUERY_ID && Q::query_id().is_some()
        }
        assert!(static_id(&insert));
    }

    /// On PostgreSQL a chunk of rows is one statement, so one round trip.
    #[test]
    fn a_postgres_chunk_of_audit_rows_is_one_statement() {
        let rows = [row(), row()];
        let chunk: Vec<NewAuditRow<'_>> = rows.iter().map(NewAuditRow::from).collect();
        let insert = diesel::insert_into(audit_log::table).values(chunk);
        let pg = diesel::debug_query::<diesel::pg::Pg, _>(&insert).to_string();
        assert_eq!(pg.matches("INSERT INTO").count(), 1, "{pg}");
        assert!(!pg.contains("DEFAULT"), "{pg}");
    }
}

/// Filters for the admin's audit view.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub patient_id: Option<PatientId>,
    pub actor_id: Option<UserId>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub actions: Option<Vec<String>>,
    pub before_seq: Option<i64>,
}

/// Rows matching the filter, newest first.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .select(AuditRow::as_select())
        .order(audit_log::seq.desc())
        .limit(limit)
        .into_boxed();
    if let Some(p) = filter.patient_id {
        query = query.filter(audit_log::patient_id.eq(p));
    }
    if let Some(a) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(a));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::at.lt(to));
    }
    if let Some(actions) = &filter.actions {
        query = query.filter(audit_log::action.eq_any(actions.clone()));
    }
    if let Some(seq) = filter.before_seq {
        query = query.filter(audit_log::seq.lt(seq));
    }
    query.load(conn)
}

/// Rows in chain order from `after_seq`, a chunk at a time (for verification).
pub fn chunk_after(
    conn: &mut DbConnection,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    audit_log::table
        .select(AuditRow::as_select())
        .filter(audit_log::seq.gt(after_seq))
        .order(audit_log::seq.asc())
        .limit(limit)
        .load(conn)
}

/// One row by its sequence number.
pub fn find_seq(conn: &mut DbConnection, seq: i64) -> QueryResult<Option<AuditRow>> {
    audit_log::table
        .select(AuditRow::as_select())
        .filter(audit_log::seq.eq(seq))
        .first(conn)
        .optional()
}

/// The last row chained without the keyed MAC (0: every row has it), as the
/// migration recorded it.
pub fn mac_start(conn: &mut DbConnection) -> QueryResult<i64> {
    use crate::db::schema::audit_mac_start;
    Ok(audit_mac_start::table
        .select(audit_mac_start::seq)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}
