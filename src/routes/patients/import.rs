//! `POST /patients/import`: demographics from CSV, all or nothing.
use std::io::{BufReader, Seek, SeekFrom};

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;

use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::patients::{self, PatientValues};
use crate::db::types::PatientId;
use crate::domain::mrn::new_mrn;
use crate::domain::patient_import::{identity_key, Header, CLINICAL_COLUMNS};
use crate::domain::{FieldError, LikelyDuplicate};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// The largest file accepted (the 1 MiB limit is for JSON bodies).
pub const CSV_LIMIT: usize = 50 * 1024 * 1024;
/// A refusal lists at most this many errors (the file has more to fix, but the
/// answer stays a readable size).
const MAX_REPORTED: usize = 1000;

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub imported: usize,
    /// The new patients' ids, in file order.
    pub ids: Vec<PatientId>,
}

/// Imports patients from `text/csv` (header row naming `given_name, family_name,
/// date_of_birth, sex, phone, email, fitzpatrick_type, address`). The body streams to
/// a temporary file (memory stays bounded); then every row is validated and inserted
/// in one transaction. Any error, or any row that looks like a patient on file (same
/// name and date of birth) or like an earlier row, refuses the whole file: 422 with
/// `errors [{line, field, message}]` and `duplicates [{line, patient_id}]`.
#[utoipa::path(post, path = "/api/v1/patients/import", tag = "patients",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportResult), (status = 403, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn import_patients(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    mut payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let is_csv = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.essence_str() == "text/csv");
    if !is_csv {
        return Err(ApiError::UnsupportedMediaType);
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > CSV_LIMIT) {
        return Err(ApiError::PayloadTooLarge);
    }
    let std_file = web::block(tempfile::tempfile)
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let mut file = tokio::fs::File::from_std(std_file);
    let mut size = 0usize;
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::BadRequest("The upload was interrupted.".into()))?;
        size += chunk.len();
        if size > CSV_LIMIT {
            return Err(ApiError::PayloadTooLarge);
        }
        file.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    file.flush().await.map_err(ApiError::internal)?;
    let mut file = file.into_std().await;
    file.seek(SeekFrom::Start(0)).map_err(ApiError::internal)?;

    let front_desk = !super::sees_clinical(&caller);
    let today = chrono::Utc::now().date_naive();
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
                .clone();
            let header =
                Header::parse(names.iter()).map_err(|errors| ApiError::ImportRejected {
                    errors,
                    duplicates: Vec::new(),
                })?;
            if front_desk && CLINICAL_COLUMNS.iter().any(|c| header.has(c)) {
                return Err(ApiError::Forbidden);
            }
            conn.write_transaction(|conn| {
                let mut errors: Vec<FieldError> = Vec::new();
                let mut duplicates: Vec<LikelyDuplicate> = Vec::new();
                let mut seen = std::collections::HashMap::new();
                let mut ids = Vec::new();
                let now = crate::db::now();
                for record in reader.records() {
                    if errors.len() + duplicates.len() >= MAX_REPORTED {
                        break;
                    }
                    let record = match record {
                        Ok(r) => r,
                        Err(e) => {
                            let line = e.position().map_or(0, csv::Position::line);
                            if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                                return Err(ApiError::internal(e));
                            }
                            errors.push(
                                FieldError::new("line", "is not valid UTF-8 CSV").at_line(line),
                            );
                            continue;
                        }
                    };
                    let line = record.position().map_or(0, csv::Position::line);
                    if record.len() != names.len() {
                        errors.push(
                            FieldError::new(
                                "line",
                                format!(
                                    "has {} fields; the header has {}",
                                    record.len(),
                                    names.len()
                                ),
                            )
                            .at_line(line),
                        );
                        continue;
                    }
                    let cells: Vec<&str> = record.iter().collect();
                    let fields = match header.row(line, &cells, today) {
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
                    if let Some(on_file) =
                        patients::find_same_identity(conn, &key.0, &key.1, key.2)?
                    {
                        duplicates.push(LikelyDuplicate {
                            line,
                            patient_id: Some(on_file.0),
                            same_as_line: None,
                        });
                    }
                    seen.insert(key, line);
                    if errors.is_empty() && duplicates.is_empty() {
                        let id = PatientId::new();
                        patients::insert_only(
                            conn,
                            id,
                            &new_mrn(),
                            &PatientValues::from(&fields),
                            now,
                        )?;
                        ids.push(id);
                    }
                }
                if !errors.is_empty() || !duplicates.is_empty() {
                    // Returning an error rolls every insert back.
                    return Err(ApiError::ImportRejected { errors, duplicates });
                }
                if ids.is_empty() {
                    return Err(ApiError::validation("file", "has no rows to import"));
                }
                Ok(ids)
            })
        })
        .await?;
    state
        .audit
        .record_all(
            ids.iter()
                .map(|id| caller.patient_event(AuditAction::Create, *id))
                .collect(),
        )
        .await?;
    Ok(HttpResponse::Created().json(ImportResult {
        imported: ids.len(),
        ids,
    }))
}
