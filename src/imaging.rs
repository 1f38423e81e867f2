//! Photo bytes: what they really are (by their magic, never a name or a declared
//! type), whether their header is safe to decode, and the clean file the clinic
//! keeps — decoded and re-encoded, so no EXIF, GPS, XMP or trailing payload
//! survives — with its thumbnail.
use std::io::Cursor;
use std::sync::Arc;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{ColorType, DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// The largest file accepted (SPEC §3: ≤ 20 MiB; the limit is on the file).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The longest side a photo may declare.
pub const MAX_SIDE: u32 = 12_000;
/// The most pixels a photo may declare (a 48 MP phone sensor fits; a bomb does not).
pub const MAX_PIXELS: u64 = 50_000_000;
/// The most memory one decode may take (50 MP of RGBA8 with room for the decoder).
const MAX_DECODE_BYTES: u64 = 320 * 1024 * 1024;
/// The thumbnail's longest side (SPEC §6 "Photos").
pub const THUMB_SIDE: u32 = 320;
const JPEG_QUALITY: u8 = 90;

/// The formats a photo may arrive in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Jpeg,
    Png,
    WebP,
}

impl SourceFormat {
    /// From the first bytes only; anything but JPEG, PNG or WebP is `None`.
    pub fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
        match image::guess_format(bytes).ok()? {
            ImageFormat::Jpeg => Some(SourceFormat::Jpeg),
            ImageFormat::Png => Some(SourceFormat::Png),
            ImageFormat::WebP => Some(SourceFormat::WebP),
            _ => None,
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            SourceFormat::Jpeg => ImageFormat::Jpeg,
            SourceFormat::Png => ImageFormat::Png,
            SourceFormat::WebP => ImageFormat::WebP,
        }
    }

    /// What the clinic keeps: JPEG stays JPEG; PNG and WebP (lossless or not) become PNG.
    pub fn stored_as(self) -> StoredFormat {
        match self {
            SourceFormat::Jpeg => StoredFormat::Jpeg,
            SourceFormat::Png | SourceFormat::WebP => StoredFormat::Png,
        }
    }
}

/// The formats a stored photo has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredFormat {
    Jpeg,
    Png,
}

impl StoredFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            StoredFormat::Jpeg => "image/jpeg",
            StoredFormat::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            StoredFormat::Jpeg => "jpg",
            StoredFormat::Png => "png",
        }
    }

    pub fn of_content_type(content_type: &str) -> Option<StoredFormat> {
        [StoredFormat::Jpeg, StoredFormat::Png]
            .into_iter()
            .find(|f| f.content_type() == content_type)
    }
}

/// Why a file is not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRejection {
    /// Its bytes are not JPEG, PNG or WebP (a text file, SVG, GIF, …): 415.
    NotAnImage,
    /// It starts like one but does not decode (corrupt, truncated, junk behind a
    /// magic number): also 415 — it is not an image we can read.
    Undecodable,
    /// Its header declares more pixels than we decode, or decoding it would take
    /// more memory than allowed: 422 on `file`.
    TooLarge { declared: Option<(u32, u32)> },
}

impl From<ImageRejection> for ApiError {
    fn from(rejection: ImageRejection) -> ApiError {
        match rejection {
            ImageRejection::NotAnImage => ApiError::WrongMediaType(
                "The file is not a JPEG, PNG or WebP image (judged by its content).".into(),
            ),
            ImageRejection::Undecodable => ApiError::WrongMediaType(
                "The file is not a readable JPEG, PNG or WebP image (corrupt or truncated).".into(),
            ),
            ImageRejection::TooLarge { declared } => ApiError::validation(
                "file",
                format!(
                    "is too large to process{}: at most {} megapixels and {MAX_SIDE} pixels a side are accepted",
                    declared.map_or(String::new(), |(w, h)| format!(" ({w}×{h} pixels)")),
                    MAX_PIXELS / 1_000_000
                ),
            ),
        }
    }
}

/// What a header says, read without decoding any pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageHeader {
    pub format: SourceFormat,
    pub width: u32,
    pub height: u32,
}

/// A photo ready to store: re-encoded bytes and a thumbnail of the same format.
#[derive(Debug, Clone)]
pub struct PreparedPhoto {
    pub format: StoredFormat,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
    pub thumb: Vec<u8>,
    pub thumb_width: u32,
    pub thumb_height: u32,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// A decoder error: a limit hit means too large (422), anything else unreadable (415).
fn classify(err: &ImageError, declared: Option<(u32, u32)>) -> ImageRejection {
    match err {
        ImageError::Limits(_) => ImageRejection::TooLarge { declared },
        _ => ImageRejection::Undecodable,
    }
}

/// A decoder over the bytes with the limits set, its dimensions checked before any
/// pixel is decoded.
fn checked_decoder(bytes: &[u8]) -> Result<(ImageHeader, impl ImageDecoder + '_), ImageRejection> {
    let format = SourceFormat::sniff(bytes).ok_or(ImageRejection::NotAnImage)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits());
    // Reads the header only; a declared size past the limits fails here already.
    let decoder = reader.into_decoder().map_err(|e| classify(&e, None))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImageRejection::Undecodable);
    }
    if width > MAX_SIDE
        || height > MAX_SIDE
        || u64::from(width) * u64::from(height) > MAX_PIXELS
        || decoder.total_bytes() > MAX_DECODE_BYTES
    {
        return Err(ImageRejection::TooLarge {
            declared: Some((width, height)),
        });
    }
    Ok((
        ImageHeader {
            format,
            width,
            height,
        },
        decoder,
    ))
}

