//! `GET/POST /services`, `GET/PATCH /services/{id}`.
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::clinic::{CreateService, Service, UpdateService};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::clinic::{self, ServiceRow};
use crate::db::types::ServiceId;
use crate::db::DbConnection;
use crate::domain::consent::ConsentScope;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::state::AppState;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ServiceList {
    pub items: Vec<Service>,
}

fn with_etag(status: actix_web::http::StatusCode, row: ServiceRow) -> HttpResponse {
    crate::routes::versioned(status, row.version, Service::from(row))
}

/// Every service.
#[utoipa::path(get, path = "/api/v1/services", tag = "clinic", responses((status = 200, body = ServiceList)))]
pub async fn list_services(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<ServiceList>> {
    let rows = state.db(|conn| Ok(clinic::list_services(conn)?)).await?;
    Ok(web::Json(ServiceList {
        items: rows.into_iter().map(Service::from).collect(),
    }))
}

/// One service.
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "clinic", params(("id" = String, Path)),
    responses((status = 200, body = Service), (status = 404, body = Problem)))]
pub async fn get_service(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<ServiceId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| clinic::find_service(conn, id)?.ok_or(ApiError::NotFound))
        .await?;
    Ok(with_etag(actix_web::http::StatusCode::OK, row))
}

/// A service's consent family must exist and be a treatment consent.
fn check_consent_family(conn: &mut DbConnection, s: &CreateService) -> Result<(), ApiError> {
    if let Some(family) = s.consent_template_id {
        let versions = crate::db::models::consents::family(conn, family)?;
        match versions.first() {
            None => {
                return Err(ApiError::validation(
                    "consent_template_id",
                    "no such consent template family",
                ))
            }
            Some(t) if t.scope != ConsentScope::Treatment => {
                return Err(ApiError::validation(
                    "consent_template_id",
                    "must be a treatment consent family",
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn check_follow_up_service(
    conn: &mut DbConnection,
    s: &CreateService,
    own: ServiceId,
) -> Result<(), ApiError> {
    check_consent_family(conn, s)?;
    if let Some(f) = s.follow_up_service_id {
        let follow = clinic::find_service(conn, f)?
            .ok_or_else(|| ApiError::validation("follow_up_service_id", "no such service"))?;
        if f == own || !follow.follow_up_days().is_empty() {
            return Err(ApiError::validation(
                "follow_up_service_id",
                "must be another service without a follow-up series of its own",
            ));
        }
    }
    Ok(())
}

/// Adds a service.
#[utoipa::path(post, path = "/api/v1/services", tag = "clinic", request_body = CreateService,
    responses((status = 201, body = Service), (status = 422, body = Problem)))]
pub async fn create_service(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateService>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    body.validate()?;
    let now = crate::db::now();
    let row = ServiceRow {
        id: ServiceId::new(),
        name: body.name.trim().to_owned(),
        duration_minutes: body.duration_minutes,
        buffer_minutes: body.buffer_minutes,
        requires_room: body.requires_room,
        consent_template_id: body.consent_template_id,
        follow_up_days: serde_json::to_string(&body.follow_up_days).map_err(ApiError::internal)?,
        follow_up_service_id: body.follow_up_service_id,
        patient_bookable: body.patient_bookable,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let stored = row.clone();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            check_follow_up_service(conn, &body, stored.id)?;
            Ok::<_, ApiError>(clinic::insert_service(conn, &stored)?)?;
            audit.push(who.event(
                AuditAction::Create,
                "service",
                Some(row.id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
    let location = format!("/api/v1/services/{}", row.id);
    let mut response = with_etag(actix_web::http::StatusCode::CREATED, row);
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}

/// Changes a service (JSON Merge Patch; `If-Match`). Booked appointments keep their times.
#[utoipa::path(patch, path = "/api/v1/services/{id}", tag = "clinic", params(("id" = String, Path)),
    request_body = UpdateService,
    responses((status = 200, body = Service), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_service(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<ServiceId>,
    body: Json<UpdateService>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let expected = if_match_version(&req)?;
    let patch = body.into_inner();
    let who = caller.clone();
    let row = state
        .write(move |conn, audit| {
            let row = {
                let current = clinic::find_service(conn, id)?.ok_or(ApiError::NotFound)?;
                if expected.is_some_and(|v| v != current.version) {
                    return Err(ApiError::PreconditionFailed);
                }
                let merged = CreateService::from_row(&current).apply(patch)?;
                merged.validate()?;
                check_follow_up_service(conn, &merged, id)?;
                let row = ServiceRow {
                    name: merged.name.trim().to_owned(),
                    duration_minutes: merged.duration_minutes,
                    buffer_minutes: merged.buffer_minutes,
                    requires_room: merged.requires_room,
                    consent_template_id: merged.consent_template_id,
                    follow_up_days: serde_json::to_string(&merged.follow_up_days)
                        .map_err(ApiError::internal)?,
                    follow_up_service_id: merged.follow_up_service_id,
                    patient_bookable: merged.patient_bookable,
                    version: current.version + 1,
                    updated_at: crate::db::now(),
                    ..current.clone()
                };
                if clinic::update_service(conn, &row, current.version)? != 1 {
                    return Err(ApiError::PreconditionFailed);
                }
                Ok::<_, ApiError>(row)
            }?;
            audit.push(who.event(AuditAction::Update, "service", Some(id.to_string()), None));
            Ok(row)
        })
        .await?;
    Ok(with_etag(actix_web::http::StatusCode::OK, row))
}
