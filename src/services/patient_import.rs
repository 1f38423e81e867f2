//! CSV import of demographics: all or nothing. Pass 1 checks every row (and likely
//! duplicates) outside any write transaction; pass 2 inserts them all in one audited
//! write. Both work a chunk of rows per statement.
use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Seek, SeekFrom};

use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::patients::{self, IdentityKey, NewPatient, PatientValues, ROWS_PER_INSERT};
use crate::db::types::PatientId;
use crate::db::DbConnection;
use crate::domain::mrn::new_mrn;
use crate::domain::patient::PatientFields;
use crate::domain::patient_import::{identity_key, Header, CLINICAL_COLUMNS};
use crate::domain::{FieldError, LikelyDuplicate};
use crate::error::ApiError;
use crate::state::AppState;

/// A refusal lists at most this many errors (the file has more to fix, but the
/// answer stays a readable size).
const MAX_REPORTED: usize = 1000;

/// Imports the CSV file (already spooled, positioned at its start); answers the new
/// patients' ids in file order. Any error or likely duplicate refuses the whole file.
pub async fn import(
    state: &AppState,
    caller: &Caller,
    file: std::fs::File,
) -> Result<Vec<PatientId>, ApiError> {
    let front_desk = !super::patients::sees_clinical(caller);
    let by = caller.user_id;
    let today = chrono::Utc::now().date_naive();
    let who = caller.clone();
    // Pass 1, outside any write transaction (other writers go on): every row valid,
    // none a likely duplicate.
    let (file, header, names) = state
        .db(move |conn| {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(BufReader::new(file));
            let names = reader
                .headers()
                .map_err(|_| {
                    ApiError::validation("header", "the first line must name the columns")
                })?
                .len();
            let header = Header::parse(reader.headers().map_err(ApiError::internal)?.iter())
                .map_err(|errors| ApiError::ImportRejected {
                    errors,
                    duplicates: Vec::new(),
                })?;
            if front_desk && CLINICAL_COLUMNS.iter().any(|c| header.has(c)) {
                return Err(ApiError::Forbidden);
            }
            check_rows(conn, &mut reader, &header, names, today)?;
            Ok((reader.into_inner().into_inner(), header, names))
        })
        .await?;
    // Pass 2 re-reads the file and inserts it in one audited write, re-checking only
    // what may have changed meanwhile (patients added since pass 1).
    state
        .write(move |conn, audit| {
            let mut file = file;
            file.seek(SeekFrom::Start(0)).map_err(ApiError::internal)?;
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(BufReader::new(file));
            let ids = insert_rows(conn, by, &mut reader, &header, names, today)?;
            audit.extend(
                ids.iter()
                    .map(|id| who.patient_event(AuditAction::Create, *id)),
            );
            Ok(ids)
        })
        .await
}

type CsvReader = csv::Reader<BufReader<std::fs::File>>;

/// Each data row: its line and its fields, or what is wrong with it.
fn rows<'a>(
    reader: &'a mut CsvReader,
    header: &'a Header,
    columns: usize,
    today: chrono::NaiveDate,
) -> impl Iterator<Item = Result<(u64, Result<PatientFields, Vec<FieldError>>), ApiError>> + 'a {
    reader.records().map(move |record| {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(ApiError::internal(e));
                }
                let bad = FieldError::new("line", "is not valid UTF-8 CSV").at_line(line);
                return Ok((line, Err(vec![bad])));
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != columns {
            let message = format!("has {} fields; the header has {columns}", record.len());
            return Ok((
                line,
                Err(vec![FieldError::new("line", message).at_line(line)]),
            ));
        }
        let cells: Vec<&str> = record.iter().collect();
        Ok((line, header.row(line, &cells, today)))
    })
}

/// Rows read before their likely duplicates on file are looked up in one statement.
const ROWS_PER_LOOKUP: usize = 1000;

/// One row of pass 1 as read, before the lookup of its chunk.
enum Checked {
    /// The file cannot be read further (an I/O error): the answer.
    Broken(ApiError),
    /// What is wrong with the row.
    Invalid(Vec<FieldError>),
    /// A valid row's line and identity.
    Valid(u64, IdentityKey),
}

