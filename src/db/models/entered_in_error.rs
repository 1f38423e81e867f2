//! Items marked entered in error. Each mark is its own row, so signed notes stay
//! untouched; the chart, `/me` and the exports leave marked items out.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::entered_in_error;
use crate::db::types::UserId;
use crate::db::DbConnection;

crate::typed_id!(
    /// The id of whatever row a mark names (a consultation, procedure, measurement, …).
    MarkedId
);

/// `entity_type` of each kind of item that can be marked.
pub const CONSULTATION: &str = "consultation";
pub const PROCEDURE: &str = "procedure";
pub const MEASUREMENT: &str = "measurement";
pub const ADVERSE_EVENT: &str = "adverse_event";
pub const PHOTO: &str = "photo";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = entered_in_error)]
pub struct EnteredInErrorRow {
    pub id: MarkedId,
    pub entity_type: String,
    pub entity_id: MarkedId,
    pub reason: String,
    pub by_user: UserId,
    pub at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &EnteredInErrorRow) -> QueryResult<usize> {
    diesel::insert_into(entered_in_error::table)
        .values(row)
        .execute(conn)
}

/// Which of these ids are marked (of any type: our ids are UUIDs, unique across tables).
pub fn marked_among(
    conn: &mut DbConnection,
    ids: &[uuid::Uuid],
) -> QueryResult<Vec<(String, MarkedId)>> {
    let mut marked = Vec::new();
    // Bounded IN lists: SQLite limits the number of bound parameters.
    for chunk in ids.chunks(500) {
        let chunk: Vec<MarkedId> = chunk.iter().copied().map(MarkedId).collect();
        marked.extend(
            entered_in_error::table
                .filter(entered_in_error::entity_id.eq_any(chunk))
                .select((entered_in_error::entity_type, entered_in_error::entity_id))
                .load::<(String, MarkedId)>(conn)?,
        );
    }
    Ok(marked)
}
