//! CSV import of demographics: all or nothing. Pass 1 checks every row (and likely
//! duplicates) outside any write transaction; pass 2 inserts them all in one.
use std::collections::HashMap;
use std::io::{BufReader, Seek, SeekFrom};

use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::patients::{self, PatientValues};
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
    let seal = state.audit.seal();
    let ids = state
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
            // Pass 1, outside any write transaction (other writers go on): every row
            // valid, none a likely duplicate.
            check_rows(conn, &mut reader, &header, names, today)?;
            // Pass 2 re-reads the file and inserts in one transaction, re-checking only
            // what may have changed meanwhile (patients added since pass 1).
            let mut file = reader.into_inner().into_inner();
            file.seek(SeekFrom::Start(0)).map_err(ApiError::internal)?;
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(BufReader::new(file));
            crate::audit::audited_transaction(conn, &seal, |conn, audit| {
                let ids = insert_rows(conn, by, &mut reader, &header, names, today)?;
                audit.extend(
                    ids.iter()
                        .map(|id| who.patient_event(AuditAction::Create, *id)),
                );
                Ok(ids)
            })
        })
        .await?;
    Ok(ids)
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

/// Pass 1: every error and likely duplicate of the file (at most `MAX_REPORTED`).
fn check_rows(
    conn: &mut DbConnection,
    reader: &mut CsvReader,
    header: &Header,
    columns: usize,
    today: chrono::NaiveDate,
) -> Result<(), ApiError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut duplicates: Vec<LikelyDuplicate> = Vec::new();
    let mut seen = HashMap::new();
    let mut count = 0usize;
    for row in rows(reader, header, columns, today) {
        if errors.len() + duplicates.len() >= MAX_REPORTED {
            break;
        }
        let (line, fields) = row?;
        count += 1;
        let fields = match fields {
            Ok(f) => f,
            Err(mut e) => {
                errors.append(&mut e);
                continue;
            }
        };
        let key = identity_key(&fields);
        if let Some(&earlier) = seen.get(&key) {
            duplicates.push(LikelyDuplicate {
                line,
                patient_id: None,
                same_as_line: Some(earlier),
            });
            continue;
        }
        if let Some(on_file) = patients::find_same_identity(conn, &key.0, &key.1, key.2)? {
            duplicates.push(LikelyDuplicate {
                line,
                patient_id: Some(on_file.0),
                same_as_line: None,
            });
        }
        seen.insert(key, line);
    }
    if !errors.is_empty() || !duplicates.is_empty() {
        return Err(ApiError::ImportRejected { errors, duplicates });
    }
    if count == 0 {
        return Err(ApiError::validation("file", "has no rows to import"));
    }
    Ok(())
}

/// Pass 2, inside the write transaction: inserts every row with a fresh MRN (drawn
/// again on a clash); a patient registered since
/// pass 1 that matches a row refuses the whole file (the error rolls it all back).
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
    for row in rows(reader, header, columns, today) {
        let (line, fields) = row?;
        let fields = fields.map_err(|errors| ApiError::ImportRejected {
            errors,
            duplicates: Vec::new(),
        })?;
        let key = identity_key(&fields);
        if let Some(on_file) = patients::find_same_identity(conn, &key.0, &key.1, key.2)? {
            duplicates.push(LikelyDuplicate {
                line,
                patient_id: Some(on_file.0),
                same_as_line: None,
            });
            continue;
        }
        let mut mrn = new_mrn();
        // The check sees this transaction's own inserts, so the file cannot clash with itself.
        while patients::mrn_taken(conn, &mrn)? {
            mrn = new_mrn();
        }
        let id = PatientId::new();
        let set_by = fields.email.is_some().then_some(by);
        patients::insert_only(conn, id, &mrn, &PatientValues::from(&fields), set_by, now)?;
        ids.push(id);
    }
    if !duplicates.is_empty() {
        return Err(ApiError::ImportRejected {
            errors: Vec::new(),
            duplicates,
        });
    }
    Ok(ids)
}
