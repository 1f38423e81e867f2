//! The command line: `user create` and `serve --demo`'s seed.

use crate::helpers::TestDatabase;

/// Runs `dermachart user create` as its own process, the password in that process's
/// environment only (setting it in ours would race other tests' `getenv`).
async fn user_create(db: &TestDatabase, email: &str, password: &str) -> bool {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_dermachart"))
        .args(["user", "create", "--role", "admin", "--email", email])
        .args([
            "--password-env",
            "DERMACHART_TEST_PW",
            "--database-url",
            &db.url,
        ])
        .env("DERMACHART_TEST_PW", password)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .unwrap()
        .success()
}

#[tokio::test]
async fn user_create_makes_a_working_admin_on_a_new_database() {
    let db = TestDatabase::new();
    assert!(user_create(&db, "Boss@Clinic.Test", "first admin passphrase").await);
    // A second time with the same email is refused.
    assert!(!user_create(&db, "boss@clinic.test", "first admin passphrase").await);
    // A weak password is refused.
    assert!(!user_create(&db, "weak@clinic.test", "password1234").await);

    let settings = crate::helpers::test_settings(&db.url);
    let pool = dermachart::startup::prepare_database(&settings).unwrap();
    let mut conn = pool.get().unwrap();
    let user = dermachart::db::models::users::find_by_email(&mut conn, "boss@clinic.test")
        .unwrap()
        .expect("created");
    assert_eq!(user.role.as_str(), "admin");
    assert!(dermachart::auth::password::verify_blocking(
        "first admin passphrase",
        &user.password_hash
    ));
}

#[tokio::test]
async fn the_demo_seed_fills_an_empty_clinic_once_with_one_time_passwords() {
    let db = TestDatabase::new();
    let settings = crate::helpers::test_settings(&db.url);
    let pool = dermachart::startup::prepare_database(&settings).unwrap();
    let seeded = pool.clone();
    let media_dir = tempfile::tempdir().unwrap();
    let media = dermachart::media::FsMediaStore::new(media_dir.path());
    let media2 = media.clone();
    let printed = tokio::task::spawn_blocking(move || {
        dermachart::demo::seed(&seeded, &media, chrono_tz::Tz::UTC)
    })
    .await
    .unwrap()
    .unwrap();
    for role in ["admin", "front_desk", "practitioner"] {
        assert!(printed.contains(role), "{printed}");
    }
    let again = pool.clone();
    let refused = tokio::task::spawn_blocking(move || {
        dermachart::demo::seed(&again, &media2, chrono_tz::Tz::UTC)
    })
    .await
    .unwrap();
    assert!(refused.is_err(), "a database with users is never seeded");
    let mut conn = pool.get().unwrap();
    let patients =
        dermachart::db::models::patients::search(&mut conn, None, false, None, 100).unwrap();
    assert_eq!(patients.len(), 12);
    let services = dermachart::db::models::clinic::list_services(&mut conn).unwrap();
    let facial = services
        .iter()
        .find(|s| s.name.starts_with("Stem cell facial"))
        .unwrap();
    assert_eq!((facial.duration_minutes, facial.requires_room), (150, true));
    assert_eq!(facial.follow_up_days(), vec![14, 42, 90, 180]);
    let consultation = services.iter().find(|s| s.name == "Consultation").unwrap();
    assert!(consultation.patient_bookable && consultation.duration_minutes == 30);
    let week =
        dermachart::db::models::appointments::list(&mut conn, &Default::default(), 100).unwrap();
    assert!(week.len() >= 10, "a week of appointments: {}", week.len());
    // One patient's whole treatment story passes the same gates as the API.
    let procedures =
        dermachart::db::models::notes::procedures_with_lot(&mut conn, "HRS-2611-07").unwrap();
    assert_eq!(procedures.len(), 1);
    assert_eq!(procedures[0].status.as_str(), "signed");
    let samples =
        dermachart::db::models::samples::of_patient(&mut conn, procedures[0].patient_id).unwrap();
    assert_eq!(samples[0].status.as_str(), "applied");
    let follow_ups = dermachart::db::models::appointments::follow_ups_of(
        &mut conn,
        procedures[0].appointment_id,
    )
    .unwrap();
    assert_eq!(follow_ups.len(), 4);
    assert!(
        follow_ups.iter().all(|f| f.status.as_str() == "completed"),
        "the series lies in the past"
    );
    // A measurement set before the procedure and at every follow-up review.
    let series =
        dermachart::db::models::measurements::series(&mut conn, procedures[0].patient_id, None)
            .unwrap();
    assert_eq!(series.len(), 5 + 4 * 7);
    // Before photos (two views) and one at each review, stored re-encoded in MEDIA_DIR.
    let photos =
        dermachart::db::models::photos::of_patient(&mut conn, procedures[0].patient_id).unwrap();
    let kinds: Vec<&str> = photos.iter().rev().map(|p| p.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "before",
            "before",
            "follow_up",
            "follow_up",
            "follow_up",
            "after"
        ]
    );
    for p in &photos {
        assert!(media_dir.path().join(&p.sha256).is_file());
        assert!(media_dir.path().join(&p.thumb_sha256).is_file());
    }
    for f in &follow_ups {
        assert_eq!(
            series
                .iter()
                .filter(|m| m.appointment_id == Some(f.id))
                .count(),
            7
        );
    }
    // The printed patient login opens that patient's own portal account.
    let line = printed
        .lines()
        .find(|l| l.trim_start().starts_with("patient "))
        .unwrap();
    let password = line.split_whitespace().last().unwrap();
    let email = line.split_whitespace().nth(1).unwrap();
    let portal = dermachart::db::models::users::find_by_email(&mut conn, email)
        .unwrap()
        .unwrap();
    assert_eq!(portal.patient_id, Some(procedures[0].patient_id));
    assert!(dermachart::auth::password::verify_blocking(
        password,
        &portal.password_hash
    ));
    assert!(printed.contains("stem cell facial"));
    // The printed password opens the admin account.
    let line = printed.lines().find(|l| l.contains("admin@")).unwrap();
    let password = line.split_whitespace().last().unwrap();
    let admin =
        dermachart::db::models::users::find_by_email(&mut conn, "admin@demo.dermachart.test")
            .unwrap()
            .unwrap();
    assert!(dermachart::auth::password::verify_blocking(
        password,
        &admin.password_hash
    ));
}
