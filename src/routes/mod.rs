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

/// Mounts every API route under `/api/v1`, in one scope per first segment. The router,
/// and the guard before it (`middleware::route_pattern`), try the routes in order and
/// match each `{id}` route with a regular expression: in one flat list a booking's
/// `POST /appointments`, near its end, cost ~63,000 instructions of matching (7 % of the
/// request). A scope's prefix is a plain string compare, so a request now tries only
/// its own resource's routes. The patterns the policy table names are unchanged
/// (scope and route joined). Every route goes inside its first segment's scope: once a
/// scope's prefix matches, neither the router nor the pattern lookup tries what comes
/// after it, so a `/patients/…` route registered outside the `/patients` scope would
/// never be served (a 404, not an open door, but a puzzling one).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/openapi.json", web::get().to(openapi::openapi_json))
            .route("/clinic", web::get().to(clinic::info::clinic_info))
            .service(
                web::scope("/auth")
                    .route("/login", web::post().to(auth::login::login))
                    .route("/logout", web::post().to(auth::logout::logout))
                    .route("/me", web::get().to(auth::me::me))
                    .route(
                        "/password-reset",
                        web::post().to(auth::password_reset::request_password_reset),
                    )
                    .route(
                        "/set-password",
                        web::post().to(auth::set_password::set_password),
                    )
                    .route("/password", web::post().to(auth::password::change_password))
                    .route(
                        "/totp/enroll",
                        web::post().to(auth::enroll_totp::enroll_totp),
                    )
                    .route(
                        "/totp/confirm",
                        web::post().to(auth::confirm_totp::confirm_totp),
                    ),
            )
            .service(
                web::scope("/users")
                    .service(
                        web::resource("")
                            .get(users::list::list_users)
                            .post(users::create::create_user),
                    )
                    .service(
                        web::resource("/{id}")
                            .get(users::get::get_user)
                            .patch(users::update::update_user),
                    )
                    .route(
                        "/{id}/totp",
                        web::delete().to(users::remove_totp::remove_totp),
                    )
                    .route("/{id}/unlock", web::post().to(users::unlock::unlock_user)),
            )
            .service(
                web::scope("/patients")
                    .service(
                        web::resource("")
                            .get(patients::search::search_patients)
                            .post(patients::create::create_patient),
                    )
                    .route("/import", web::post().to(patients::import::import_patients))
                    .service(
                        web::resource("/{id}")
                            .get(patients::get::get_patient)
                            .patch(patients::update::update_patient)
                            .delete(patients::archive::archive_patient),
                    )
                    .service(
                        web::resource("/{id}/consents")
                            .get(consents::patient::list::list_consents)
                            .post(consents::patient::request::request_consent),
                    )
                    .service(
                        web::resource("/{id}/adverse-events")
                            .get(adverse::of_patient::list_adverse_events)
                            .post(adverse::create::create_adverse_event),
                    )
                    .route(
                        "/{id}/portal-account",
                        web::post().to(patients::portal_account::create_portal_account),
                    )
                    .route(
                        "/{id}/record",
                        web::get().to(patients::record::patient_record),
                    )
                    .service(
                        web::resource("/{id}/measurements")
                            .get(measurements::list::list_measurements)
                            .post(measurements::create::create_measurement),
                    )
                    .service(
                        web::resource("/{id}/photos")
                            .get(photos::list::list_photos)
                            .post(photos::upload::upload_photo),
                    )
                    .route(
                        "/{id}/photos/compare",
                        web::get().to(photos::compare::compare_photos),
                    )
                    .route(
                        "/{id}/export",
                        web::get().to(export::patient::patient_export),
                    ),
            )
            .service(
                web::scope("/audit")
                    .route("", web::get().to(audit::list::list_audit))
                    .route("/verify", web::get().to(audit::verify::verify_audit)),
            )
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
                web::scope("/practitioners")
                    .service(
                        web::resource("")
                            .get(clinic::practitioners::list::list_practitioners)
                            .post(clinic::practitioners::create::create_practitioner),
                    )
                    .route(
                        "/{id}",
                        web::get().to(clinic::practitioners::get::get_practitioner),
                    )
                    .service(
                        web::resource("/{id}/working-hours")
                            .get(clinic::working_hours::get::get_working_hours)
                            .put(clinic::working_hours::put::put_working_hours),
                    )
                    .service(
                        web::resource("/{id}/time-off")
                            .get(clinic::time_off::list::list_time_off)
                            .post(clinic::time_off::create::create_time_off),
                    )
                    .service(
                        web::resource("/{id}/calendar-token")
                            .post(calendar::token::issue::issue_calendar_token)
                            .delete(calendar::token::revoke::revoke_calendar_token),
                    )
                    .route(
                        "/{id}/calendar.ics",
                        web::get().to(calendar::feed::calendar_feed),
                    ),
            )
            .service(
                web::scope("/services")
                    .service(
                        web::resource("")
                            .get(clinic::services::list::list_services)
                            .post(clinic::services::create::create_service),
                    )
                    .service(
                        web::resource("/{id}")
                            .get(clinic::services::get::get_service)
                            .patch(clinic::services::update::update_service),
                    ),
            )
            .route("/availability", web::get().to(availability::availability))
            .service(
                web::scope("/consent-templates")
                    .service(
                        web::resource("")
                            .get(consents::templates::list::list_templates)
                            .post(consents::templates::create::create_template),
                    )
                    .route(
                        "/{id}",
                        web::get().to(consents::templates::get::get_template),
                    )
                    .route(
                        "/{id}/versions",
                        web::post().to(consents::templates::create_version::create_version),
                    ),
            )
            .service(
                web::scope("/consents")
                    .route("/{id}", web::get().to(consents::patient::get::get_consent))
                    .route("/{id}/sign", web::post().to(consents::sign::sign_consent))
                    .route(
                        "/{id}/witness",
                        web::post().to(consents::transitions::witness::witness_consent),
                    )
                    .route(
                        "/{id}/revoke",
                        web::post().to(consents::transitions::revoke::revoke_consent),
                    ),
            )
            .service(
                web::scope("/consultations")
                    .route(
                        "",
                        web::post().to(consultations::create::create_consultation),
                    )
                    .service(
                        web::resource("/{id}")
                            .get(consultations::get::get_consultation)
                            .patch(consultations::update::update_consultation)
                            .delete(consultations::delete::delete_consultation),
                    )
                    .route(
                        "/{id}/sign",
                        web::post().to(consultations::sign::sign_consultation),
                    )
                    .route(
                        "/{id}/amendments",
                        web::post().to(consultations::amend::amend_consultation),
                    )
                    .route(
                        "/{id}/entered-in-error",
                        web::post().to(entered_in_error::consultation_entered_in_error),
                    ),
            )
            .service(
                web::scope("/procedures")
                    .service(
                        web::resource("")
                            .get(procedures::list::procedures_by_lot)
                            .post(procedures::create::create_procedure),
                    )
                    .service(
                        web::resource("/{id}")
                            .get(procedures::get::get_procedure)
                            .patch(procedures::update::update_procedure)
                            .delete(procedures::delete::delete_procedure),
                    )
                    .route(
                        "/{id}/sign",
                        web::post().to(procedures::sign::sign_procedure),
                    )
                    .route(
                        "/{id}/amendments",
                        web::post().to(procedures::amend::amend_procedure),
                    )
                    .route(
                        "/{id}/entered-in-error",
                        web::post().to(entered_in_error::procedure_entered_in_error),
                    ),
            )
            .service(
                web::scope("/adverse-events")
                    .route("", web::get().to(adverse::list::reports_due))
                    .route(
                        "/{id}",
                        web::patch().to(adverse::update::update_adverse_event),
                    )
                    .route(
                        "/{id}/reported",
                        web::post().to(adverse::mark_reported::mark_reported),
                    )
                    .route(
                        "/{id}/entered-in-error",
                        web::post().to(entered_in_error::adverse_event_entered_in_error),
                    ),
            )
            .route("/outcomes", web::get().to(measurements::outcomes::outcomes))
            .route(
                "/measurements/{id}/entered-in-error",
                web::post().to(entered_in_error::measurement_entered_in_error),
            )
            .service(
                web::scope("/photos")
                    .route(
                        "/{id}/entered-in-error",
                        web::post().to(entered_in_error::photo_entered_in_error),
                    )
                    .route("/{id}", web::get().to(photos::download::get_photo)),
            )
            .service(
                web::scope("/me")
                    .route("/photos", web::get().to(photos::me::list::my_photos))
                    .route("/photos/{id}", web::get().to(photos::me::get::my_photo))
                    .service(
                        web::resource("/appointments")
                            .get(me::list_appointments::my_appointments)
                            .post(me::book_appointment::book_my_appointment),
                    )
                    .route(
                        "/appointments/{id}",
                        web::get().to(me::get_appointment::my_appointment),
                    )
                    .route(
                        "/appointments/{id}/cancel",
                        web::post().to(me::cancel_appointment::cancel_my_appointment),
                    )
                    .route("/consents", web::get().to(me::list_consents::my_consents))
                    .route("/consents/{id}", web::get().to(me::get_consent::my_consent))
                    .route(
                        "/consents/{id}/sign",
                        web::post().to(me::sign_consent::sign_my_consent),
                    )
                    .route(
                        "/consents/{id}/revoke",
                        web::post().to(me::revoke_consent::revoke_my_consent),
                    )
                    .route(
                        "/measurements",
                        web::get().to(me::measurements::my_measurements),
                    )
                    .route("/access-log", web::get().to(me::access_log::my_access_log))
                    .route("/record", web::get().to(me::record::my_record))
                    .route("/export", web::get().to(export::me::my_export)),
            )
            .service(
                web::scope("/samples")
                    .route("", web::post().to(samples::create::create_sample))
                    .route("/{id}", web::get().to(samples::get::get_sample))
                    .route(
                        "/{id}/events",
                        web::post().to(samples::record_event::record_sample_event),
                    ),
            )
            .service(
                web::scope("/appointments")
                    .service(
                        web::resource("")
                            .get(appointments::list::list_appointments)
                            .post(appointments::create::create_appointment),
                    )
                    .service(
                        web::resource("/{id}")
                            .get(appointments::get::get_appointment)
                            .patch(appointments::update::update_appointment),
                    )
                    .route(
                        "/{id}/confirm",
                        web::post().to(appointments::transition::confirm::confirm),
                    )
                    .route(
                        "/{id}/check-in",
                        web::post().to(appointments::transition::check_in::check_in),
                    )
                    .route(
                        "/{id}/start",
                        web::post().to(appointments::transition::start::start),
                    )
                    .route(
                        "/{id}/complete",
                        web::post().to(appointments::transition::complete::complete),
                    )
                    .route(
                        "/{id}/cancel",
                        web::post().to(appointments::transition::cancel::cancel),
                    )
                    .route(
                        "/{id}/no-show",
                        web::post().to(appointments::transition::no_show::no_show),
                    )
                    .route(
                        "/{id}/follow-ups",
                        web::post().to(appointments::follow_ups::book_follow_ups),
                    ),
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
