//! `POST /me/consents/{id}/revoke`.
use actix_web::web;

use crate::api::consents::{Consent, RevokeConsent};
use crate::auth::Me;
use crate::db::types::ConsentId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

use super::own_consent;

/// Revokes one of the patient's consents.
#[utoipa::path(post, path = "/api/v1/me/consents/{id}/revoke", tag = "me", params(("id" = String, Path)),
    request_body = RevokeConsent,
    responses((status = 200, body = Consent), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn revoke_my_consent(
    state: web::Data<AppState>,
    who: Me,
    id: web::Path<ConsentId>,
    body: Json<RevokeConsent>,
) -> ApiResult<web::Json<Consent>> {
    let Me {
        caller,
        patient: me,
    } = who;
    let id = id.into_inner();
    state.db(move |conn| own_consent(conn, me, id)).await?;
    crate::routes::consents::transitions::revoke_consent(state, caller, web::Path::from(id), body)
        .await
}
