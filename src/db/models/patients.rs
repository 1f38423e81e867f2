//! Patients: demographics and the search that finds them.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::patients;
use crate::db::stamp::Stamp;
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
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub updated_at: NaiveDateTime,
}

/// The stored form of validated fields (search keys included). `None` is bound as
/// NULL, never left to `DEFAULT` (so many rows go in one SQLite statement).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = patients,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
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
    crate::db::native!(conn, |c| patients::table
        .find(id)
        .select(PatientRow::as_select())
        .first(c))
}

/// Inserts without reading the row back.
pub fn insert_only(
    conn: &mut DbConnection,
    id: PatientId,
    mrn: &str,
    values: &PatientValues,
    email_set_by: Option<crate::db::types::UserId>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    crate::db::native!(conn, |c| diesel::insert_into(patients::table)
        .values((
            patients::id.eq(id),
            patients::mrn.eq(mrn),
            values,
            patients::archived.eq(false),
            patients::version.eq(1_i64),
            patients::created_at.eq(Stamp(now)),
            patients::updated_at.eq(Stamp(now)),
            patients::email_set_by.eq(email_set_by),
            patients::email_set_at.eq(email_set_by.map(|_| Stamp(now))),
        ))
        .execute(c))
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

/// A new patient's whole row, for inserting many in one statement.
#[derive(Debug, Insertable)]
#[diesel(table_name = patients, treat_none_as_default_value = false)]
pub struct NewPatient {
    pub id: PatientId,
    pub mrn: String,
    #[diesel(embed)]
    pub values: PatientValues,
    pub archived: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub email_set_by: Option<crate::db::types::UserId>,
    pub email_set_at: Option<NaiveDateTime>,
}

impl NewPatient {
    /// A new patient as `insert_only` writes one: version 1, not archived, created now.
    pub fn new(
        id: PatientId,
        mrn: String,
        values: PatientValues,
        email_set_by: Option<crate::db::types::UserId>,
        now: NaiveDateTime,
    ) -> Self {
        NewPatient {
            id,
            mrn,
            values,
            archived: false,
            version: 1,
            created_at: now,
            updated_at: now,
            email_set_by,
            email_set_at: email_set_by.map(|_| now),
        }
    }
}

/// The columns of a `NewPatient` (each row binds this many values).
const NEW_PATIENT_COLUMNS: usize = 24;

/// Rows per multi-row INSERT: under SQLite's 32,766 variables and PostgreSQL's
/// 65,535 bind parameters per statement.
pub const ROWS_PER_INSERT: usize = 1000;
const _: () = assert!(ROWS_PER_INSERT * NEW_PATIENT_COLUMNS < 32_766);

/// Inserts new patients in order, `ROWS_PER_INSERT` rows per statement.
pub fn insert_many(conn: &mut DbConnection, rows: &[NewPatient]) -> QueryResult<usize> {
    let mut inserted = 0;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        inserted += crate::db::insert_rows!(conn, patients::table, chunk)?;
    }
    Ok(inserted)
}

/// Which of these MRNs are already assigned.
pub fn mrns_taken(
    conn: &mut DbConnection,
    mrns: &[String],
) -> QueryResult<std::collections::HashSet<String>> {
    let mut taken = std::collections::HashSet::new();
    for chunk in mrns.chunks(ROWS_PER_INSERT) {
        let found: Vec<String> = patients::table
            .filter(patients::mrn.eq_any(chunk))
            .select(patients::mrn)
            .load(conn)?;
        taken.extend(found);
    }
    Ok(taken)
}

/// An identity `find_same_identities` looks up: folded given name, folded family
/// name, date of birth (as `domain::patient_import::identity_key` makes it).
pub type IdentityKey = (String, String, NaiveDate);

#[derive(QueryableByName)]
struct IdentityMatch {
    #[diesel(sql_type = crate::db::types::DbUuid)]
    id: PatientId,
    #[diesel(sql_type = diesel::sql_types::Text)]
    given_name_search: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    family_name_search: String,
    #[diesel(sql_type = diesel::sql_types::Date)]
    date_of_birth: NaiveDate,
}

