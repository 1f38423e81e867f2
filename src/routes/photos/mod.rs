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

use crate::services::photos;

/// Streams an opened photo's bytes.
fn serve(opened: photos::OpenedPhoto) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(opened.format.content_type())
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}\"", opened.file_name),
        ))
        .no_chunking(opened.len)
        .streaming(chunks(opened.reader))
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
