//! The tables, as both backends' migrations create them (see `tests/api/schema.rs`).
#![allow(missing_docs)]

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    patients (id) {
        id -> DbUuid,
        mrn -> Text,
        given_name -> Text,
        family_name -> Text,
        date_of_birth -> Date,
        sex -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        emergency_contact -> Nullable<Text>,
        allergies -> Text,
        medications -> Text,
        medical_history -> Nullable<Text>,
        fitzpatrick_type -> Nullable<Integer>,
        archived -> Bool,
        given_name_search -> Text,
        family_name_search -> Text,
        email_search -> Nullable<Text>,
        phone_search -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        email_set_by -> Nullable<DbUuid>,
        email_set_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    users (id) {
        id -> DbUuid,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        patient_id -> Nullable<DbUuid>,
        totp_secret -> Nullable<Text>,
        totp_confirmed -> Bool,
        totp_last_step -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    sessions (id) {
        id -> DbUuid,
        token_hash -> Text,
        user_id -> DbUuid,
        via_cookie -> Bool,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    login_failures (id) {
        id -> BigInt,
        throttle_key -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    audit_log (seq) {
        seq -> BigInt,
        id -> DbUuid,
        at -> Timestamp,
        actor_id -> Nullable<DbUuid>,
        actor_role -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        patient_id -> Nullable<DbUuid>,
        ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    /// The first audit row chained with the keyed MAC is the one after `seq`.
    audit_mac_start (id) {
        id -> Integer,
        seq -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    locations (id) {
        id -> DbUuid,
        name -> Text,
        address -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    rooms (id) {
        id -> DbUuid,
        location_id -> DbUuid,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    practitioners (id) {
        id -> DbUuid,
        user_id -> DbUuid,
        display_name -> Text,
        title -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    working_hours (id) {
        id -> DbUuid,
        practitioner_id -> DbUuid,
        weekday -> Integer,
        start_minute -> Integer,
        end_minute -> Integer,
        location_id -> DbUuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    time_off (id) {
        id -> DbUuid,
        practitioner_id -> DbUuid,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    services (id) {
        id -> DbUuid,
        name -> Text,
        duration_minutes -> Integer,
        buffer_minutes -> Integer,
        requires_room -> Bool,
        consent_template_id -> Nullable<DbUuid>,
        follow_up_days -> Text,
        follow_up_service_id -> Nullable<DbUuid>,
        patient_bookable -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    appointments (id) {
        id -> DbUuid,
        patient_id -> DbUuid,
        practitioner_id -> DbUuid,
        service_id -> DbUuid,
        room_id -> Nullable<DbUuid>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        blocked_until -> Timestamp,
        status -> Text,
        notes -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        follow_up_of -> Nullable<DbUuid>,
        follow_up_offset_days -> Nullable<Integer>,
        booked_by -> Nullable<DbUuid>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    idempotency_keys (user_id, key) {
        user_id -> DbUuid,
        key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
        response_headers -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    reminders (id) {
        id -> DbUuid,
        appointment_id -> DbUuid,
        send_at -> Timestamp,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    calendar_tokens (practitioner_id) {
        practitioner_id -> DbUuid,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    consent_templates (id) {
        id -> DbUuid,
        family_id -> DbUuid,
        version -> Integer,
        service_id -> Nullable<DbUuid>,
        title -> Text,
        body_markdown -> Text,
        risks -> Text,
        scope -> Text,
        requires_reconsent -> Bool,
        valid_for_days -> Nullable<Integer>,
        created_by -> Nullable<DbUuid>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    consents (id) {
        id -> DbUuid,
        patient_id -> DbUuid,
        template_id -> DbUuid,
        family_id -> DbUuid,
        status -> Text,
        requested_by -> Nullable<DbUuid>,
        requested_at -> Timestamp,
        signer_name -> Nullable<Text>,
        signer_kind -> Nullable<Text>,
        guardian_name -> Nullable<Text>,
        signature_png -> Nullable<Binary>,
        signed_text -> Nullable<Text>,
        signed_text_sha256 -> Nullable<Text>,
        signed_at -> Nullable<Timestamp>,
        collected_by -> Nullable<DbUuid>,
        signed_ip -> Nullable<Text>,
        signed_user_agent -> Nullable<Text>,
        witness_id -> Nullable<DbUuid>,
        witnessed_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        revoked_by -> Nullable<DbUuid>,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    consultations (id) {
        id -> DbUuid,
        patient_id -> DbUuid,
        appointment_id -> Nullable<DbUuid>,
        author_id -> DbUuid,
        status -> Text,
        concerns -> Text,
        subjective -> Text,
        objective -> Text,
        assessment -> Text,
        plan -> Text,
        contraindications -> Text,
        contraindication_other -> Nullable<Text>,
        contraindication_overrides -> Text,
        eligibility -> Text,
        signed_at -> Nullable<Timestamp>,
        signed_by -> Nullable<DbUuid>,
        content_sha256 -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    procedures (id) {
        id -> DbUuid,
        patient_id -> DbUuid,
        appointment_id -> DbUuid,
        service_id -> DbUuid,
        consent_id -> Nullable<DbUuid>,
        author_id -> DbUuid,
        status -> Text,
        performed_at -> Timestamp,
        preparation -> Text,
        harvest -> Text,
        processing -> Text,
        application -> Text,
        products -> Text,
        complications -> Text,
        aftercare -> Text,
        signed_at -> Nullable<Timestamp>,
        signed_by -> Nullable<DbUuid>,
        content_sha256 -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    procedure_products (procedure_id, position) {
        procedure_id -> DbUuid,
        position -> Integer,
        name -> Text,
        lot_number -> Text,
        expiry_date -> Date,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    amendments (id) {
        id -> DbUuid,
        note_type -> Text,
        note_id -> DbUuid,
        author_id -> DbUuid,
        at -> Timestamp,
        reason -> Text,
        changes -> Text,
        sha256 -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    samples (id) {
        id -> DbUuid,
        label_code -> Text,
        patient_id -> DbUuid,
        procedure_id -> DbUuid,
        harvested_at -> Timestamp,
        site -> Text,
        volume_ml -> Double,
        status -> Text,
        created_by -> DbUuid,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    sample_events (id) {
        id -> DbUuid,
        sample_id -> DbUuid,
        kind -> Text,
        at -> Timestamp,
        recorded_at -> Timestamp,
        actor_id -> DbUuid,
        patient_id -> Nullable<DbUuid>,
        details -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    adverse_events (id) {
        id -> DbUuid,
        patient_id -> DbUuid,
        procedure_id -> Nullable<DbUuid>,
        onset_at -> Timestamp,
        kind -> Text,
        severity -> Text,
        phase -> Text,
        description -> Text,
        action_taken -> Text,
        resolved_at -> Nullable<Timestamp>,
        recorded_by -> DbUuid,
        recorded_at -> Timestamp,
        report_due_at -> Nullable<Timestamp>,
        reported_at -> Nullable<Timestamp>,
        report_reference -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    entered_in_error (id) {
        id -> DbUuid,
        entity_type -> Text,
        entity_id -> DbUuid,
        reason -> Text,
        by_user -> DbUuid,
        at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    measurements (id) {
        id -> DbUuid,
        patient_id -> DbUuid,
        measured_at -> Timestamp,
        metric -> Text,
        value -> Double,
        unit -> Text,
        device -> Nullable<Text>,
        appointment_id -> Nullable<DbUuid>,
        recorded_by -> DbUuid,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    photos (id) {
        id -> DbUuid,
        patient_id -> DbUuid,
        taken_at -> Timestamp,
        kind -> Text,
        view -> Text,
        appointment_id -> Nullable<DbUuid>,
        procedure_id -> Nullable<DbUuid>,
        content_type -> Text,
        width -> Integer,
        height -> Integer,
        byte_size -> BigInt,
        sha256 -> Text,
        thumb_sha256 -> Text,
        thumb_width -> Integer,
        thumb_height -> Integer,
        taken_by -> DbUuid,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    password_tokens (id) {
        id -> DbUuid,
        user_id -> DbUuid,
        token_hash -> Text,
        purpose -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    email_outbox (id) {
        id -> DbUuid,
        recipient -> Text,
        subject -> Text,
        body -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(rooms -> locations (location_id));
diesel::joinable!(practitioners -> users (user_id));
diesel::joinable!(working_hours -> practitioners (practitioner_id));
diesel::joinable!(time_off -> practitioners (practitioner_id));
diesel::joinable!(appointments -> patients (patient_id));
diesel::joinable!(appointments -> practitioners (practitioner_id));
diesel::joinable!(appointments -> services (service_id));
diesel::joinable!(appointments -> rooms (room_id));
diesel::joinable!(reminders -> appointments (appointment_id));
diesel::joinable!(consents -> consent_templates (template_id));
diesel::joinable!(procedure_products -> procedures (procedure_id));
diesel::joinable!(sample_events -> samples (sample_id));
diesel::joinable!(users -> patients (patient_id));
diesel::joinable!(password_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    patients,
    users,
    sessions,
    login_failures,
    audit_log,
    locations,
    rooms,
    practitioners,
    working_hours,
    time_off,
    services,
    appointments,
    idempotency_keys,
    reminders,
    calendar_tokens,
    consent_templates,
    consents,
    consultations,
    procedures,
    procedure_products,
    amendments,
    samples,
    sample_events,
    adverse_events,
    entered_in_error,
    measurements,
    photos,
    password_tokens,
    email_outbox,
);
