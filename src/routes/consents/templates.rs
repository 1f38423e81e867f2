//! `GET/POST /consent-templates`, `GET /consent-templates/{id}`, `POST /consent-templates/{id}/versions`.
use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::api::consents::{ConsentTemplate, CreateTemplate, TemplateList};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::clinic;
use crate::db::models::consents::{self, TemplateRow};
use crate::db::types::{ConsentFamilyId, ConsentTemplateId};
use crate::db::DbConnection;
use crate::domain::FieldError;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

fn validate(conn: &mut DbConnection, body: &CreateTemplate) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if body.title.trim().is_empty() || body.title.chars().count() > 200 {
        errors.push(FieldError::new("title", "must be 1 to 200 characters"));
    }
    if body.body_markdown.trim().is_empty() || body.body_markdown.chars().count() > 100_000 {
        errors.push(FieldError::new(
            "body_markdown",
            "must be 1 to 100000 characters",
        ));
    }
    if body.risks.len() > 50
        || body
            .risks
            .iter()
            .any(|r| r.trim().is_empty() || r.chars().count() > 500)
    {
        errors.push(FieldError::new(
            "risks",
            "at most 50 risks of 1 to 500 characters",
        ));
    }
    if body
        .valid_for_days
        .is_some_and(|d| !(1..=3650).contains(&d))
    {
        errors.push(FieldError::new("valid_for_days", "must be 1 to 3650"));
    }
    if let Some(s) = body.service_id {
        if clinic::find_service(conn, s)?.is_none() {
            errors.push(FieldError::new("service_id", "no such service"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn row(
    body: &CreateTemplate,
    id: ConsentTemplateId,
    family: ConsentFamilyId,
    version: i32,
    caller: &Caller,
) -> Result<TemplateRow, ApiError> {
    Ok(TemplateRow {
        id,
        family_id: family,
        version,
        service_id: body.service_id,
        title: body.title.trim().to_owned(),
        body_markdown: body.body_markdown.clone(),
        risks: serde_json::to_string(&body.risks).map_err(ApiError::internal)?,
        scope: body.scope,
        requires_reconsent: body.requires_reconsent,
        valid_for_days: body.valid_for_days,
        created_by: Some(caller.user_id),
        created_at: crate::db::now(),
    })
}

fn created(row: TemplateRow) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/consent-templates/{}", row.id),
        ))
        .json(ConsentTemplate::from(row)))
}

/// Every template version, newest first.
#[utoipa::path(get, path = "/api/v1/consent-templates", tag = "consent", responses((status = 200, body = TemplateList)))]
pub async fn list_templates(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<TemplateList>> {
    let rows = state.db(|conn| Ok(consents::list_templates(conn)?)).await?;
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
    let id = id.into_inner();
    let row = state
        .db(move |conn| consents::find_template(conn, id)?.ok_or(ApiError::NotFound))
        .await?;
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
    let body = body.into_inner();
    let id = ConsentTemplateId::new();
    let new = row(&body, id, ConsentFamilyId(id.0), 1, &caller)?;
    let stored = new.clone();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            validate(conn, &body)?;
            Ok::<_, ApiError>(consents::insert_template(conn, &stored)?)?;
            audit.push(who.event(
                AuditAction::Create,
                "consent_template",
                Some(id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
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
    let id = id.into_inner();
    let body = body.into_inner();
    let c = caller.clone();
    let new = state
        .write(move |conn, audit| {
            let new = {
                let base = consents::find_template(conn, id)?.ok_or(ApiError::NotFound)?;
                validate(conn, &body)?;
                let mut errors = Vec::new();
                if body.scope != base.scope {
                    errors.push(FieldError::new(
                        "scope",
                        "a new version keeps the family's scope",
                    ));
                }
                if body.service_id != base.service_id {
                    errors.push(FieldError::new(
                        "service_id",
                        "a new version keeps the family's service",
                    ));
                }
                if !errors.is_empty() {
                    return Err(ApiError::Validation(errors));
                }
                let latest = consents::family(conn, base.family_id)?
                    .last()
                    .map_or(base.version, |t| t.version);
                let new = row(
                    &body,
                    ConsentTemplateId::new(),
                    base.family_id,
                    latest + 1,
                    &c,
                )?;
                consents::insert_template(conn, &new)?;
                Ok::<_, ApiError>(new)
            }?;
            audit.push(c.event(
                AuditAction::Create,
                "consent_template",
                Some(new.id.to_string()),
                None,
            ));
            Ok(new)
        })
        .await?;
    created(new)
}
