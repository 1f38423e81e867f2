//! The route table: every path, in one place.
pub mod adverse;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod availability;
pub mod calendar;
pub mod clinic;
pub mod consents;
pub mod consultations;
pub mod entered_in_error;
pub mod export;
pub mod health;
pub mod me;
pub mod measurements;
pub mod openapi;
pub mod patients;
pub mod photos;
pub mod procedures;
pub mod samples;
pub mod ui;
pub mod users;

use actix_web::web;

/// Mounts every API route under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/openapi.json", web::get().to(openapi::openapi_json))
            .route("/clinic", web::get().to(clinic::info::clinic_info))
            .route("/auth/login", web::post().to(auth::login::login))
            .route("/auth/logout", web::post().to(auth::logout::logout))
            .route("/auth/me", web::get().to(auth::me::me))
            .route(
                "/auth/password-reset",
                web::post().to(auth::password_reset::request_password_reset),
            )
            .route(
                "/auth/set-password",
                web::post().to(auth::set_password::set_password),
            )
            .route(
                "/auth/password",
                web::post().to(auth::password::change_password),
            )
            .route(
                "/auth/totp/enroll",
                web::post().to(auth::enroll_totp::enroll_totp),
            )
            .route(
                "/auth/totp/confirm",
                web::post().to(auth::confirm_totp::confirm_totp),
            )
            .service(
                web::resource("/users")
                    .get(users::list::list_users)
                    .post(users::create::create_user),
            )
            .service(
                web::resource("/users/{id}")
                    .get(users::get::get_user)
                    .patch(users::update::update_user),
            )
            .route(
                "/users/{id}/totp",
                web::delete().to(users::remove_totp::remove_totp),
            )
            .route(
                "/users/{id}/unlock",
                web::post().to(users::unlock::unlock_user),
            )
            .service(
                web::resource("/patients")
                    .get(patients::search::search_patients)
                    .post(patients::create::create_patient),
            )
            .route(
                "/patients/import",
                web::post().to(patients::import::import_patients),
            )
            .service(
                web::resource("/patients/{id}")
                    .get(patients::get::get_patient)
                    .patch(patients::update::update_patient)
                    .delete(patients::archive::archive_patient),
            )
            .route("/audit", web::get().to(audit::list::list_audit))
            .route("/audit/verify", web::get().to(audit::verify::verify_audit))
            .service(
                web::resource("/locations")
                    .get(clinic::locations::list::list_locations)
                    .post(clinic::locations::create::create_location),
            )
            .service(
                web::resource("/rooms")
                    .get(clinic::rooms::list::list_rooms)
                    .post(clinic::rooms::create::create_room),
            )
            .service(
                web::resource("/practitioners")
                    .get(clinic::practitioners::list::list_practitioners)
                    .post(clinic::practitioners::create::create_practitioner),
            )
            .route(
                "/practitioners/{id}",
                web::get().to(clinic::practitioners::get::get_practitioner),
            )
            .service(
                web::resource("/practitioners/{id}/working-hours")
                    .get(clinic::working_hours::get::get_working_hours)
                    .put(clinic::working_hours::put::put_working_hours),
            )
            .service(
                web::resource("/practitioners/{id}/time-off")
                    .get(clinic::time_off::list::list_time_off)
                    .post(clinic::time_off::create::create_time_off),
            )
            .service(
                web::resource("/services")
                    .get(clinic::services::list::list_services)
                    .post(clinic::services::create::create_service),
            )
            .service(
                web::resource("/services/{id}")
                    .get(clinic::services::get::get_service)
                    .patch(clinic::services::update::update_service),
            )
            .service(
                web::resource("/practitioners/{id}/calendar-token")
                    .post(calendar::token::issue::issue_calendar_token)
                    .delete(calendar::token::revoke::revoke_calendar_token),
            )
            .route(
                "/practitioners/{id}/calendar.ics",
                web::get().to(calendar::feed::calendar_feed),
            )
            .route("/availability", web::get().to(availability::availability))
            .service(
                web::resource("/consent-templates")
                    .get(consents::templates::list::list_templates)
                    .post(consents::templates::create::create_template),
            )
            .route(
                "/consent-templates/{id}",
                web::get().to(consents::templates::get::get_template),
            )
            .route(
                "/consent-templates/{id}/versions",
                web::post().to(consents::templates::create_version::create_version),
            )
            .service(
                web::resource("/patients/{id}/consents")
                    .get(consents::patient::list::list_consents)
                    .post(consents::patient::request::request_consent),
            )
            .route(
                "/consents/{id}",
                web::get().to(consents::patient::get::get_consent),
            )
            .route(
                "/consents/{id}/sign",
                web::post().to(consents::sign::sign_consent),
            )
            .route(
                "/consents/{id}/witness",
                web::post().to(consents::transitions::witness::witness_consent),
            )
            .route(
                "/consents/{id}/revoke",
                web::post().to(consents::transitions::revoke::revoke_consent),
            )
            .route(
                "/consultations",
                web::post().to(consultations::create::create_consultation),
            )
            .service(
                web::resource("/consultations/{id}")
                    .get(consultations::get::get_consultation)
                    .patch(consultations::update::update_consultation)
                    .delete(consultations::delete::delete_consultation),
            )
            .route(
                "/consultations/{id}/sign",
                web::post().to(consultations::sign::sign_consultation),
            )
            .route(
                "/consultations/{id}/amendments",
                web::post().to(consultations::amend::amend_consultation),
            )
            .service(
                web::resource("/procedures")
                    .get(procedures::list::procedures_by_lot)
                    .post(procedures::create::create_procedure),
            )
            .service(
                web::resource("/procedures/{id}")
                    .get(procedures::get::get_procedure)
                    .patch(procedures::update::update_procedure)
                    .delete(procedures::delete::delete_procedure),
            )
            .route(
                "/procedures/{id}/sign",
                web::post().to(procedures::sign::sign_procedure),
            )
            .route(
                "/procedures/{id}/amendments",
                web::post().to(procedures::amend::amend_procedure),
            )
            .service(
                web::resource("/patients/{id}/adverse-events")
                    .get(adverse::of_patient::list_adverse_events)
                    .post(adverse::create::create_adverse_event),
            )
            .route(
                "/patients/{id}/portal-account",
                web::post().to(patients::portal_account::create_portal_account),
            )
            .route(
                "/patients/{id}/record",
                web::get().to(patients::record::patient_record),
            )
            .route("/adverse-events", web::get().to(adverse::list::reports_due))
            .route(
                "/adverse-events/{id}",
                web::patch().to(adverse::update::update_adverse_event),
            )
            .route(
                "/adverse-events/{id}/reported",
                web::post().to(adverse::mark_reported::mark_reported),
            )
            .service(
                web::resource("/patients/{id}/measurements")
                    .get(measurements::list::list_measurements)
                    .post(measurements::create::create_measurement),
            )
            .route("/outcomes", web::get().to(measurements::outcomes::outcomes))
            .route(
                "/consultations/{id}/entered-in-error",
                web::post().to(entered_in_error::consultation_entered_in_error),
            )
            .route(
                "/procedures/{id}/entered-in-error",
                web::post().to(entered_in_error::procedure_entered_in_error),
            )
            .route(
                "/measurements/{id}/entered-in-error",
                web::post().to(entered_in_error::measurement_entered_in_error),
            )
            .route(
                "/adverse-events/{id}/entered-in-error",
                web::post().to(entered_in_error::adverse_event_entered_in_error),
            )
            .route(
                "/photos/{id}/entered-in-error",
                web::post().to(entered_in_error::photo_entered_in_error),
            )
            .service(
                web::resource("/patients/{id}/photos")
                    .get(photos::list::list_photos)
                    .post(photos::upload::upload_photo),
            )
            .route(
                "/patients/{id}/photos/compare",
                web::get().to(photos::compare::compare_photos),
            )
            .route("/photos/{id}", web::get().to(photos::download::get_photo))
            .route("/me/photos", web::get().to(photos::me::list::my_photos))
            .route("/me/photos/{id}", web::get().to(photos::me::get::my_photo))
            .service(
                web::resource("/me/appointments")
                    .get(me::list_appointments::my_appointments)
                    .post(me::book_appointment::book_my_appointment),
            )
            .route(
                "/me/appointments/{id}",
                web::get().to(me::get_appointment::my_appointment),
            )
            .route(
                "/me/appointments/{id}/cancel",
                web::post().to(me::cancel_appointment::cancel_my_appointment),
            )
            .route(
                "/me/consents",
                web::get().to(me::list_consents::my_consents),
            )
            .route(
                "/me/consents/{id}",
                web::get().to(me::get_consent::my_consent),
            )
            .route(
                "/me/consents/{id}/sign",
                web::post().to(me::sign_consent::sign_my_consent),
            )
            .route(
                "/me/consents/{id}/revoke",
                web::post().to(me::revoke_consent::revoke_my_consent),
            )
            .route(
                "/me/measurements",
                web::get().to(me::measurements::my_measurements),
            )
            .route(
                "/me/access-log",
                web::get().to(me::access_log::my_access_log),
            )
            .route("/me/record", web::get().to(me::record::my_record))
            .route("/me/export", web::get().to(export::me::my_export))
            .route(
                "/patients/{id}/export",
                web::get().to(export::patient::patient_export),
            )
            .route("/samples", web::post().to(samples::create::create_sample))
            .route("/samples/{id}", web::get().to(samples::get::get_sample))
            .route(
                "/samples/{id}/events",
                web::post().to(samples::record_event::record_sample_event),
            )
            .service(
                web::resource("/appointments")
                    .get(appointments::list::list_appointments)
                    .post(appointments::create::create_appointment),
            )
            .service(
                web::resource("/appointments/{id}")
                    .get(appointments::get::get_appointment)
                    .patch(appointments::update::update_appointment),
            )
            .route(
                "/appointments/{id}/confirm",
                web::post().to(appointments::transition::confirm::confirm),
            )
            .route(
                "/appointments/{id}/check-in",
                web::post().to(appointments::transition::check_in::check_in),
            )
            .route(
                "/appointments/{id}/start",
                web::post().to(appointments::transition::start::start),
            )
            .route(
                "/appointments/{id}/complete",
                web::post().to(appointments::transition::complete::complete),
            )
            .route(
                "/appointments/{id}/cancel",
                web::post().to(appointments::transition::cancel::cancel),
            )
            .route(
                "/appointments/{id}/no-show",
                web::post().to(appointments::transition::no_show::no_show),
            )
            .route(
                "/appointments/{id}/follow-ups",
                web::post().to(appointments::follow_ups::book_follow_ups),
            ),
    );
}

/// A versioned resource's answer: its body and its version as the strong `ETag` that
/// `If-Match` sends back (`extract::if_match_version` reads it). The one place that
/// spells the tag.
pub fn versioned(
    status: actix_web::http::StatusCode,
    version: i64,
    body: impl serde::Serialize,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status)
        .insert_header((actix_web::http::header::ETAG, format!("\"{version}\"")))
        .json(body)
}
