//! Request extractors with strict, problem+json failures: bodies are JSON, bounded, and refuse unknown fields.
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// The largest JSON body accepted (SPEC §4).
pub const JSON_LIMIT: usize = 1024 * 1024;

/// A JSON body: 415 unless `application/json`, 413 over 1 MiB, 400 if malformed,
/// 422 naming the field if it does not fit the type (unknown fields included).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == mime::APPLICATION
                && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
        })
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let deadline = body_deadline(req);
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_length.is_some_and(|n| n > JSON_LIMIT) {
                return Err(ApiError::PayloadTooLarge);
            }
            if !json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let read = async {
                let mut body = BytesMut::new();
                while let Some(chunk) = payload.next().await {
                    let chunk =
                        chunk.map_err(|_| ApiError::BadRequest("Unreadable body.".into()))?;
                    if body.len() + chunk.len() > JSON_LIMIT {
                        return Err(ApiError::PayloadTooLarge);
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(body)
            };
            // A body trickled a byte at a time would hold its connection for as
            // long as the client likes.
            let body = tokio::time::timeout(deadline, read)
                .await
                .map_err(|_| ApiError::RequestTimeout)??;
            if starts_with_array(&body) && !expects_sequence::<T>() {
                return Err(ApiError::validation(
                    "body",
                    "invalid type: expected a JSON object",
                ));
            }
            parse_json(&body).map(Json)
        })
    }
}

/// How long a JSON body may take to arrive (`BODY_TIMEOUT_SECS`).
fn body_deadline(req: &HttpRequest) -> std::time::Duration {
    let secs = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map_or(15, |s| s.settings.body_timeout_secs);
    std::time::Duration::from_secs(secs.max(1))
}

/// How long a photo or CSV upload may take to arrive (`UPLOAD_TIMEOUT_SECS`).
pub fn upload_deadline(req: &HttpRequest) -> std::time::Duration {
    let secs = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map_or(600, |s| s.settings.upload_timeout_secs);
    std::time::Duration::from_secs(secs.max(1))
}

/// Whether the document is a JSON array (first non-blank byte `[`).
fn starts_with_array(body: &[u8]) -> bool {
    body.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'[')
}

/// Whether `T` deserializes from a sequence (e.g. `Vec<_>`) rather than an object.
/// serde's derived structs also accept an array of their fields in order, which a
/// client never means; asking `T` which shape it wants (a probe deserializer that
/// records the first method called) tells the two apart without a list of types.
fn expects_sequence<T: DeserializeOwned>() -> bool {
    matches!(T::deserialize(ShapeProbe), Err(ProbeError::Seq))
}

#[derive(Debug)]
enum ProbeError {
    Seq,
    Other,
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("shape probe")
    }
}

impl std::error::Error for ProbeError {}

impl serde::de::Error for ProbeError {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        ProbeError::Other
    }
}

struct ShapeProbe;

impl<'de> serde::Deserializer<'de> for ShapeProbe {
    type Error = ProbeError;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, ProbeError> {
        Err(ProbeError::Other)
    }

    fn deserialize_seq<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, ProbeError> {
        Err(ProbeError::Seq)
    }

    fn deserialize_tuple<V: serde::de::Visitor<'de>>(
        self,
        _: usize,
        _: V,
    ) -> Result<V::Value, ProbeError> {
        Err(ProbeError::Seq)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct tuple_struct
        map struct enum identifier ignored_any
    }
}

/// Parses a JSON document strictly, naming the offending field on type errors.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => v,
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            // serde_json reports a number where an enum's name belongs as a syntax
            // error ("expected value"); the document itself is well-formed, so it
            // is the field's type that is wrong.
            if inner.classify() == serde_json::error::Category::Syntax
                && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
            {
                let field = if path == "." { "body".to_owned() } else { path };
                return Err(ApiError::validation(
                    field,
                    "invalid type: expected one of the allowed values",
                ));
            }
            return Err(classify(&path, &inner));
        }
    };
    de.end()
        .map_err(|_| ApiError::BadRequest("Trailing characters after the JSON body.".into()))?;
    Ok(value)
}

