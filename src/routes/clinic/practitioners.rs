//! `GET/POST /practitioners`, `GET /practitioners/{id}`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreatePractitioner, Practitioner};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::clinic::{self, PractitionerRow};
use crate::db::models::users;
use crate::db::types::PractitionerId;
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PractitionerList {
    pub items: Vec<Practitioner>,
}

/// Every practitioner.
#[utoipa::path(get, path = "/api/v1/practitioners", tag = "clinic", responses((status = 200, body = PractitionerList)))]
pub async fn list_practitioners(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<PractitionerList>> {
    let rows = state
        .db(|conn| Ok(clinic::list_practitioners(conn)?))
        .await?;
    Ok(web::Json(PractitionerList {
        items: rows.into_iter().map(Practitioner::from).collect(),
    }))
}

/// One practitioner.
#[utoipa::path(get, path = "/api/v1/practitioners/{id}", tag = "clinic", params(("id" = String, Path)),
    responses((status = 200, body = Practitioner), (status = 404, body = Problem)))]
pub async fn get_practitioner(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<PractitionerId>,
) -> ApiResult<web::Json<Practitioner>> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| clinic::find_practitioner(conn, id)?.ok_or(ApiError::NotFound))
        .await?;
    Ok(web::Json(Practitioner::from(row)))
}

/// Makes a practitioner-role user bookable.
#[utoipa::path(post, path = "/api/v1/practitioners", tag = "clinic", request_body = CreatePractitioner,
    responses((status = 201, body = Practitioner), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_practitioner(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreatePractitioner>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let row = PractitionerRow {
        id: PractitionerId::new(),
        user_id: body.user_id,
        display_name: super::required_name("display_name", &body.display_name, 200)?,
        title: body
            .title
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        created_at: crate::db::now(),
    };
    let stored = row.clone();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let user = users::find(conn, stored.user_id)
                .map_err(|_| ApiError::validation("user_id", "no such user"))?;
            if user.role != Role::Practitioner {
                return Err(ApiError::validation(
                    "user_id",
                    "must be a user with the practitioner role",
                ));
            }
            if clinic::practitioner_of_user(conn, stored.user_id)?.is_some() {
                return Err(ApiError::Conflict(
                    "This user is already a practitioner.".into(),
                ));
            }
            Ok::<_, ApiError>(clinic::insert_practitioner(conn, &stored)?)?;
            audit.push(who.event(
                AuditAction::Create,
                "practitioner",
                Some(row.id.to_string()),
                None,
            ));
            Ok(())
        })
        .await?;
    super::created(
        format!("/api/v1/practitioners/{}", row.id),
        Practitioner::from(row),
    )
}
