//! Patients: demographics and the search that finds them.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::patients;
use crate::db::types::PatientId;
use crate::db::{DbConnection, MultiBackend};
use crate::domain::patient::{prefix_upper_bound, PatientFields, SearchTerms};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = patients)]
pub struct PatientRow {
    pub id: PatientId,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// JSON object text.
    pub emergency_contact: Option<String>,
    /// JSON array text.
    pub allergies: String,
    /// JSON array text.
    pub medications: String,
    pub medical_history: Option<String>,
    pub fitzpatrick_type: Option<i32>,
    pub archived: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The stored form of validated fields (search keys included).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = patients, treat_none_as_null = true)]
pub struct PatientValues {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub emergency_contact: Option<String>,
    pub allergies: String,
    pub medications: String,
    pub medical_history: Option<String>,
    pub fitzpatrick_type: Option<i32>,
    pub given_name_search: String,
    pub family_name_search: String,
    pub email_search: Option<String>,
    pub phone_search: Option<String>,
}

impl From<&PatientFields> for PatientValues {
    fn from(f: &PatientFields) -> Self {
        let keys = f.search_keys();
        PatientValues {
            given_name: f.given_name.trim().to_owned(),
            family_name: f.family_name.trim().to_owned(),
            date_of_birth: f.date_of_birth,
            sex: f.sex.map(|s| s.as_str().to_owned()),
            phone: f.phone.clone(),
            email: f.email.as_deref().map(|e| e.trim().to_owned()),
            address: f.address.clone(),
            emergency_contact: f
                .emergency_contact
                .as_ref()
                .and_then(|c| serde_json::to_string(c).ok()),
            allergies: serde_json::to_string(&f.allergies).unwrap_or_else(|_| "[]".into()),
            medications: serde_json::to_string(&f.medications).unwrap_or_else(|_| "[]".into()),
            medical_history: f.medical_history.clone(),
            fitzpatrick_type: f.fitzpatrick_type,
            given_name_search: keys.given_name,
            family_name_search: keys.family_name,
            email_search: keys.email,
            phone_search: keys.phone,
        }
    }
}

/// Inserts a patient; `email_set_by` names who set the email on file (if any).
pub fn insert(
    conn: &mut DbConnection,
    id: PatientId,
    mrn: &str,
    values: &PatientValues,
    email_set_by: Option<crate::db::types::UserId>,
    now: NaiveDateTime,
) -> QueryResult<PatientRow> {
    insert_only(conn, id, mrn, values, email_set_by, now)?;
    patients::table
        .find(id)
        .select(PatientRow::as_select())
        .first(conn)
}

/// Inserts without reading the row back (bulk import).
pub fn insert_only(
    conn: &mut DbConnection,
    id: PatientId,
    mrn: &str,
    values: &PatientValues,
    email_set_by: Option<crate::db::types::UserId>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(patients::table)
        .values((
            patients::id.eq(id),
            patients::mrn.eq(mrn),
            values,
            patients::archived.eq(false),
            patients::version.eq(1_i64),
            patients::created_at.eq(now),
            patients::updated_at.eq(now),
            patients::email_set_by.eq(email_set_by),
            patients::email_set_at.eq(email_set_by.map(|_| now)),
        ))
        .execute(conn)
}

/// Records who set a patient's email just now (in the transaction that set it).
pub fn note_email_set(
    conn: &mut DbConnection,
    id: PatientId,
    by: crate::db::types::UserId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(patients::table.find(id))
        .set((
            patients::email_set_by.eq(Some(by)),
            patients::email_set_at.eq(Some(now)),
        ))
        .execute(conn)
}

/// Who last set the patient's email, and when (`None` if nobody has, or before this was kept).
pub fn email_set(
    conn: &mut DbConnection,
    id: PatientId,
) -> QueryResult<Option<(crate::db::types::UserId, NaiveDateTime)>> {
    let row: (Option<crate::db::types::UserId>, Option<NaiveDateTime>) = patients::table
        .find(id)
        .select((patients::email_set_by, patients::email_set_at))
        .first(conn)?;
    Ok(row.0.zip(row.1))
}

/// Whether an MRN is already assigned.
pub fn mrn_taken(conn: &mut DbConnection, mrn: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        patients::table.filter(patients::mrn.eq(mrn)),
    ))
    .get_result(conn)
}

