//! `POST /patients/{id}/portal-account`: the patient's login, with a set-password
//! link emailed to the address on file (never returned).
use actix_web::{web, HttpResponse};

use crate::api::auth::PortalAccount;
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::services::patients;
use crate::state::AppState;

/// Creates the patient's portal login for the email on file and emails it a
/// single-use set-password link (24 h). 422 without an email; 409 if a login exists.
#[utoipa::path(post, path = "/api/v1/patients/{id}/portal-account", tag = "patients", params(("id" = String, Path)),
    responses((status = 201, body = PortalAccount), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_portal_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let (user_id, expires_at) =
        patients::open_portal_account(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/users/{user_id}")))
        .json(PortalAccount {
            user_id,
            expires_at: crate::api::instant(expires_at),
        }))
}
