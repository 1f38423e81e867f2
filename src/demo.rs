//! `serve --demo` and `user create`: users and a small, realistic clinic, without the API.
use chrono::NaiveDate;
use rand::distributions::Alphanumeric;
use rand::Rng;

use crate::auth::password::hash_blocking;
use crate::db::models::patients::{self, PatientValues};
use crate::db::models::users::{self, normalise_email, NewUser};
use crate::db::types::{PatientId, UserId};
use crate::db::DbPool;
use crate::domain::mrn::new_mrn;
use crate::domain::password::check_new_password;
use crate::domain::patient::{EmergencyContact, PatientFields, Sex};
use crate::domain::role::Role;

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
pub fn seed(pool: &DbPool, tz: chrono_tz::Tz) -> anyhow::Result<String> {
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
            now,
        )?;
        patient_ids.push(row.id);
    }
    let booked = seed_schedule(&mut conn, tz, &practitioner_users, &patient_ids)?;
    lines.push(format!(
        "  and {} patients, 3 services, 2 rooms, working hours and {booked} appointments this week.",
        PATIENTS.len()
    ));
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
        let slot = crate::scheduling::availability(
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
                crate::scheduling::book(
                    c,
                    tz,
                    crate::scheduling::Booking {
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
