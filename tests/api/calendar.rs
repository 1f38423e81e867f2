//! The practitioner's iCalendar feed and its token.
use chrono::Duration;
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::assert_problem;
use crate::helpers::clinic::{clinic, monday};

#[tokio::test]
async fn the_feed_lists_times_and_service_only_and_dies_with_its_token() {
    let c = clinic().await;
    let sneaky: Value = c
        .app
        .post(
            &c.admin,
            "/api/v1/services",
            &json!({
        "name": "Peel\r\nATTENDEE:mailto:evil@example.org", "duration_minutes": 30}),
        )
        .await
        .json()
        .await
        .unwrap();
    let sneaky = sneaky["id"].as_str().unwrap().to_owned();
    let p = c.app.create_patient(&c.desk, "Zebedee", "Secretname").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = c.app.post(&c.desk, "/api/v1/appointments", &json!({"patient_id": p, "practitioner_id": c.practitioners[0],
        "service_id": c.consultation, "starts_at": monday(1, 10, 0).to_rfc3339(), "notes": "private note xyz"})).await;
    let a: Value = r.json().await.unwrap();
    let cancelled = c
        .book_ok(&p, &c.practitioners[0], &sneaky, monday(1, 12, 0))
        .await;
    assert_eq!(
        c.act(cancelled["id"].as_str().unwrap(), "cancel")
            .await
            .status(),
        200
    );
    c.book_ok(
        &p,
        &c.practitioners[0],
        &c.consultation,
        monday(1, 0, 0) + Duration::days(200),
    )
    .await;

    let issued: Value = c
        .app
        .post(
            &c.admin,
            &format!(
                "/api/v1/practitioners/{}/calendar-token",
                c.practitioners[0]
            ),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = issued["token"].as_str().unwrap().to_owned();
    assert!(issued["url"].as_str().unwrap().contains(&token));
    let feed_path = format!(
        "/api/v1/practitioners/{}/calendar.ics?token={token}",
        c.practitioners[0]
    );
    let r = c
        .app
        .client
        .get(c.app.url(&feed_path))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let text = r.text().await.unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.contains(&format!("UID:{}@dermachart", a["id"].as_str().unwrap())));
    assert!(text.contains("SUMMARY:Consultation"));
    assert!(text.contains("DTSTAMP:"));
    assert!(text.contains(&format!(
        "DTSTART:{}",
        monday(1, 10, 0).format("%Y%m%dT%H%M%SZ")
    )));
    assert!(text.contains("STATUS:CANCELLED"));
    for leak in ["Zebedee", "Secretname", "private note", "xyz"] {
        assert!(!text.contains(leak), "{leak} must not leave the clinic");
    }
    assert!(
        !text.lines().any(|l| l.starts_with("ATTENDEE")),
        "the name stays one escaped value:\n{text}"
    );
    assert_eq!(
        text.matches("BEGIN:VEVENT").count(),
        2,
        "200 days ahead is outside the feed"
    );
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "folded lines: {line}");
    }

    // A new token revokes the old; DELETE revokes the new one.
    let again: Value = c
        .app
        .post(
            &c.admin,
            &format!(
                "/api/v1/practitioners/{}/calendar-token",
                c.practitioners[0]
            ),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_problem(
        c.app
            .client
            .get(c.app.url(&feed_path))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    let new_path = format!(
        "/api/v1/practitioners/{}/calendar.ics?token={}",
        c.practitioners[0],
        again["token"].as_str().unwrap()
    );
    assert_eq!(
        c.app
            .client
            .get(c.app.url(&new_path))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        c.app
            .delete(
                &c.admin,
                &format!(
                    "/api/v1/practitioners/{}/calendar-token",
                    c.practitioners[0]
                )
            )
            .await
            .status(),
        204
    );
    assert_problem(
        c.app.client.get(c.app.url(&new_path)).send().await.unwrap(),
        404,
    )
    .await;
    let wrong = format!(
        "/api/v1/practitioners/{}/calendar.ics?token=guess",
        c.practitioners[1]
    );
    let wrong_answer = assert_problem(
        c.app.client.get(c.app.url(&wrong)).send().await.unwrap(),
        404,
    )
    .await;
    // Without a token at all: the same answer as a wrong one.
    let none = format!("/api/v1/practitioners/{}/calendar.ics", c.practitioners[1]);
    let none_answer = assert_problem(
        c.app.client.get(c.app.url(&none)).send().await.unwrap(),
        404,
    )
    .await;
    assert_eq!(none_answer, wrong_answer);
}

#[tokio::test]
async fn only_admin_or_the_practitioner_themself_manage_the_token() {
    let c = clinic().await;
    let other = c.app.sign_in(Role::Practitioner).await;
    let r = c
        .app
        .post(
            &other.token,
            &format!(
                "/api/v1/practitioners/{}/calendar-token",
                c.practitioners[0]
            ),
            &json!({}),
        )
        .await;
    assert_problem(r, 403).await;
    assert_problem(
        c.app
            .post(
                &c.desk,
                &format!(
                    "/api/v1/practitioners/{}/calendar-token",
                    c.practitioners[0]
                ),
                &json!({}),
            )
            .await,
        403,
    )
    .await;
    let mine: Value = c
        .app
        .post(
            &c.admin,
            "/api/v1/practitioners",
            &json!({"user_id": other.user_id, "display_name": "Dr Own"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = c
        .app
        .post(
            &other.token,
            &format!(
                "/api/v1/practitioners/{}/calendar-token",
                mine["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 201);
}