/// Pass 1: every error and likely duplicate of the file (at most `MAX_REPORTED`).
///
/// Rows are read a chunk at a time, the chunk's identities are looked up on file in
/// one statement, then the chunk is judged row by row in file order, exactly as a
/// lookup per row would judge it.
fn check_rows(
    conn: &mut DbConnection,
    reader: &mut CsvReader,
    header: &Header,
    columns: usize,
    today: chrono::NaiveDate,
) -> Result<(), ApiError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut duplicates: Vec<LikelyDuplicate> = Vec::new();
    let mut seen: HashMap<IdentityKey, u64> = HashMap::new();
    let mut count = 0usize;
    let mut rows = rows(reader, header, columns, today);
    let mut chunk: Vec<Checked> = Vec::with_capacity(ROWS_PER_LOOKUP);
    'file: loop {
        chunk.clear();
        for row in rows.by_ref() {
            let checked = match row {
                Err(e) => Checked::Broken(e),
                Ok((_, Err(e))) => Checked::Invalid(e),
                Ok((line, Ok(fields))) => Checked::Valid(line, identity_key(&fields)),
            };
            let broken = matches!(checked, Checked::Broken(_));
            chunk.push(checked);
            if broken || chunk.len() == ROWS_PER_LOOKUP {
                break;
            }
        }
        if chunk.is_empty() || errors.len() + duplicates.len() >= MAX_REPORTED {
            break;
        }
        // Rows that repeat an earlier row are reported as such, never looked up.
        let mut keys: Vec<IdentityKey> = Vec::new();
        let mut asked = HashSet::new();
        for checked in &chunk {
            if let Checked::Valid(_, key) = checked {
                if !seen.contains_key(key) && asked.insert(key) {
                    keys.push(key.clone());
                }
            }
        }
        let on_file = patients::find_same_identities(conn, &keys)?;
        for checked in chunk.drain(..) {
            if errors.len() + duplicates.len() >= MAX_REPORTED {
                break 'file;
            }
            let (line, key) = match checked {
                Checked::Broken(e) => return Err(e),
                Checked::Invalid(mut e) => {
                    count += 1;
                    errors.append(&mut e);
                    continue;
                }
                Checked::Valid(line, key) => (line, key),
            };
            count += 1;
            if let Some(&earlier) = seen.get(&key) {
                duplicates.push(LikelyDuplicate {
                    line,
                    patient_id: None,
                    same_as_line: Some(earlier),
                });
                continue;
            }
            if let Some(&patient_id) = on_file.get(&key) {
                duplicates.push(LikelyDuplicate {
                    line,
                    patient_id: Some(patient_id.0),
                    same_as_line: None,
                });
            }
            seen.insert(key, line);
        }
    }
    if !errors.is_empty() || !duplicates.is_empty() {
        return Err(ApiError::ImportRejected { errors, duplicates });
    }
    if count == 0 {
        return Err(ApiError::validation("file", "has no rows to import"));
    }
    Ok(())
}

/// Pass 2, inside the write transaction: inserts every row with a fresh MRN, a chunk
/// of `ROWS_PER_INSERT` rows per statement; a patient registered since pass 1 that
/// matches a row refuses the whole file (the error rolls it all back). Pass 1 found
/// no row repeating another, so a chunk is looked up before any of it is inserted.
fn insert_rows(
    conn: &mut DbConnection,
    by: crate::db::types::UserId,
    reader: &mut CsvReader,
    header: &Header,
    columns: usize,
    today: chrono::NaiveDate,
) -> Result<Vec<PatientId>, ApiError> {
    let now = crate::db::now();
    let mut ids = Vec::new();
    let mut duplicates = Vec::new();
    let mut rows = rows(reader, header, columns, today);
    let mut chunk: Vec<(u64, PatientFields)> = Vec::with_capacity(ROWS_PER_INSERT);
    loop {
        chunk.clear();
        for row in rows.by_ref() {
            let (line, fields) = row?;
            let fields = fields.map_err(|errors| ApiError::ImportRejected {
                errors,
                duplicates: Vec::new(),
            })?;
            chunk.push((line, fields));
            if chunk.len() == ROWS_PER_INSERT {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let keys: Vec<IdentityKey> = chunk.iter().map(|(_, f)| identity_key(f)).collect();
        let on_file = patients::find_same_identities(conn, &keys)?;
        for ((line, _), key) in chunk.iter().zip(&keys) {
            if let Some(&patient_id) = on_file.get(key) {
                duplicates.push(LikelyDuplicate {
                    line: *line,
                    patient_id: Some(patient_id.0),
                    same_as_line: None,
                });
            }
        }
        if !duplicates.is_empty() {
            // The file is refused: only the rest of its duplicates are still wanted.
            continue;
        }
        let mrns = fresh_mrns(conn, chunk.len())?;
        let new: Vec<NewPatient> = chunk
            .iter()
            .zip(mrns)
            .map(|((_, fields), mrn)| {
                let set_by = fields.email.is_some().then_some(by);
                NewPatient::new(
                    PatientId::new(),
                    mrn,
                    PatientValues::from(fields),
                    set_by,
                    now,
                )
            })
            .collect();
        patients::insert_many(conn, &new)?;
        ids.extend(new.iter().map(|p| p.id));
    }
    if !duplicates.is_empty() {
        return Err(ApiError::ImportRejected {
            errors: Vec::new(),
            duplicates,
        });
    }
    Ok(ids)
}

/// `n` distinct MRNs none of which is assigned, checked in one statement per round
/// (a clash, rare with 40 random bits, is drawn again). The check sees this
/// transaction's own inserts, so the file cannot clash with itself.
fn fresh_mrns(conn: &mut DbConnection, n: usize) -> Result<Vec<String>, ApiError> {
    let mut drawn = HashSet::with_capacity(n);
    let mut mrns: Vec<String> = Vec::with_capacity(n);
    while mrns.len() < n {
        let mrn = new_mrn();
        if drawn.insert(mrn.clone()) {
            mrns.push(mrn);
        }
    }
    let mut unchecked: Vec<usize> = (0..n).collect();
    while !unchecked.is_empty() {
        let asked: Vec<String> = unchecked.iter().map(|&i| mrns[i].clone()).collect();
        let taken = patients::mrns_taken(conn, &asked)?;
        unchecked.retain(|&i| taken.contains(&mrns[i]));
        for &i in &unchecked {
            let mut mrn = new_mrn();
            while !drawn.insert(mrn.clone()) {
                mrn = new_mrn();
            }
            mrns[i] = mrn;
        }
    }
    Ok(mrns)
}