fn classify(path: &str, err: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            ApiError::BadRequest("The body is not well-formed JSON.".into())
        }
        Category::Data => {
            // serde_json appends " at line L column C"; the position is noise to a client.
            let full = err.to_string();
            let message = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(m, _)| m)
                .to_owned();
            let named = message.split('`').nth(1).filter(|_| {
                message.starts_with("unknown field") || message.starts_with("missing field")
            });
            // For an unknown field the path already ends at it; for a missing one
            // the path is its parent.
            let field = match (path, named) {
                (".", Some(name)) => name.to_owned(),
                (p, Some(name)) if message.starts_with("missing field") => format!("{p}.{name}"),
                (".", None) => "body".to_owned(),
                (p, _) => p.to_owned(),
            };
            ApiError::Validation(vec![FieldError::new(field, value_free(&message))])
        }
    }
}

/// serde's messages quote the offending value (`invalid type: string "…"`), which
/// may be a diagnosis or a password; the answer (and so the log line of the
/// error) says only what was expected.
fn value_free(message: &str) -> String {
    let expected = message
        .split_once(", expected ")
        .map(|(_, e)| format!("expected {e}"));
    let kind = [
        "invalid type",
        "invalid value",
        "invalid length",
        "unknown variant",
    ]
    .into_iter()
    .find(|k| message.starts_with(k));
    match (kind, expected) {
        (Some(kind), Some(expected)) => format!("{kind}: {expected}"),
        (Some(kind), None) => kind.to_owned(),
        // Field names come from our own schema or are the client's own keys.
        (None, _)
            if message.starts_with("unknown field")
                || message.starts_with("missing field")
                || message.starts_with("duplicate field") =>
        {
            message.to_owned()
        }
        // Other messages come from a type's own parser (dates, UUIDs); keep them
        // only when they quote nothing.
        (None, _) if !message.contains(['`', '"', '\'']) => message.to_owned(),
        (None, _) => "invalid value".to_owned(),
    }
}

/// Reads the `If-Match` header as a version number, if sent.
pub fn if_match_version(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    match req.headers().get(header::IF_MATCH) {
        None => Ok(None),
        Some(v) => {
            let text = v.to_str().unwrap_or_default().trim();
            let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
            text.parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::PreconditionFailed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialised: the test is about the error")]
    struct Body {
        name: String,
        age: u8,
    }

    #[test]
    fn unknown_field_is_named() {
        let err = parse_json::<Body>(br#"{"name":"a","age":1,"role":"admin"}"#).unwrap_err();
        match err {
            ApiError::Validation(e) => assert_eq!(e[0].field, "role"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err = parse_json::<Body>(br#"{"name":"a","age":"x"}"#).unwrap_err();
        match err {
            ApiError::Validation(e) => assert_eq!(e[0].field, "age"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn type_errors_never_quote_the_value() {
        for body in [
            br#"{"name":"Zephyrinequill","age":"Zephyrinequill"}"#.as_slice(),
            br#"{"name":12345678901234567,"age":1}"#,
            br#"{"name":"a","age":12345678901234567}"#,
        ] {
            let err = parse_json::<Body>(body).unwrap_err();
            let text = format!("{err:?}");
            assert!(!text.contains("Zephyrinequill"), "{text}");
            assert!(!text.contains("12345678901234567"), "{text}");
            assert!(text.contains("expected"), "{text}");
        }
    }

    #[test]
    fn a_number_for_an_enum_is_a_field_error() {
        #[derive(Debug, serde::Deserialize)]
        enum Colour {
            Red,
        }
        #[derive(Debug, serde::Deserialize)]
        #[expect(dead_code, reason = "only deserialised: the test is about the error")]
        struct Paint {
            colour: Colour,
        }
        match parse_json::<Paint>(br#"{"colour": 12345678901234567}"#).unwrap_err() {
            ApiError::Validation(e) => assert_eq!(e[0].field, "colour"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_sequences_take_arrays() {
        assert!(!expects_sequence::<Body>());
        assert!(expects_sequence::<Vec<Body>>());
        assert!(!expects_sequence::<serde_json::Value>());
    }

    #[test]
    fn malformed_is_bad_request() {
        assert!(matches!(
            parse_json::<Body>(b"{\"name\":").unwrap_err(),
            ApiError::BadRequest(_)
        ));
    }
}
