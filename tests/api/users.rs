//! `/users` (admin).
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::{assert_problem, error_fields, spawn_app};

#[tokio::test]
async fn an_admin_creates_lists_reads_and_changes_users() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let r = app
        .post(
            &admin.token,
            "/api/v1/users",
            &json!({"email": "New.Nurse@Clinic.Test", "password": "a long enough passphrase",
                    "display_name": "Nurse New", "role": "practitioner"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/api/v1/users/"));
    let user: Value = r.json().await.unwrap();
    assert_eq!(user["email"], "new.nurse@clinic.test");
    assert_eq!(user["role"], "practitioner");
    assert_eq!(user["active"], true);
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());
    let id = user["id"].as_str().unwrap().to_owned();

    let list: Value = app
        .get(&admin.token, "/api/v1/users")
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["id"] == id.as_str()));

    let path = format!("/api/v1/users/{id}");
    let etag = app.get(&admin.token, &path).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let r = app
        .patch_if_match(
            &admin.token,
            &path,
            &etag,
            &json!({"display_name": "Nurse Renamed"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // The same version again: the first rename changed it.
    let r = app
        .patch_if_match(
            &admin.token,
            &path,
            &etag,
            &json!({"display_name": "Lost Update"}),
        )
        .await;
    assert_problem(r, 412).await;
    assert_eq!(
        app.login("new.nurse@clinic.test", "a long enough passphrase")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn user_creation_refuses_weak_passwords_duplicates_and_misplaced_patient_ids() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let r = app
        .post(
            &admin.token,
            "/api/v1/users",
            &json!({"email": "a@clinic.test", "password": "password1234", "display_name": "A", "role": "front_desk"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["password"]
    );
    let r = app
        .post(
            &admin.token,
            "/api/v1/users",
            &json!({"email": "p@clinic.test", "password": "a long enough passphrase", "display_name": "P", "role": "patient"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["patient_id"]
    );
    let r = app
        .post(
            &admin.token,
            "/api/v1/users",
            &json!({"email": "s@clinic.test", "password": "a long enough passphrase", "display_name": "S",
                    "role": "front_desk", "patient_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["patient_id"]
    );
    let body = json!({"email": "dup@clinic.test", "password": "a long enough passphrase", "display_name": "D", "role": "front_desk"});
    assert_eq!(
        app.post(&admin.token, "/api/v1/users", &body)
            .await
            .status(),
        201
    );
    assert_problem(app.post(&admin.token, "/api/v1/users", &body).await, 409).await;
}

#[tokio::test]
async fn a_patient_login_is_linked_to_exactly_one_patient() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let staff = app.staff_token().await;
    let patient = app.create_patient(&staff, "Linked", "Patient").await;
    let body = |email: &str| {
        json!({"email": email, "password": "a long enough passphrase", "display_name": "L",
               "role": "patient", "patient_id": patient["id"]})
    };
    assert_eq!(
        app.post(&admin.token, "/api/v1/users", &body("l1@x.test"))
            .await
            .status(),
        201
    );
    assert_problem(
        app.post(&admin.token, "/api/v1/users", &body("l2@x.test"))
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn a_client_cannot_set_fields_it_does_not_own() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let fd = app.sign_in(Role::FrontDesk).await;
    let r = app
        .patch(
            &admin.token,
            &format!("/api/v1/users/{}", fd.user_id),
            &json!({"id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["id"]);
    let r = app
        .patch(
            &admin.token,
            &format!("/api/v1/users/{}", fd.user_id),
            &json!({"role": "patient"}),
        )
        .await;
    assert_problem(r, 422).await;
}
