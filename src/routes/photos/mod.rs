//! Clinical photos: upload, the bytes, the list, the before/after pair, and the
//! patient's own photos under `/me`.
pub mod compare;
pub mod download;
pub mod list;
pub mod me;
pub mod upload;

use std::io::Read;

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::api::photos::PhotoSize;
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::photos::{self, PhotoRow};
use crate::db::types::{PatientId, PhotoId};
use crate::error::{ApiError, ApiResult};
use crate::imaging::StoredFormat;
use crate::media::MediaKey;
use crate::state::AppState;

/// `?size=` of the byte routes.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SizeQuery {
    /// `thumb` for the thumbnail (longest side 320 px); the stored photo otherwise.
    #[param(inline)]
    pub size: Option<PhotoSize>,
}

/// The photo, if the caller may see it: staff see any; a patient only their own —
/// another patient's id answers exactly like an id that does not exist.
async fn visible_photo(
    state: &AppState,
    caller: &Caller,
    id: PhotoId,
) -> Result<PhotoRow, ApiError> {
    let row = state.db(move |conn| Ok(photos::find(conn, id)?)).await?;
    match row {
        Some(row) if caller.may_reach(row.patient_id) => Ok(row),
        // The same answer whether the id is another patient's or nobody's; the guard
        // audits a patient's 404 as `access_denied` (one place for that rule).
        _ => Err(ApiError::NotFound),
    }
}

/// Streams a photo's bytes (or its thumbnail), audited as a read of that patient.
async fn serve_photo(
    state: &AppState,
    caller: &Caller,
    row: PhotoRow,
    size: PhotoSize,
) -> ApiResult<HttpResponse> {
    let patient: PatientId = row.patient_id;
    let format = StoredFormat::of_content_type(&row.content_type).ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "photo {} has an unknown content type",
            row.id
        ))
    })?;
    let (key, suffix) = match size {
        PhotoSize::Full => (&row.sha256, ""),
        PhotoSize::Thumb => (&row.thumb_sha256, "-thumb"),
    };
    let key = MediaKey::parse(key).ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "photo {} has a malformed media key",
            row.id
        ))
    })?;
    state
        .audit
        .record(caller.event(
            AuditAction::Read,
            "photo",
            Some(row.id.to_string()),
            Some(patient),
        ))
        .await?;
    let store = state.media.clone();
    let opened = web::block(move || store.open(&key))
        .await?
        .map_err(|e| ApiError::internal(anyhow::Error::new(e).context("media store read")))?
        .ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!(
                "photo {} is missing from the media store",
                row.id
            ))
        })?;
    let len = opened.len;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            // A name of our own making: the client's filename is never kept.
            format!(
                "inline; filename=\"photo-{}{suffix}.{}\"",
                row.id,
                format.extension()
            ),
        ))
        .no_chunking(len)
        .streaming(chunks(opened.reader)))
}

/// The size of each read from the store while streaming a photo out.
const STREAM_CHUNK: usize = 64 * 1024;

/// The reader's bytes as a stream of chunks, each read off the async workers, so a
/// download holds one chunk in memory rather than the whole file.
fn chunks(
    reader: Box<dyn Read + Send>,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    futures_util::stream::try_unfold(reader, |mut reader| async move {
        let (reader, chunk) = web::block(move || {
            let mut buf = vec![0; STREAM_CHUNK];
            let n = reader.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((reader, buf))
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok((!chunk.is_empty()).then(|| (web::Bytes::from(chunk), reader)))
    })
}
