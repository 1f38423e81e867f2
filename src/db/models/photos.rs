//! Clinical photos: the metadata rows (the bytes live in the media store).
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{entered_in_error, photos};
use crate::db::types::{AppointmentId, PatientId, PhotoId, ProcedureId, UserId};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = photos)]
pub struct PhotoRow {
    pub id: PhotoId,
    pub patient_id: PatientId,
    pub taken_at: NaiveDateTime,
    pub kind: String,
    pub view: String,
    pub appointment_id: Option<AppointmentId>,
    pub procedure_id: Option<ProcedureId>,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub byte_size: i64,
    /// The media-store key of the re-encoded file (SHA-256 of its bytes, hex).
    pub sha256: String,
    /// The media-store key of the thumbnail.
    pub thumb_sha256: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub taken_by: UserId,
    pub created_at: NaiveDateTime,
}

/// Optional filters of a patient's photo list.
#[derive(Debug, Clone, Default)]
pub struct PhotoFilter {
    pub view: Option<&'static str>,
    pub kind: Option<&'static str>,
}

pub fn insert(conn: &mut DbConnection, row: &PhotoRow) -> QueryResult<usize> {
    diesel::insert_into(photos::table).values(row).execute(conn)
}

/// A photo that is not marked entered in error (a marked photo — perhaps another
/// patient's face filed in this chart — is served to nobody).
pub fn find(conn: &mut DbConnection, id: PhotoId) -> QueryResult<Option<PhotoRow>> {
    photos::table
        .find(id)
        .filter(diesel::dsl::not(diesel::dsl::exists(
            entered_in_error::table.filter(entered_in_error::entity_id.eq(photos::id)),
        )))
        .select(PhotoRow::as_select())
        .first(conn)
        .optional()
}

/// A photo whether marked or not (for marking it).
pub fn find_including_marked(
    conn: &mut DbConnection,
    id: PhotoId,
) -> QueryResult<Option<PhotoRow>> {
    photos::table
        .find(id)
        .select(PhotoRow::as_select())
        .first(conn)
        .optional()
}

/// Whether any photo row still names this media key (as its file or its thumbnail).
pub fn key_in_use(conn: &mut DbConnection, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        photos::table.filter(photos::sha256.eq(key).or(photos::thumb_sha256.eq(key))),
    ))
    .get_result(conn)
}

/// A page of a patient's photos, newest first (by `taken_at`), strictly after the
/// cursor, optionally of one view or kind.
pub fn list(
    conn: &mut DbConnection,
    patient: PatientId,
    filter: &PhotoFilter,
    after: Option<(NaiveDateTime, PhotoId)>,
    limit: i64,
) -> QueryResult<Vec<PhotoRow>> {
    let mut q = photos::table
        .filter(photos::patient_id.eq(patient))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            entered_in_error::table.filter(entered_in_error::entity_id.eq(photos::id)),
        )))
        .select(PhotoRow::as_select())
        .order((photos::taken_at.desc(), photos::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(view) = filter.view {
        q = q.filter(photos::view.eq(view));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(photos::kind.eq(kind));
    }
    if let Some((at, id)) = after {
        q = q.filter(
            photos::taken_at
                .lt(at)
                .or(photos::taken_at.eq(at).and(photos::id.lt(id))),
        );
    }
    q.load(conn)
}

/// Every photo of a patient, newest first: what the chart and `/me` list (photos
/// marked entered in error are left out here, in `list` and in `latest_of_view`).
pub fn of_patient(conn: &mut DbConnection, patient: PatientId) -> QueryResult<Vec<PhotoRow>> {
    photos::table
        .filter(photos::patient_id.eq(patient))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            entered_in_error::table.filter(entered_in_error::entity_id.eq(photos::id)),
        )))
        .select(PhotoRow::as_select())
        .order((photos::taken_at.desc(), photos::id.desc()))
        .load(conn)
}

/// How many photos are linked to a procedure (a draft with photos cannot be deleted).
pub fn count_of_procedure(conn: &mut DbConnection, procedure: ProcedureId) -> QueryResult<i64> {
    photos::table
        .filter(photos::procedure_id.eq(procedure))
        .count()
        .get_result(conn)
}

/// The newest photo of this view whose kind is one of `kinds`, taken no later than
/// `not_after` when given.
pub fn latest_of_view(
    conn: &mut DbConnection,
    patient: PatientId,
    view: &str,
    kinds: &[&str],
    not_after: Option<NaiveDateTime>,
) -> QueryResult<Option<PhotoRow>> {
    let mut q = photos::table
        .filter(photos::patient_id.eq(patient))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            entered_in_error::table.filter(entered_in_error::entity_id.eq(photos::id)),
        )))
        .filter(photos::view.eq(view.to_owned()))
        .filter(photos::kind.eq_any(kinds.iter().map(|k| (*k).to_owned())))
        .select(PhotoRow::as_select())
        .order((photos::taken_at.desc(), photos::id.desc()))
        .into_boxed();
    if let Some(at) = not_after {
        q = q.filter(photos::taken_at.le(at));
    }
    q.first(conn).optional()
}
