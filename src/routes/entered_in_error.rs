//! `POST /{consultations|procedures|measurements|adverse-events|photos}/{id}/entered-in-error`:
//! a practitioner marks an item recorded by mistake. The mark is its own row (signed
//! rows stay untouched); the chart, `/me`, outcomes and exports leave the item out.
use actix_web::{web, HttpResponse};

pub use crate::api::entered_in_error::{EnteredInError, MarkEnteredInError};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::entered_in_error::{mark, Marked};
use crate::state::AppState;

macro_rules! mark_handler {
    ($name:ident, $kind:expr, $path:literal) => {
        /// Marks the item entered in error (practitioner; audited). The item stays stored
        /// but leaves the chart, the portal, outcomes and exports.
        #[utoipa::path(post, path = $path, tag = "clinical", params(("id" = String, Path)),
                    request_body = MarkEnteredInError,
                    responses((status = 200, body = EnteredInError), (status = 404, body = Problem),
                        (status = 409, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<uuid::Uuid>,
            body: Json<MarkEnteredInError>,
        ) -> ApiResult<HttpResponse> {
            let marked = mark(&state, &caller, $kind, id.into_inner(), body.into_inner()).await?;
            Ok(HttpResponse::Ok().json(marked))
        }
    };
}

mark_handler!(
    consultation_entered_in_error,
    Marked::Consultation,
    "/api/v1/consultations/{id}/entered-in-error"
);
mark_handler!(
    procedure_entered_in_error,
    Marked::Procedure,
    "/api/v1/procedures/{id}/entered-in-error"
);
mark_handler!(
    measurement_entered_in_error,
    Marked::Measurement,
    "/api/v1/measurements/{id}/entered-in-error"
);
mark_handler!(
    adverse_event_entered_in_error,
    Marked::AdverseEvent,
    "/api/v1/adverse-events/{id}/entered-in-error"
);
mark_handler!(
    photo_entered_in_error,
    Marked::Photo,
    "/api/v1/photos/{id}/entered-in-error"
);
