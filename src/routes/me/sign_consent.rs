//! `POST /me/consents/{id}/sign`.
use actix_web::{web, HttpRequest};

use crate::api::consents::{Consent, SignConsent, SignOwnConsent, SignerKind};
use crate::auth::Me;
use crate::db::types::ConsentId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::routes::consents::sign::user_agent;
use crate::services::consents::{self, Collector};
use crate::state::AppState;

/// Signs one of the patient's own pending consents (any scope; nobody collects it).
#[utoipa::path(post, path = "/api/v1/me/consents/{id}/sign", tag = "me", params(("id" = String, Path)),
    request_body = SignOwnConsent,
    responses((status = 200, body = Consent), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn sign_my_consent(
    state: web::Data<AppState>,
    who: Me,
    req: HttpRequest,
    id: web::Path<ConsentId>,
    body: Json<SignOwnConsent>,
) -> ApiResult<web::Json<Consent>> {
    let Me {
        caller,
        patient: me,
    } = who;
    let body = body.into_inner();
    let signing = SignConsent {
        signer_name: body.signer_name,
        signature_png_base64: body.signature_png_base64,
        signer_kind: SignerKind::Patient,
        guardian_name: None,
    };
    Ok(web::Json(
        consents::sign(
            &state,
            &caller,
            user_agent(&req),
            id.into_inner(),
            signing,
            Collector::Patient(me),
        )
        .await?,
    ))
}