/// The header of a file, checked: a real JPEG/PNG/WebP within the pixel limits.
pub fn inspect(bytes: &[u8]) -> Result<ImageHeader, ImageRejection> {
    checked_decoder(bytes).map(|(header, _)| header)
}

fn encode(image: &DynamicImage, format: StoredFormat) -> Result<Vec<u8>, ImageRejection> {
    let mut out = Vec::new();
    let written = match format {
        StoredFormat::Jpeg => {
            let encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
            match image.color() {
                ColorType::L8 | ColorType::Rgb8 => image.write_with_encoder(encoder),
                ColorType::L16 | ColorType::La8 | ColorType::La16 => {
                    DynamicImage::ImageLuma8(image.to_luma8()).write_with_encoder(encoder)
                }
                _ => DynamicImage::ImageRgb8(image.to_rgb8()).write_with_encoder(encoder),
            }
        }
        StoredFormat::Png => image.write_with_encoder(PngEncoder::new(&mut out)),
    };
    // Encoding a decoded image can only fail on a colour type we never produce.
    written.map_err(|_| ImageRejection::Undecodable)?;
    Ok(out)
}

/// Decodes the file (upright, as its EXIF orientation said), re-encodes it without
/// any metadata, and makes the thumbnail (longest side [`THUMB_SIDE`], never enlarged).
pub fn prepare(bytes: &[u8]) -> Result<PreparedPhoto, ImageRejection> {
    let (header, mut decoder) = checked_decoder(bytes)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder)
        .map_err(|e| classify(&e, Some((header.width, header.height))))?;
    image.apply_orientation(orientation);
    let format = header.format.stored_as();
    let encoded = encode(&image, format)?;
    let thumb = if image.width().max(image.height()) > THUMB_SIDE {
        image.thumbnail(THUMB_SIDE, THUMB_SIDE)
    } else {
        image.clone()
    };
    Ok(PreparedPhoto {
        format,
        width: image.width(),
        height: image.height(),
        bytes: encoded,
        thumb: encode(&thumb, format)?,
        thumb_width: thumb.width(),
        thumb_height: thumb.height(),
    })
}

/// Runs decodes on the blocking pool, a bounded number at a time, so a burst of
/// uploads cannot take more than `concurrency` × the decode limit of memory.
#[derive(Debug, Clone)]
pub struct ImageWorkers {
    permits: Arc<Semaphore>,
}

impl ImageWorkers {
    pub fn new(concurrency: usize) -> ImageWorkers {
        ImageWorkers {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    pub async fn prepare(&self, bytes: Arc<Vec<u8>>) -> Result<PreparedPhoto, ApiError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| ApiError::Unavailable)?;
        tokio::task::spawn_blocking(move || prepare(&bytes))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        let mut out = Vec::new();
        image.write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        out
    }

    #[test]
    fn only_jpeg_png_and_webp_bytes_are_images() {
        assert_eq!(SourceFormat::sniff(&png(2, 2)), Some(SourceFormat::Png));
        assert_eq!(SourceFormat::sniff(b"GIF89a\x01\x00\x01\x00"), None);
        assert_eq!(
            SourceFormat::sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            None
        );
        assert_eq!(SourceFormat::sniff(b"just text, named x.jpg"), None);
        assert_eq!(
            SourceFormat::sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 "),
            Some(SourceFormat::WebP)
        );
    }

    #[test]
    fn a_large_photo_gets_a_320_pixel_thumbnail_and_a_small_one_is_not_enlarged() {
        let photo = prepare(&png(900, 600)).unwrap();
        assert_eq!((photo.width, photo.height), (900, 600));
        assert_eq!((photo.thumb_width, photo.thumb_height), (320, 213));
        let tiny = prepare(&png(40, 30)).unwrap();
        assert_eq!((tiny.thumb_width, tiny.thumb_height), (40, 30));
    }

    #[test]
    fn truncated_or_junk_bytes_behind_a_magic_number_do_not_decode() {
        let whole = png(64, 64);
        assert_eq!(
            prepare(&whole[..whole.len() / 2]).unwrap_err(),
            ImageRejection::Undecodable
        );
        let mut junk = vec![0xFF, 0xD8, 0xFF, 0xE0];
        junk.extend_from_slice(b"<html><script>alert(1)</script></html>");
        assert_eq!(prepare(&junk).unwrap_err(), ImageRejection::Undecodable);
    }
}
