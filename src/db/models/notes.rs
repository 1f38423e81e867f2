//! Consultation and procedure notes, their amendments and product lots.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{amendments, consultations, procedure_products, procedures};
use crate::db::types::{
    AmendmentId, AppointmentId, ConsentId, ConsultationId, NoteId, PatientId, ProcedureId,
    ServiceId, UserId,
};
use crate::db::DbConnection;
use crate::domain::clinical::{Eligibility, NoteStatus};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = consultations, treat_none_as_null = true)]
pub struct ConsultationRow {
    pub id: ConsultationId,
    pub patient_id: PatientId,
    pub appointment_id: Option<AppointmentId>,
    pub author_id: UserId,
    pub status: NoteStatus,
    pub concerns: String,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub contraindications: String,
    pub contraindication_other: Option<String>,
    pub contraindication_overrides: String,
    pub eligibility: Eligibility,
    pub signed_at: Option<NaiveDateTime>,
    pub signed_by: Option<UserId>,
    pub content_sha256: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = procedures, treat_none_as_null = true)]
pub struct ProcedureRow {
    pub id: ProcedureId,
    pub patient_id: PatientId,
    pub appointment_id: AppointmentId,
    pub service_id: ServiceId,
    pub consent_id: Option<ConsentId>,
    pub author_id: UserId,
    pub status: NoteStatus,
    pub performed_at: NaiveDateTime,
    pub preparation: String,
    pub harvest: String,
    pub processing: String,
    pub application: String,
    pub products: String,
    pub complications: String,
    pub aftercare: String,
    pub signed_at: Option<NaiveDateTime>,
    pub signed_by: Option<UserId>,
    pub content_sha256: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = amendments)]
pub struct AmendmentRow {
    pub id: AmendmentId,
    pub note_type: String,
    pub note_id: NoteId,
    pub author_id: UserId,
    pub at: NaiveDateTime,
    pub reason: String,
    pub changes: String,
    pub sha256: String,
}

pub fn insert_consultation(conn: &mut DbConnection, row: &ConsultationRow) -> QueryResult<usize> {
    diesel::insert_into(consultations::table)
        .values(row)
        .execute(conn)
}

