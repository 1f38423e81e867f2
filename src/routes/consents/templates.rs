//! `GET/POST /consent-templates`, `GET /consent-templates/{id}`, `POST /consent-templates/{id}/versions`.
use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::api::consents::{ConsentTemplate, CreateTemplate, TemplateList};
use crate::auth::Caller;
use crate::db::types::ConsentTemplateId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::services::consents;
use crate::state::AppState;

fn created<R>(row: R) -> Result<HttpResponse, ApiError>
where
    ConsentTemplate: From<R>,
{
    let row = ConsentTemplate::from(row);
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/consent-templates/{}", row.id),
        ))
        .json(row))
}

/// Every template version, newest first.
#[utoipa::path(get, path = "/api/v1/consent-templates", tag = "consent", responses((status = 200, body = TemplateList)))]
pub async fn list_templates(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<TemplateList>> {
    let rows = consents::templates(&state).await?;
    Ok(web::Json(TemplateList {
        items: rows.into_iter().map(ConsentTemplate::from).collect(),
    }))
}

/// One template version.
#[utoipa::path(get, path = "/api/v1/consent-templates/{id}", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = ConsentTemplate), (status = 404, body = Problem)))]
pub async fn get_template(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<ConsentTemplateId>,
) -> ApiResult<web::Json<ConsentTemplate>> {
    let row = consents::template(&state, id.into_inner()).await?;
    Ok(web::Json(ConsentTemplate::from(row)))
}

/// Publishes a new template family at version 1 (published templates never change).
#[utoipa::path(post, path = "/api/v1/consent-templates", tag = "consent", request_body = CreateTemplate,
    responses((status = 201, body = ConsentTemplate), (status = 422, body = Problem)))]
pub async fn create_template(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateTemplate>,
) -> ApiResult<HttpResponse> {
    let new = consents::publish(&state, &caller, body.into_inner()).await?;
    created(new)
}

/// Publishes the next version of a family. Scope and service cannot change (422).
#[utoipa::path(post, path = "/api/v1/consent-templates/{id}/versions", tag = "consent", params(("id" = String, Path)),
    request_body = CreateTemplate,
    responses((status = 201, body = ConsentTemplate), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_version(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsentTemplateId>,
    body: Json<CreateTemplate>,
) -> ApiResult<HttpResponse> {
    let new =
        consents::publish_version(&state, &caller, id.into_inner(), body.into_inner()).await?;
    created(new)
}