/// Keys looked up per statement (three bound values each).
const KEYS_PER_LOOKUP: usize = 1000;

/// For each key that patients on file share (the same folded given and family names
/// and date of birth, archived or not), one such patient; one statement per
/// `KEYS_PER_LOOKUP` keys, each key probing an index.
pub fn find_same_identities(
    conn: &mut DbConnection,
    keys: &[IdentityKey],
) -> QueryResult<std::collections::HashMap<IdentityKey, PatientId>> {
    use diesel::sql_types::{Date, Text};
    let mut found = std::collections::HashMap::new();
    for chunk in keys.chunks(KEYS_PER_LOOKUP) {
        let rows: Vec<IdentityMatch> = match conn {
            DbConnection::Postgres(pg) => {
                let mut query = diesel::sql_query(identity_lookup_sql(chunk.len(), true))
                    .into_boxed::<diesel::pg::Pg>();
                for (given, family, born) in chunk {
                    query = query
                        .bind::<Text, _>(family)
                        .bind::<Text, _>(given)
                        .bind::<Date, _>(*born);
                }
                query.load(pg)?
            }
            DbConnection::Sqlite(lite) => {
                let mut query = diesel::sql_query(identity_lookup_sql(chunk.len(), false))
                    .into_boxed::<diesel::sqlite::Sqlite>();
                for (given, family, born) in chunk {
                    query = query
                        .bind::<Text, _>(family)
                        .bind::<Text, _>(given)
                        .bind::<Date, _>(*born);
                }
                query.load(lite)?
            }
        };
        for row in rows {
            found
                .entry((
                    row.given_name_search,
                    row.family_name_search,
                    row.date_of_birth,
                ))
                .or_insert(row.id);
        }
    }
    Ok(found)
}

/// `SELECT … FROM (VALUES (family, given, born), …) CROSS JOIN patients`: SQLite
/// keeps the list as the outer loop and probes the (family, given) index per key;
/// PostgreSQL plans the join freely (`numbered`: its `$n` parameters).
fn identity_lookup_sql(keys: usize, numbered: bool) -> String {
    use std::fmt::Write;
    let mut sql = String::from(
        "SELECT p.id, p.given_name_search, p.family_name_search, p.date_of_birth \
         FROM (VALUES ",
    );
    for i in 0..keys {
        if i > 0 {
            sql.push_str(", ");
        }
        if numbered {
            let n = 3 * i;
            let _ = write!(sql, "(${}, ${}, ${})", n + 1, n + 2, n + 3);
        } else {
            sql.push_str("(?, ?, ?)");
        }
    }
    sql.push_str(
        ") AS k CROSS JOIN patients p \
         WHERE p.family_name_search = k.column1 AND p.given_name_search = k.column2 AND ",
    );
    // Without statistics SQLite would probe the date-of-birth index and visit every
    // patient born that day; the unary `+` leaves it the names' index.
    sql.push_str(if numbered { "" } else { "+" });
    sql.push_str("p.date_of_birth = k.column3");
    sql
}

pub fn find(conn: &mut DbConnection, id: PatientId) -> QueryResult<Option<PatientRow>> {
    crate::db::native!(conn, |c| patients::table
        .find(id)
        .select(PatientRow::as_select())
        .first(c)
        .optional())
}