/// A patient on file with the same (folded) names and date of birth, if any.
pub fn find_same_identity(
    conn: &mut DbConnection,
    given_folded: &str,
    family_folded: &str,
    date_of_birth: chrono::NaiveDate,
) -> QueryResult<Option<PatientId>> {
    patients::table
        .filter(patients::family_name_search.eq(family_folded))
        .filter(patients::given_name_search.eq(given_folded))
        .filter(patients::date_of_birth.eq(date_of_birth))
        .select(patients::id)
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: PatientId) -> QueryResult<Option<PatientRow>> {
    patients::table
        .find(id)
        .select(PatientRow::as_select())
        .first(conn)
        .optional()
}

/// Replaces the fields if the version still matches; `None` when it does not.
pub fn update(
    conn: &mut DbConnection,
    id: PatientId,
    values: &PatientValues,
    version: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<PatientRow>> {
    let updated = diesel::update(
        patients::table
            .filter(patients::id.eq(id))
            .filter(patients::version.eq(version)),
    )
    .set((
        values,
        patients::version.eq(version + 1),
        patients::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    find(conn, id)
}

pub fn archive(conn: &mut DbConnection, id: PatientId, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(patients::table.find(id))
        .set((
            patients::archived.eq(true),
            patients::version.eq(patients::version + 1),
            patients::updated_at.eq(now),
        ))
        .execute(conn)
}

type Predicate =
    Box<dyn BoxableExpression<patients::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// A page of patients matching `terms` (all when `None`), newest first, after the cursor.
/// Every branch is an index range, so the search stays fast at a million patients.
pub fn search(
    conn: &mut DbConnection,
    terms: Option<&SearchTerms>,
    include_archived: bool,
    after: Option<(NaiveDateTime, PatientId)>,
    limit: i64,
) -> QueryResult<Vec<PatientRow>> {
    search_query(terms, include_archived, after, limit).load(conn)
}

/// The search as one statement (the benchmark prints its plan).
pub fn search_query(
    terms: Option<&SearchTerms>,
    include_archived: bool,
    after: Option<(NaiveDateTime, PatientId)>,
    limit: i64,
) -> patients::BoxedQuery<'static, MultiBackend, diesel::dsl::AsSelect<PatientRow, MultiBackend>> {
    let mut query = patients::table
        .select(PatientRow::as_select())
        .order((patients::created_at.desc(), patients::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(t) = terms {
        query = match t {
            SearchTerms::DateOfBirth(d) => query.filter(patients::date_of_birth.eq(*d)),
            SearchTerms::Phone(digits) => query.filter(
                patients::phone_search
                    .ge(digits.clone())
                    .and(patients::phone_search.lt(prefix_upper_bound(digits))),
            ),
            SearchTerms::Email(p) => query.filter(
                patients::email_search
                    .ge(p.clone())
                    .and(patients::email_search.lt(prefix_upper_bound(p))),
            ),
            SearchTerms::Mrn { mrn, name } => query.filter(
                patients::mrn
                    .ge(mrn.clone())
                    .and(patients::mrn.lt(prefix_upper_bound(mrn)))
                    .or(patients::given_name_search
                        .ge(name.clone())
                        .and(patients::given_name_search.lt(prefix_upper_bound(name))))
                    .or(patients::family_name_search
                        .ge(name.clone())
                        .and(patients::family_name_search.lt(prefix_upper_bound(name)))),
            ),
            SearchTerms::Name { prefix, pair } => {
                let mut any: Predicate = Box::new(
                    patients::given_name_search
                        .ge(prefix.clone())
                        .and(patients::given_name_search.lt(prefix_upper_bound(prefix)))
                        .or(patients::family_name_search
                            .ge(prefix.clone())
                            .and(patients::family_name_search.lt(prefix_upper_bound(prefix)))),
                );
                if let Some((a, b)) = pair {
                    for (given, family) in [(a, b), (b, a)] {
                        any = Box::new(
                            any.or(patients::family_name_search
                                .ge(family.clone())
                                .and(patients::family_name_search.lt(prefix_upper_bound(family)))
                                .and(patients::given_name_search.ge(given.clone()))
                                .and(patients::given_name_search.lt(prefix_upper_bound(given)))),
                        );
                    }
                }
                query.filter(any)
            }
        };
    }
    if !include_archived {
        query = query.filter(patients::archived.eq(false));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            patients::created_at
                .lt(at)
                .or(patients::created_at.eq(at).and(patients::id.lt(id))),
        );
    }
    query
}