pub fn find_consultation(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Option<ConsultationRow>> {
    consultations::table
        .find(id)
        .select(ConsultationRow::as_select())
        .first(conn)
        .optional()
}

/// Saves a draft (an edit, or its signing) if nobody saved it since `expected`: the UPDATE
/// matches only a row still in `draft`, so a signed note is never written over.
pub fn save_consultation(
    conn: &mut DbConnection,
    row: &ConsultationRow,
    expected: i64,
) -> QueryResult<bool> {
    let n = diesel::update(
        consultations::table
            .filter(consultations::id.eq(row.id))
            .filter(consultations::status.eq(NoteStatus::Draft))
            .filter(consultations::version.eq(expected)),
    )
    .set(row)
    .execute(conn)?;
    Ok(n == 1)
}

/// The patient's latest consultation signed at or before `at` (the eligibility gate reads it).
pub fn latest_signed_consultation(
    conn: &mut DbConnection,
    patient: PatientId,
    at: NaiveDateTime,
) -> QueryResult<Option<ConsultationRow>> {
    consultations::table
        .filter(consultations::patient_id.eq(patient))
        .filter(consultations::status.eq(NoteStatus::Signed))
        .filter(consultations::signed_at.le(at))
        .select(ConsultationRow::as_select())
        .order(consultations::signed_at.desc())
        .first(conn)
        .optional()
}

pub fn consultations_of(
    conn: &mut DbConnection,
    patient: PatientId,
) -> QueryResult<Vec<ConsultationRow>> {
    consultations::table
        .filter(consultations::patient_id.eq(patient))
        .select(ConsultationRow::as_select())
        .order(consultations::created_at.desc())
        .load(conn)
}

pub fn insert_procedure(conn: &mut DbConnection, row: &ProcedureRow) -> QueryResult<usize> {
    diesel::insert_into(procedures::table)
        .values(row)
        .execute(conn)
}

pub fn find_procedure(
    conn: &mut DbConnection,
    id: ProcedureId,
) -> QueryResult<Option<ProcedureRow>> {
    procedures::table
        .find(id)
        .select(ProcedureRow::as_select())
        .first(conn)
        .optional()
}

/// Saves a draft (an edit, or its signing) if nobody saved it since `expected`: the UPDATE
/// matches only a row still in `draft`, so a signed note is never written over.
pub fn save_procedure(
    conn: &mut DbConnection,
    row: &ProcedureRow,
    expected: i64,
) -> QueryResult<bool> {
    let n = diesel::update(
        procedures::table
            .filter(procedures::id.eq(row.id))
            .filter(procedures::status.eq(NoteStatus::Draft))
            .filter(procedures::version.eq(expected)),
    )
    .set(row)
    .execute(conn)?;
    Ok(n == 1)
}

pub fn procedures_of(
    conn: &mut DbConnection,
    patient: PatientId,
) -> QueryResult<Vec<ProcedureRow>> {
    procedures::table
        .filter(procedures::patient_id.eq(patient))
        .select(ProcedureRow::as_select())
        .order(procedures::performed_at.desc())
        .load(conn)
}

/// Replaces a draft's product lots (the recall index).
pub fn replace_products(
    conn: &mut DbConnection,
    procedure: ProcedureId,
    products: &[(String, String, chrono::NaiveDate)],
) -> QueryResult<()> {
    diesel::delete(
        procedure_products::table.filter(procedure_products::procedure_id.eq(procedure)),
    )
    .execute(conn)?;
    for (i, (name, lot, expiry)) in products.iter().enumerate() {
        diesel::insert_into(procedure_products::table)
            .values((
                procedure_products::procedure_id.eq(procedure),
                procedure_products::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
                procedure_products::name.eq(name),
                procedure_products::lot_number.eq(lot),
                procedure_products::expiry_date.eq(expiry),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Procedures that used a product lot (a recall), newest first.
pub fn procedures_with_lot(conn: &mut DbConnection, lot: &str) -> QueryResult<Vec<ProcedureRow>> {
    let ids: Vec<ProcedureId> = procedure_products::table
        .filter(procedure_products::lot_number.eq(lot))
        .select(procedure_products::procedure_id)
        .load(conn)?;
    procedures::table
        .filter(procedures::id.eq_any(ids))
        .select(ProcedureRow::as_select())
        .order(procedures::performed_at.desc())
        .load(conn)
}

pub fn insert_amendment(conn: &mut DbConnection, row: &AmendmentRow) -> QueryResult<usize> {
    diesel::insert_into(amendments::table)
        .values(row)
        .execute(conn)
}

pub fn amendments_of(
    conn: &mut DbConnection,
    note_type: &str,
    note: NoteId,
) -> QueryResult<Vec<AmendmentRow>> {
    amendments::table
        .filter(amendments::note_type.eq(note_type))
        .filter(amendments::note_id.eq(note))
        .select(AmendmentRow::as_select())
        .order((amendments::at.asc(), amendments::id.asc()))
        .load(conn)
}

/// Deletes a draft consultation (a signed one is refused by the database too).
pub fn delete_consultation(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<usize> {
    diesel::delete(
        consultations::table
            .filter(consultations::id.eq(id))
            .filter(consultations::status.eq(NoteStatus::Draft)),
    )
    .execute(conn)
}

/// Deletes a draft procedure note and its lots.
pub fn delete_procedure(conn: &mut DbConnection, id: ProcedureId) -> QueryResult<usize> {
    diesel::delete(procedure_products::table.filter(procedure_products::procedure_id.eq(id)))
        .execute(conn)?;
    diesel::delete(
        procedures::table
            .filter(procedures::id.eq(id))
            .filter(procedures::status.eq(NoteStatus::Draft)),
    )
    .execute(conn)
}

/// Adds lots to a procedure's recall index after its existing ones (an amendment).
pub fn add_products(
    conn: &mut DbConnection,
    procedure: ProcedureId,
    products: &[(String, String, chrono::NaiveDate)],
) -> QueryResult<()> {
    let existing: Vec<(String, i32)> = procedure_products::table
        .filter(procedure_products::procedure_id.eq(procedure))
        .select((procedure_products::lot_number, procedure_products::position))
        .load(conn)?;
    let mut next = existing.iter().map(|(_, p)| *p).max().map_or(0, |p| p + 1);
    for (name, lot, expiry) in products {
        if existing.iter().any(|(l, _)| l == lot) {
            continue;
        }
        diesel::insert_into(procedure_products::table)
            .values((
                procedure_products::procedure_id.eq(procedure),
                procedure_products::position.eq(next),
                procedure_products::name.eq(name),
                procedure_products::lot_number.eq(lot),
                procedure_products::expiry_date.eq(expiry),
            ))
            .execute(conn)?;
        next += 1;
    }
    Ok(())
}

/// Every signed procedure of a service not entered in error (each is one outcome series).
pub fn signed_procedures_of_service(
    conn: &mut DbConnection,
    service: ServiceId,
) -> QueryResult<Vec<ProcedureRow>> {
    procedures::table
        .filter(procedures::service_id.eq(service))
        .filter(procedures::status.eq(NoteStatus::Signed))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            crate::db::schema::entered_in_error::table
                .filter(crate::db::schema::entered_in_error::entity_id.eq(procedures::id)),
        )))
        .select(ProcedureRow::as_select())
        .order(procedures::performed_at.asc())
        .load(conn)
}
