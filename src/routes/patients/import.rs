//! `POST /patients/import`: demographics from CSV, all or nothing.
use std::io::{Seek, SeekFrom};

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::api::patients::ImportResult;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::services::patient_import;
use crate::state::AppState;

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
    // `IMPORT_MAX_BYTES`, 50 MiB by default (the 1 MiB limit is for JSON bodies).
    let limit = state.settings.import_max_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge);
    }
    let std_file = web::block(tempfile::tempfile)
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let mut file = tokio::fs::File::from_std(std_file);
    let mut size = 0usize;
    // Within `UPLOAD_TIMEOUT_SECS`: a trickled body does not hold its connection.
    let deadline = tokio::time::Instant::now() + crate::extract::upload_deadline(&req);
    while let Some(chunk) = tokio::time::timeout_at(deadline, payload.next())
        .await
        .map_err(|_| ApiError::RequestTimeout)?
    {
        let chunk =
            chunk.map_err(|_| ApiError::BadRequest("The upload was interrupted.".into()))?;
        size += chunk.len();
        if size > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        file.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    file.flush().await.map_err(ApiError::internal)?;
    let mut file = file.into_std().await;
    file.seek(SeekFrom::Start(0)).map_err(ApiError::internal)?;

    let ids = patient_import::import(&state, &caller, file).await?;
    Ok(HttpResponse::Created().json(ImportResult {
        imported: ids.len(),
        ids,
    }))
}
