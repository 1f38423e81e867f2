//! `serve --demo` and `user create`: users and a small, realistic clinic, without the API.
use chrono::NaiveDate;
use rand::distributions::Alphanumeric;
use rand::Rng;

use crate::auth::password::hash_blocking;
use crate::db::models::patients::{self, PatientValues};
use crate::db::models::users::{self, normalise_email, NewUser};
use crate::db::types::{PatientId, UserId};
use crate::db::DbPool;
use crate::domain::clinical::{CustodyEvent, NoteStatus, SampleState};
use crate::domain::consent::{ConsentScope, ConsentStatus};
use crate::domain::mrn::new_mrn;
use crate::domain::outcomes::Metric;
use crate::domain::password::check_new_password;
use crate::domain::patient::{EmergencyContact, PatientFields, Sex};
use crate::domain::role::Role;
use crate::domain::schedule::AppointmentStatus;

/// Creates a staff user from the command line (the first admin, say).
pub fn create_staff_user(
    pool: &DbPool,
    role: Role,
    email: &str,
    password: &str,
    name: Option<&str>,
) -> anyhow::Result<UserId> {
    if role == Role::Patient {
        anyhow::bail!("patient logins are made from the patient's record, not here");
    }
    if let Err(message) = check_new_password(password) {
        anyhow::bail!("the password {message}");
    }
    let email = normalise_email(email);
    if email.split('@').count() != 2 {
        anyhow::bail!("{email:?} is not an email address");
    }
    let display = name
        .map(str::to_owned)
        .unwrap_or_else(|| email.split('@').next().unwrap_or("user").to_owned());
    let hash = hash_blocking(password)?;
    let mut conn = pool.get()?;
    if users::find_by_email(&mut conn, &email)?.is_some() {
        anyhow::bail!("a user with this email exists");
    }
    let now = crate::db::now();
    let row = users::insert(
        &mut conn,
        &NewUser {
            id: UserId::new(),
            email: &email,
            display_name: &display,
            role: role.as_str(),
            password_hash: &hash,
            active: true,
            patient_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(row.id)
}

fn one_time_password() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

struct DemoPatient {
    given: &'static str,
    family: &'static str,
    born: (i32, u32, u32),
    sex: Sex,
    fitzpatrick: i32,
    allergies: &'static [&'static str],
}

const PATIENTS: &[DemoPatient] = &[
    DemoPatient {
        given: "Amelia",
        family: "Hart",
        born: (1978, 3, 14),
        sex: Sex::Female,
        fitzpatrick: 2,
        allergies: &[],
    },
    DemoPatient {
        given: "Sofia",
        family: "Marino",
        born: (1985, 7, 2),
        sex: Sex::Female,
        fitzpatrick: 3,
        allergies: &["lidocaine"],
    },
    DemoPatient {
        given: "Grace",
        family: "Okafor",
        born: (1972, 11, 23),
        sex: Sex::Female,
        fitzpatrick: 5,
        allergies: &[],
    },
    DemoPatient {
        given: "Hannah",
        family: "Schmidt",
        born: (1990, 1, 9),
        sex: Sex::Female,
        fitzpatrick: 1,
        allergies: &["latex"],
    },
    DemoPatient {
        given: "Mei",
        family: "Tanaka",
        born: (1981, 5, 30),
        sex: Sex::Female,
        fitzpatrick: 3,
        allergies: &[],
    },
    DemoPatient {
        given: "Olivia",
        family: "Bennett",
        born: (1969, 9, 17),
        sex: Sex::Female,
        fitzpatrick: 2,
        allergies: &[],
    },
    DemoPatient {
        given: "James",
        family: "Whitfield",
        born: (1975, 4, 4),
        sex: Sex::Male,
        fitzpatrick: 2,
        allergies: &["chlorhexidine"],
    },
    DemoPatient {
        given: "Priya",
        family: "Raman",
        born: (1987, 12, 1),
        sex: Sex::Female,
        fitzpatrick: 4,
        allergies: &[],
    },
    DemoPatient {
        given: "Lucia",
        family: "Fernández",
        born: (1966, 2, 21),
        sex: Sex::Female,
        fitzpatrick: 3,
        allergies: &[],
    },
    DemoPatient {
        given: "Daniel",
        family: "Novak",
        born: (1983, 8, 12),
        sex: Sex::Male,
        fitzpatrick: 2,
        allergies: &[],
    },
    DemoPatient {
        given: "Aisha",
        family: "Bello",
        born: (1979, 6, 6),
        sex: Sex::Female,
        fitzpatrick: 6,
        allergies: &["penicillin"],
    },
    DemoPatient {
        given: "Claire",
        family: "Dubois",
        born: (1974, 10, 28),
        sex: Sex::Female,
        fitzpatrick: 2,
        allergies: &[],
    },
];

/// Seeds the demo clinic into an empty database and returns the logins to print.
pub fn seed(
    pool: &DbPool,
    media: &dyn crate::media::MediaStore,
    tz: chrono_tz::Tz,
) -> anyhow::Result<String> {
    let mut conn = pool.get()?;
    if users::any_exist(&mut conn)? {
        anyhow::bail!("--demo needs an empty database: this one already has users");
    }
    let staff = [
        (
            Role::Admin,
            "admin@demo.dermachart.test",
            "Morgan Reyes (clinic manager)",
        ),
        (
            Role::FrontDesk,
            "frontdesk@demo.dermachart.test",
            "Jamie Clarke",
        ),
        (
            Role::Practitioner,
            "dr.lee@demo.dermachart.test",
            "Dr Evelyn Lee",
        ),
        (
            Role::Practitioner,
            "dr.haddad@demo.dermachart.test",
            "Dr Samir Haddad",
        ),
    ];
    let mut lines =
        vec!["DermaChart demo clinic — one-time logins (change them after signing in):".to_owned()];
    let mut practitioner_users = Vec::new();
    for (role, email, name) in staff {
        let password = one_time_password();
        let id = create_staff_user(pool, role, email, &password, Some(name))?;
        if role == Role::Practitioner {
            practitioner_users.push((id, name));
        }
        lines.push(format!("  {:<13} {email:<34} {password}", role.as_str()));
    }
    let now = crate::db::now();
    let mut patient_ids: Vec<PatientId> = Vec::new();
    for (i, p) in PATIENTS.iter().enumerate() {
        let fields = PatientFields {
            given_name: p.given.into(),
            family_name: p.family.into(),
            date_of_birth: NaiveDate::from_ymd_opt(p.born.0, p.born.1, p.born.2)
                .ok_or_else(|| anyhow::anyhow!("bad demo date"))?,
            sex: Some(p.sex),
            phone: Some(format!("+44 20 7946 0{:03}", 100 + i)),
            email: Some(format!(
                "{}.{}@example.org",
                p.given.to_lowercase(),
                p.family.to_lowercase()
            )),
            address: Some(format!("{} Harley Street, London", 10 + i)),
            emergency_contact: Some(EmergencyContact {
                name: "Next of kin".into(),
                phone: format!("+44 20 7946 1{:03}", 100 + i),
                relationship: "partner".into(),
            }),
            allergies: p.allergies.iter().map(|a| (*a).to_owned()).collect(),
            medications: vec![],
            medical_history: None,
            fitzpatrick_type: Some(p.fitzpatrick),
        };
        let row = patients::insert(
            &mut conn,
            PatientId::new(),
            &new_mrn(),
            &PatientValues::from(&fields),
            None,
            now,
        )?;
        patient_ids.push(row.id);
    }
    let booked = seed_schedule(&mut conn, tz, &practitioner_users, &patient_ids)?;
    lines.push(format!(
        "  and {} patients, 3 services, 2 rooms, working hours and {booked} appointments this week.",
        PATIENTS.len()
    ));
    if let (Some((author, _)), Some(patient)) = (practitioner_users.first(), patient_ids.first()) {
        seed_treatment_story(&mut conn, media, tz, *author, *patient)?;
        lines.push(format!(
            "  {} {} has a signed consultation and consent, a stem cell facial about 200 days ago with its sample's custody,",
            PATIENTS[0].given, PATIENTS[0].family
        ));
        lines.push(
            "  and the whole follow-up series with skin measurements and photos at each review."
                .to_owned(),
        );
        let email = format!(
            "{}.{}@example.org",
            PATIENTS[0].given.to_lowercase(),
            PATIENTS[0].family.to_lowercase()
        );
        let password = one_time_password();
        let hash = hash_blocking(&password)?;
        let now = crate::db::now();
        users::insert(
            &mut conn,
            &NewUser {
                id: UserId::new(),
                email: &email,
                display_name: PATIENTS[0].given,
                role: Role::Patient.as_str(),
                password_hash: &hash,
                active: true,
                patient_id: Some(*patient),
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )?;
        lines.push("  Their patient-portal login (/api/v1/me/...):".to_owned());
        lines.push(format!(
            "  {:<13} {email:<34} {password}",
            Role::Patient.as_str()
        ));
    }
    Ok(lines.join("\n"))
}

/// The clinic's real set-up and a week of appointments, booked through the same
/// rules as the API (so the demo can never hold a double booking).
fn seed_schedule(
    conn: &mut crate::db::DbConnection,
    tz: chrono_tz::Tz,
    practitioner_users: &[(UserId, &str)],
    patients: &[PatientId],
) -> anyhow::Result<usize> {
    use crate::db::models::clinic::{
        self, LocationRow, PractitionerRow, RoomRow, ServiceRow, WorkingHoursRow,
    };
    use crate::db::types::{LocationId, PractitionerId, RoomId, ServiceId, WorkingHoursId};
    let now = crate::db::now();
    let location = LocationRow {
        id: LocationId::new(),
        name: "DermaChart Clinic".into(),
        address: Some("10 Harley Street, London".into()),
        created_at: now,
    };
    clinic::insert_location(conn, &location)?;
    for name in ["Treatment room 1", "Treatment room 2"] {
        clinic::insert_room(
            conn,
            &RoomRow {
                id: RoomId::new(),
                location_id: location.id,
                name: name.into(),
                created_at: now,
            },
        )?;
    }
    let mut practitioners = Vec::new();
    for (user_id, name) in practitioner_users {
        let p = PractitionerRow {
            id: PractitionerId::new(),
            user_id: *user_id,
            display_name: (*name).to_owned(),
            title: Some("Aesthetic physician".into()),
            created_at: now,
        };
        clinic::insert_practitioner(conn, &p)?;
        let hours: Vec<WorkingHoursRow> = (1..=5)
            .flat_map(|weekday| {
                [(9 * 60, 13 * 60), (14 * 60, 17 * 60 + 30)].map(|(start, end)| WorkingHoursRow {
                    id: WorkingHoursId::new(),
                    practitioner_id: p.id,
                    weekday,
                    start_minute: start,
                    end_minute: end,
                    location_id: location.id,
                })
            })
            .collect();
        clinic::replace_working_hours(conn, p.id, &hours)?;
        practitioners.push(p.id);
    }
    let service = |name: &str,
                   duration: i32,
                   buffer: i32,
                   room: bool,
                   days: &[i32],
                   follow: Option<ServiceId>,
                   bookable: bool| ServiceRow {
        id: ServiceId::new(),
        name: name.into(),
        duration_minutes: duration,
        buffer_minutes: buffer,
        requires_room: room,
        consent_template_id: None,
        follow_up_days: serde_json::to_string(days).unwrap_or_else(|_| "[]".into()),
        follow_up_service_id: follow,
        patient_bookable: bookable,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let review = service("Follow-up review", 20, 10, false, &[], None, false);
    let consultation = service("Consultation", 30, 15, false, &[], None, true);
    let facial = service(
        "Stem cell facial — harvest and application",
        150,
        30,
        true,
        &[14, 42, 90, 180],
        Some(review.id),
        false,
    );
    for s in [&review, &consultation, &facial] {
        clinic::insert_service(conn, s)?;
    }
    let mut booked = 0;
    let start = now + chrono::Duration::hours(1);
    for (i, patient) in patients.iter().enumerate() {
        let service = if i % 3 == 0 {
            &facial
        } else if i % 3 == 1 {
            &consultation
        } else {
            &review
        };
        let practitioner = practitioners[i % practitioners.len().max(1)];
        let from = start + chrono::Duration::hours(i64::try_from(i).unwrap_or(0) * 9);
        let slot = crate::services::scheduling::availability(
            conn,
            tz,
            service,
            &[practitioner],
            Some(*patient),
            from,
            from + chrono::Duration::days(7),
            chrono::Duration::minutes(15),
            now,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .into_iter()
        .next();
        if let Some(slot) = slot {
            conn.write_transaction(|c| {
                crate::services::scheduling::book(
                    c,
                    tz,
                    crate::services::scheduling::Booking {
                        patient_id: *patient,
                        practitioner_id: practitioner,
                        service: service.clone(),
                        starts_at: slot.starts_at,
                        room_id: None,
                        notes: None,
                        follow_up_of: None,
                        follow_up_offset_days: None,
                        booked_by: None,
                    },
                    chrono::Duration::hours(24),
                )
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            booked += 1;
        }
    }
    Ok(booked)
}

/// One patient's whole treatment story, written through the same rules the API
/// enforces (the procedure passes the consent and eligibility gates).
fn seed_treatment_story(
    conn: &mut crate::db::DbConnection,
    media: &dyn crate::media::MediaStore,
    tz: chrono_tz::Tz,
    author: UserId,
    patient: PatientId,
) -> anyhow::Result<()> {
    use crate::db::models::consents::{self, ConsentRow, TemplateRow};
    use crate::db::models::measurements::{self, MeasurementRow};
    use crate::db::models::notes::{self, ConsultationRow, ProcedureRow};
    use crate::db::models::samples::{self, SampleEventRow, SampleRow};
    use crate::db::models::{appointments, clinic};
    use crate::db::types::MeasurementId;
    use crate::db::types::{
        ConsentFamilyId, ConsentId, ConsentTemplateId, ConsultationId, NoteId, ProcedureId,
        SampleEventId, SampleId,
    };
    use chrono::Duration;
    use sha2::{Digest, Sha256};

    let err = |e: crate::error::ApiError| anyhow::anyhow!("{e}");
    let now = crate::db::now();
    let services = clinic::list_services(conn)?;
    let facial = services
        .iter()
        .find(|s| s.name.starts_with("Stem cell facial"))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the demo facial is missing"))?;
    let practitioner = clinic::practitioner_of_user(conn, author)?
        .ok_or_else(|| anyhow::anyhow!("the demo practitioner is missing"))?;

    // Consent forms: treatment (for the facial) and photography.
    let day = |d: i64| now - Duration::days(d);
    let treatment_id = ConsentTemplateId::new();
    let treatment = TemplateRow {
        id: treatment_id,
        family_id: ConsentFamilyId(treatment_id.0),
        version: 1,
        service_id: Some(facial.id),
        title: "Autologous stem cell facial — consent to treatment".into(),
        body_markdown: "Fat is harvested from your abdomen or thigh under local anaesthetic, processed into a \
            cell concentrate and reintroduced into your facial skin. Results develop over weeks to months."
            .into(),
        risks: serde_json::to_string(&["infection", "bleeding", "bruising", "local discomfort"])?,
        scope: ConsentScope::Treatment,
        requires_reconsent: false,
        valid_for_days: Some(365),
        created_by: None,
        created_at: day(230),
    };
    consents::insert_template(conn, &treatment)?;
    let photo_id = ConsentTemplateId::new();
    consents::insert_template(
        conn,
        &TemplateRow {
            id: photo_id,
            family_id: ConsentFamilyId(photo_id.0),
            version: 1,
            service_id: None,
            title: "Clinical photography".into(),
            body_markdown: "Standardised photographs for your record only.".into(),
            risks: "[]".into(),
            scope: ConsentScope::Photography,
            requires_reconsent: false,
            valid_for_days: None,
            created_by: None,
            created_at: day(230),
        },
    )?;
    let mut facial_with_consent = facial.clone();
    facial_with_consent.consent_template_id = Some(treatment.family_id);
    facial_with_consent.version += 1;
    clinic::update_service(conn, &facial_with_consent, facial.version)?;

    // The visit, about 200 days ago at 10:00 clinic time, completed, so that the whole
    // follow-up series (2, 6, 13 and 26 weeks) lies in the past and carries results.
    // On a working day (the demo hours are Monday to Friday).
    let mut visit_date = crate::domain::schedule::local_date(tz, day(200));
    while chrono::Datelike::weekday(&visit_date).number_from_monday() > 5 {
        visit_date -= Duration::days(1);
    }
    let starts_at = crate::domain::schedule::local_to_utc(tz, visit_date, 10 * 60);
    let mut appt = conn
        .write_transaction(|c| {
            crate::services::scheduling::book(
                c,
                tz,
                crate::services::scheduling::Booking {
                    patient_id: patient,
                    practitioner_id: practitioner.id,
                    service: facial_with_consent.clone(),
                    starts_at,
                    room_id: None,
                    notes: None,
                    follow_up_of: None,
                    follow_up_offset_days: None,
                    booked_by: Some(author),
                },
                Duration::hours(24),
            )
        })
        .map_err(err)?;
    // Both consents signed in the clinic a week before the visit, as the API would.
    let signed_at = starts_at - Duration::days(7);
    let sign = |template: &TemplateRow| ConsentRow {
        id: ConsentId::new(),
        patient_id: patient,
        template_id: template.id,
        family_id: template.family_id,
        status: ConsentStatus::Signed,
        requested_by: Some(author),
        requested_at: signed_at,
        signer_name: Some(format!("{} {}", PATIENTS[0].given, PATIENTS[0].family)),
        signer_kind: Some("patient".into()),
        guardian_name: None,
        signature_png: None,
        signed_text_sha256: Some(hex::encode(Sha256::digest(
            template.text_to_sign().as_bytes(),
        ))),
        signed_text: Some(template.text_to_sign()),
        signed_at: Some(signed_at),
        collected_by: Some(author),
        signed_ip: None,
        signed_user_agent: None,
        witness_id: None,
        witnessed_at: None,
        expires_at: crate::domain::consent::expiry(signed_at, template.valid_for_days),
        revoked_at: None,
        revoked_reason: None,
        revoked_by: None,
        version: 1,
    };
    let treatment_consent = sign(&treatment);
    consents::insert(conn, &treatment_consent)?;
    let consent_id = treatment_consent.id;
    let photo_template = consents::find_template(conn, photo_id)?
        .ok_or_else(|| anyhow::anyhow!("photography template missing"))?;
    consents::insert(conn, &sign(&photo_template))?;

    // The screening consultation, signed a week before.
    let content = crate::api::notes::ConsultationContent {
        concerns: vec![
            crate::domain::clinical::Concern::FineLines,
            crate::domain::clinical::Concern::UnevenTone,
        ],
        subjective: "Would like smoother, more even skin around the eyes and mouth.".into(),
        objective: "Fine periorbital and perioral lines; mild uneven tone. Fitzpatrick II.".into(),
        assessment: "Good candidate for an autologous stem cell facial.".into(),
        plan: "Stem cell facial; review at 2, 6, 13 and 26 weeks.".into(),
        contraindications: crate::domain::clinical::Contraindications::default(),
        contraindication_other: None,
        contraindication_overrides: Default::default(),
        eligibility: crate::domain::clinical::Eligibility::Eligible,
    };
    let consultation_id = ConsultationId::new();
    notes::insert_consultation(
        conn,
        &ConsultationRow {
            id: consultation_id,
            patient_id: patient,
            appointment_id: None,
            author_id: author,
            status: NoteStatus::Signed,
            concerns: serde_json::to_string(&content.concerns)?,
            subjective: content.subjective.clone(),
            objective: content.objective.clone(),
            assessment: content.assessment.clone(),
            plan: content.plan.clone(),
            contraindications: serde_json::to_string(&content.contraindications)?,
            contraindication_other: None,
            contraindication_overrides: "{}".into(),
            eligibility: crate::domain::clinical::Eligibility::Eligible,
            signed_at: Some(starts_at - Duration::days(7)),
            signed_by: Some(author),
            content_sha256: Some(
                crate::services::notes::consultation_hash(NoteId(consultation_id.0), &content)
                    .map_err(err)?,
            ),
            version: 2,
            created_at: starts_at - Duration::days(7),
            updated_at: starts_at - Duration::days(7),
        },
    )?;

    // The procedure, performed and signed; its sample from harvest to re-injection.
    for next in [AppointmentStatus::CheckedIn, AppointmentStatus::InProgress] {
        appt = crate::services::scheduling::transition(conn, tz, appt, next, None, None)
            .map_err(err)?;
    }
    let performed_at = starts_at + Duration::minutes(20);
    let procedure_content = serde_json::json!({
        "preparation": {"cleansing": "chlorhexidine 0.05%", "exfoliation": "enzyme peel", "anaesthesia": "lidocaine 1% with adrenaline, local"},
        "harvest": {"site": "lower abdomen", "volume_ml": 25.0, "method": "syringe liposuction"},
        "processing": {"method": "enzymatic digestion and centrifugation", "duration_minutes": 70, "cell_count": 3.1e7, "viability_percent": 92.0},
        "application": {"method": "microinjection", "areas": [{"area": "periorbital", "volume_ml": 2.0}, {"area": "perioral", "volume_ml": 2.5}, {"area": "cheeks", "volume_ml": 4.0}]},
        "products": [{"name": "Hyaluronic recovery serum", "lot_number": "HRS-2611-07", "expiry_date": "2027-09-30"}],
        "complications": "None.",
        "aftercare": "No make-up for 24 h; cool compresses; SPF 50; review in 2 weeks."
    });
    let content: crate::api::notes::ProcedureContent = serde_json::from_value(procedure_content)?;
    let mut procedure = ProcedureRow {
        id: ProcedureId::new(),
        patient_id: patient,
        appointment_id: appt.id,
        service_id: facial.id,
        consent_id: Some(consent_id),
        author_id: author,
        status: NoteStatus::Draft,
        performed_at,
        preparation: serde_json::to_string(&content.preparation)?,
        harvest: serde_json::to_string(&content.harvest)?,
        processing: serde_json::to_string(&content.processing)?,
        application: serde_json::to_string(&content.application)?,
        products: serde_json::to_string(&content.products)?,
        complications: content.complications.clone(),
        aftercare: content.aftercare.clone(),
        signed_at: None,
        signed_by: None,
        content_sha256: None,
        version: 1,
        created_at: performed_at,
        updated_at: performed_at,
    };
    crate::services::notes::procedure_gates(conn, &procedure).map_err(err)?;
    procedure.status = NoteStatus::Signed;
    procedure.signed_at = Some(starts_at + Duration::hours(3));
    procedure.signed_by = Some(author);
    procedure.content_sha256 =
        Some(crate::services::notes::procedure_hash(&procedure, &content).map_err(err)?);
    notes::insert_procedure(conn, &procedure)?;
    notes::replace_products(
        conn,
        procedure.id,
        &content
            .products
            .iter()
            .map(|p| (p.name.clone(), p.lot_number.clone(), p.expiry_date))
            .collect::<Vec<_>>(),
    )?;
    let sample = SampleRow {
        id: SampleId::new(),
        label_code: crate::domain::clinical::new_label_code(),
        patient_id: patient,
        procedure_id: procedure.id,
        harvested_at: starts_at + Duration::minutes(25),
        site: "lower abdomen".into(),
        volume_ml: 25.0,
        status: SampleState::Harvested,
        created_by: author,
        created_at: starts_at + Duration::minutes(25),
    };
    samples::insert(conn, &sample)?;
    let mut state = SampleState::Harvested;
    for (kind, next, minutes, recipient) in [
        (CustodyEvent::Processed, SampleState::Processed, 100, None),
        (CustodyEvent::Stored, SampleState::Stored, 105, None),
        (
            CustodyEvent::Applied,
            SampleState::Applied,
            130,
            Some(patient),
        ),
    ] {
        let at = starts_at + Duration::minutes(minutes);
        let event = SampleEventRow {
            id: SampleEventId::new(),
            sample_id: sample.id,
            kind: kind.as_str().into(),
            at,
            recorded_at: at,
            actor_id: author,
            patient_id: recipient,
            details: "{}".into(),
        };
        samples::record(conn, &event, state, next)?;
        state = next;
    }
    appt = crate::services::scheduling::transition(
        conn,
        tz,
        appt,
        AppointmentStatus::Completed,
        None,
        None,
    )
    .map_err(err)?;
    let follow_ups = conn
        .write_transaction(|c| {
            crate::services::scheduling::book_follow_ups(c, tz, &appt, author, Duration::hours(24))
        })
        .map_err(err)?;
    let _ = appointments::find(conn, appt.id)?;

    // Measurements: a baseline just before the procedure, then one set at each
    // follow-up review (attended and completed), improving as the cells take.
    let measure = |conn: &mut crate::db::DbConnection,
                   at: chrono::NaiveDateTime,
                   appointment: Option<crate::db::types::AppointmentId>,
                   values: &[(Metric, f64)]|
     -> anyhow::Result<()> {
        for (metric, value) in values {
            measurements::insert(
                conn,
                &MeasurementRow {
                    id: MeasurementId::new(),
                    patient_id: patient,
                    measured_at: at,
                    metric: metric.as_str().into(),
                    value: *value,
                    unit: metric.unit().into(),
                    device: device(*metric).map(str::to_owned),
                    appointment_id: appointment,
                    recorded_by: author,
                    created_at: at,
                },
            )?;
        }
        Ok(())
    };
    let photo = |conn: &mut crate::db::DbConnection,
                 at: chrono::NaiveDateTime,
                 kind: &str,
                 view: &str,
                 appointment: crate::db::types::AppointmentId,
                 healing: f32|
     -> anyhow::Result<()> {
        let claims = crate::services::photos::PhotoClaims {
            patient_id: patient,
            taken_at: at,
            appointment_id: Some(appointment),
            procedure_id: None,
        };
        crate::services::photos::upload_gates(conn, &claims).map_err(err)?;
        let prepared = crate::imaging::prepare(&demo_photo(view, healing)?)
            .map_err(|e| anyhow::anyhow!("demo photo: {e:?}"))?;
        let file = media.put(&prepared.bytes)?;
        let thumb = media.put(&prepared.thumb)?;
        crate::db::models::photos::insert(
            conn,
            &crate::db::models::photos::PhotoRow {
                id: crate::db::types::PhotoId::new(),
                patient_id: patient,
                taken_at: at,
                kind: kind.into(),
                view: view.into(),
                appointment_id: Some(appointment),
                procedure_id: None,
                content_type: prepared.format.content_type().into(),
                width: i32::try_from(prepared.width)?,
                height: i32::try_from(prepared.height)?,
                byte_size: i64::try_from(prepared.bytes.len())?,
                sha256: file.key.to_string(),
                thumb_sha256: thumb.key.to_string(),
                thumb_width: i32::try_from(prepared.thumb_width)?,
                thumb_height: i32::try_from(prepared.thumb_height)?,
                taken_by: author,
                created_at: at,
            },
        )?;
        Ok(())
    };
    for view in ["frontal", "left_45"] {
        photo(
            conn,
            starts_at + Duration::minutes(3),
            "before",
            view,
            appt.id,
            0.0,
        )?;
    }
    measure(
        conn,
        starts_at + Duration::minutes(5),
        Some(appt.id),
        &[
            (Metric::SkinMoisture, 38.0),
            (Metric::Firmness, 0.42),
            (Metric::Elasticity, 0.61),
            (Metric::WrinkleSeverity, 4.0),
            (Metric::Pigmentation, 210.0),
        ],
    )?;
    // (moisture, firmness, elasticity, wrinkles, pigmentation, GAIS, satisfaction)
    let results = [
        (44.0, 0.39, 0.64, 4.0, 205.0, 1.0, 6.0),
        (49.0, 0.35, 0.68, 3.0, 196.0, 2.0, 7.0),
        (52.0, 0.33, 0.71, 3.0, 188.0, 2.0, 8.0),
        (51.0, 0.33, 0.72, 2.0, 185.0, 2.0, 9.0),
    ];
    let last = follow_ups.len();
    for (i, (mut visit, r)) in follow_ups.into_iter().zip(results).enumerate() {
        let at = visit.starts_at + Duration::minutes(5);
        let kind = if i + 1 == last { "after" } else { "follow_up" };
        #[expect(
            clippy::cast_precision_loss,
            reason = "small demo counts, far below 2^52"
        )]
        let healing = (i + 1) as f32 / last as f32;
        photo(conn, at, kind, "frontal", visit.id, healing)?;
        for next in [
            AppointmentStatus::CheckedIn,
            AppointmentStatus::InProgress,
            AppointmentStatus::Completed,
        ] {
            visit = crate::services::scheduling::transition(conn, tz, visit, next, None, None)
                .map_err(err)?;
        }
        measure(
            conn,
            at,
            Some(visit.id),
            &[
                (Metric::SkinMoisture, r.0),
                (Metric::Firmness, r.1),
                (Metric::Elasticity, r.2),
                (Metric::WrinkleSeverity, r.3),
                (Metric::Pigmentation, r.4),
                (Metric::Gais, r.5),
                (Metric::Satisfaction, r.6),
            ],
        )?;
    }
    Ok(())
}

/// A made-up clinical photo (a face-toned oval on a studio backdrop, with fine lines
/// that fade as `healing` goes from 0 to 1), encoded as a JPEG like a camera's.
fn demo_photo(view: &str, healing: f32) -> anyhow::Result<Vec<u8>> {
    let (w, h) = (480u32, 600u32);
    let shift = if view == "frontal" { 0.0 } else { 60.0 };
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        #[expect(
            clippy::cast_precision_loss,
            reason = "small demo counts, far below 2^52"
        )]
        let (fx, fy) = (
            x as f32 - (w as f32 / 2.0 + shift),
            y as f32 - h as f32 / 2.0,
        );
        let inside = (fx / 170.0).powi(2) + (fy / 230.0).powi(2) <= 1.0;
        if !inside {
            return image::Rgb([92, 104, 120]);
        }
        let line = (fy as i32).rem_euclid(23) == 0 && fx.abs() < 120.0;
        let depth = if line { 40.0 * (1.0 - healing) } else { 0.0 };
        let glow = 18.0 * healing;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a rounded demo value inside the metric's small positive range"
        )]
        let tone = |base: f32| (base + glow - depth).clamp(0.0, 255.0) as u8;
        image::Rgb([tone(222.0), tone(180.0), tone(160.0)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg)?;
    Ok(out.into_inner())
}

/// The instrument a demo metric is read with (scores are the clinician's or patient's).
fn device(metric: Metric) -> Option<&'static str> {
    match metric {
        Metric::SkinMoisture => Some("Corneometer CM 825"),
        Metric::Firmness | Metric::Elasticity => Some("Cutometer MPA 580"),
        Metric::Pigmentation => Some("Mexameter MX 18"),
        Metric::WrinkleSeverity | Metric::Gais | Metric::Satisfaction => None,
    }
}