/// Whether the patient is archived, `None` if there is no such patient: all a booking's
/// reference check needs, without decoding the whole record (17 columns).
pub fn archived(conn: &mut DbConnection, id: PatientId) -> QueryResult<Option<bool>> {
    crate::db::native!(conn, |c| patients::table
        .find(id)
        .select(patients::archived)
        .first(c)
        .optional())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn new_patient(i: usize, email: bool) -> NewPatient {
        let fields = PatientFields {
            given_name: format!("Given{i}"),
            family_name: format!("Family{i}"),
            date_of_birth: NaiveDate::from_ymd_opt(1980, 5, 17).unwrap(),
            sex: None,
            phone: None,
            email: email.then(|| format!("p{i}@example.org")),
            address: None,
            emergency_contact: None,
            allergies: Vec::new(),
            medications: Vec::new(),
            medical_history: None,
            fitzpatrick_type: None,
        };
        let by = email.then(crate::db::types::UserId::new);
        NewPatient::new(
            PatientId::new(),
            format!("DC-0000-{i:04}"),
            PatientValues::from(&fields),
            by,
            crate::db::now(),
        )
    }

    /// Diesel runs a SQLite batch insert as one statement per row when a value may be
    /// `DEFAULT`; every column of `NewPatient` is bound, so a chunk is one statement.
    #[test]
    fn a_chunk_of_new_patients_is_one_statement_on_both_backends() {
        let rows: Vec<NewPatient> = (0..3).map(|i| new_patient(i, i == 1)).collect();
        let insert = diesel::insert_into(patients::table).values(&rows[..]);
        let sqlite = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&insert).to_string();
        assert_eq!(sqlite.matches("INSERT INTO").count(), 1, "{sqlite}");
        assert!(!sqlite.contains("DEFAULT"), "{sqlite}");
        let pg = diesel::debug_query::<diesel::pg::Pg, _>(&insert).to_string();
        assert_eq!(pg.matches("INSERT INTO").count(), 1, "{pg}");
        // Every column of the table is named once.
        let list = &sqlite[sqlite.find('(').unwrap()..sqlite.find(')').unwrap()];
        assert_eq!(list.split(',').count(), NEW_PATIENT_COLUMNS, "{sqlite}");
    }

    /// The batched lookup answers what a lookup per key would (folded names, date
    /// of birth, archived or not), and on SQLite each key probes the names' index.
    #[test]
    fn the_identity_lookup_finds_exactly_the_shared_keys_through_the_names_index() {
        use diesel::sql_types::{Date, Text};
        let mut conn = DbConnection::Sqlite(
            diesel::SqliteConnection::establish(":memory:").expect("in-memory SQLite"),
        );
        crate::db::run_migrations(&mut conn).expect("migrations");
        let rows: Vec<NewPatient> = (0..5).map(|i| new_patient(i, false)).collect();
        assert_eq!(insert_many(&mut conn, &rows).unwrap(), 5);
        let born = NaiveDate::from_ymd_opt(1980, 5, 17).unwrap();
        let key = |g: &str, f: &str, d: NaiveDate| (g.to_owned(), f.to_owned(), d);
        let keys = [
            key("given1", "family1", born),
            key("given3", "family3", born),
            key("given1", "family3", born),
            key("given2", "family2", born.succ_opt().unwrap()),
            key("given9", "family9", born),
        ];
        let found = find_same_identities(&mut conn, &keys).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[&keys[0]], rows[1].id);
        assert_eq!(found[&keys[1]], rows[3].id);

        let DbConnection::Sqlite(lite) = &mut conn else {
            unreachable!()
        };
        let plan = crate::db::sqlite_plan(
            lite,
            diesel::sql_query(format!(
                "EXPLAIN QUERY PLAN {}",
                identity_lookup_sql(1, false)
            ))
            .bind::<Text, _>("family1")
            .bind::<Text, _>("given1")
            .bind::<Date, _>(born),
        );
        assert!(
            plan.iter()
                .any(|s| s.contains("SEARCH p USING INDEX patients_family_given_search")),
            "{plan:?}"
        );
    }

    #[test]
    fn the_identity_lookup_binds_three_values_per_key() {
        assert_eq!(
            identity_lookup_sql(2, true).matches('$').count(),
            6,
            "PostgreSQL numbers its parameters"
        );
        let sqlite = identity_lookup_sql(2, false);
        assert_eq!(sqlite.matches('?').count(), 6);
        assert!(sqlite.contains("(?, ?, ?), (?, ?, ?)"));
    }
}
