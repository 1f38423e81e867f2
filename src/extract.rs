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
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_length.is_some_and(|n| n > JSON_LIMIT) {
                return Err(ApiError::PayloadTooLarge);
            }
            if !json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| ApiError::BadRequest("Unreadable body.".into()))?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(ApiError::PayloadTooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(Json)
        })
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
            ApiError::Validation(vec![FieldError::new(field, message)])
        }
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
    #[allow(dead_code)]
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
    fn malformed_is_bad_request() {
        assert!(matches!(
            parse_json::<Body>(b"{\"name\":").unwrap_err(),
            ApiError::BadRequest(_)
        ));
    }
}
