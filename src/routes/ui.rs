//! The built web UI: its files, their caching, and the fallback that answers a
//! browser's deep link with `index.html` (and an API path no route matched with 404).
use actix_web::{web, HttpRequest, HttpResponse};
use std::path::PathBuf;

use crate::error::ApiError;

/// The built web UI, if there is one.
#[derive(Debug, Clone)]
pub struct UiFiles {
    dir: Option<PathBuf>,
}

impl UiFiles {
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    pub fn index_html(&self) -> Option<Vec<u8>> {
        self.dir
            .as_ref()
            .and_then(|d| std::fs::read(d.join("index.html")).ok())
    }
}

/// How long browsers keep the UI's files: Vite names every file under `assets/` by its
/// content hash, so those never change; `index.html` (and anything else) must be
/// revalidated so a new release is picked up at once.
pub const ASSETS_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
pub const PAGE_CACHE_CONTROL: &str = "no-cache";

/// Mounts the built UI: hashed assets cached for a year, everything else revalidated,
/// and a page path that names no file answered with `index.html` (deep links).
pub fn serve_ui(cfg: &mut web::ServiceConfig, dir: &std::path::Path) {
    use actix_web::http::header::CACHE_CONTROL;
    use actix_web::middleware::DefaultHeaders;
    cfg.service(
        web::scope("/assets")
            .wrap(DefaultHeaders::new().add((CACHE_CONTROL, ASSETS_CACHE_CONTROL)))
            .service(actix_files::Files::new("", dir.join("assets"))),
    )
    .service(
        web::scope("")
            .wrap(DefaultHeaders::new().add((CACHE_CONTROL, PAGE_CACHE_CONTROL)))
            .service(
                actix_files::Files::new("", dir)
                    .index_file("index.html")
                    .default_handler(web::to(fallback)),
            ),
    );
}

/// Anything no route matched: a problem for API paths; the web UI's `index.html`
/// for a browser asking for a page (deep links), when the UI is built.
pub async fn fallback(req: HttpRequest, ui: web::Data<UiFiles>) -> HttpResponse {
    use actix_web::ResponseError;
    let wants_html = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !req.path().starts_with("/api/")
        && req.method() == actix_web::http::Method::GET
        && wants_html
    {
        if let Some(index) = ui.index_html() {
            return HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .insert_header((actix_web::http::header::CACHE_CONTROL, PAGE_CACHE_CONTROL))
                .body(index);
        }
    }
    ApiError::NotFound.error_response()
}
