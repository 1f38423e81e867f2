//! Clinic set-up, availability, booking, the lifecycle, reschedule, idempotency and
//! follow-ups — and the races that public systems get wrong.
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::clinic::{clinic, clinic_with, monday, Clinic};
use crate::helpers::{assert_problem, error_fields, urlencode};

#[tokio::test]
async fn admin_sets_up_the_clinic_and_staff_can_read_but_not_write_it() {
    let c = clinic().await;
    let services: Value = c
        .app
        .get(&c.desk, "/api/v1/services")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(services["items"].as_array().unwrap().len(), 3);
    let facial = services["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Stem cell facial")
        .unwrap();
    assert_eq!(facial["follow_up_days"], json!([14, 42, 90, 180]));
    let hours: Value = c
        .app
        .get(
            &c.desk,
            &format!("/api/v1/practitioners/{}/working-hours", c.practitioners[0]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hours.as_array().unwrap().len(), 7);
    assert_eq!(hours[0]["end"], "24:00");
    assert_problem(
        c.app
            .post(
                &c.desk,
                "/api/v1/rooms",
                &json!({"location_id": c.location, "name": "X"}),
            )
            .await,
        403,
    )
    .await;
    let r = c
        .app
        .post(
            &c.admin,
            "/api/v1/services",
            &json!({"name": "Bad", "duration_minutes": 20, "follow_up_days": [14]}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["follow_up_service_id"]
    );
    let r = c
        .app
        .client
        .put(c.app.url(&format!(
            "/api/v1/practitioners/{}/working-hours",
            c.practitioners[0]
        )))
        .bearer_auth(&c.admin)
        .json(&json!([{"weekday": 8, "start": "09:00", "end": "08:00", "location_id": c.location}]))
        .send()
        .await
        .unwrap();
    let mut fields = error_fields(&assert_problem(r, 422).await);
    fields.sort();
    assert_eq!(fields, vec!["[0].end", "[0].weekday"]);
}

#[tokio::test]
async fn a_booking_takes_its_length_from_the_service_and_holds_the_buffer() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let at = monday(1, 10, 0);
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, at)
        .await;
    assert_eq!(a["status"], "booked");
    assert_eq!(
        a["ends_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        at + Duration::minutes(30)
    );
    assert_eq!(
        a["blocked_until"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        at + Duration::minutes(45)
    );
    // Adjacent (at blocked_until) is fine; inside the buffer is not.
    let q = c.patient("Bea").await;
    let r = c
        .book(
            &q,
            &c.practitioners[0],
            &c.consultation,
            at + Duration::minutes(40),
        )
        .await;
    let body = assert_problem(r, 409).await;
    assert!(
        body["detail"].as_str().unwrap().contains("practitioner"),
        "{body}"
    );
    c.book_ok(
        &q,
        &c.practitioners[0],
        &c.consultation,
        at + Duration::minutes(45),
    )
    .await;
    // The patient cannot be in two places.
    let r = c
        .book(
            &p,
            &c.practitioners[1],
            &c.consultation,
            at + Duration::minutes(15),
        )
        .await;
    let body = assert_problem(r, 409).await;
    assert!(
        body["detail"].as_str().unwrap().contains("patient"),
        "{body}"
    );
    assert_eq!(c.overlaps().await, 0);
}

#[tokio::test]
async fn bookings_outside_working_hours_or_in_time_off_are_refused() {
    let c = clinic_with(json!([["09:00", "17:00"]]), "UTC").await;
    let p = c.patient("Ada").await;
    let body = assert_problem(
        c.book(&p, &c.practitioners[0], &c.consultation, monday(1, 8, 45))
            .await,
        409,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("working hours"));
    // May end exactly at closing, not across it.
    c.book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 16, 30))
        .await;
    assert_problem(
        c.book(&p, &c.practitioners[0], &c.consultation, monday(2, 16, 45))
            .await,
        409,
    )
    .await;
    let r = c.app.post(&c.admin, &format!("/api/v1/practitioners/{}/time-off", c.practitioners[0]),
        &json!({"starts_at": monday(3, 0, 0).to_rfc3339(), "ends_at": monday(3, 23, 0).to_rfc3339(), "reason": "conference"})).await;
    assert_eq!(r.status(), 201);
    let body = assert_problem(
        c.book(&p, &c.practitioners[0], &c.consultation, monday(3, 10, 0))
            .await,
        409,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("time off"));
}

#[tokio::test]
async fn time_off_or_hours_that_would_strand_a_booking_are_refused_naming_it() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 10, 0))
        .await;
    // Two weeks later, in the afternoon: neither change below strands it.
    let b = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(3, 14, 0))
        .await;
    let r = c.app.post(&c.admin, &format!("/api/v1/practitioners/{}/time-off", c.practitioners[0]),
        &json!({"starts_at": monday(1, 9, 0).to_rfc3339(), "ends_at": monday(1, 12, 0).to_rfc3339()})).await;
    let body = assert_problem(r, 409).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains(a["id"].as_str().unwrap()), "{detail}");
    assert!(!detail.contains(b["id"].as_str().unwrap()), "{detail}");
    let r = c
        .app
        .client
        .put(c.app.url(&format!(
            "/api/v1/practitioners/{}/working-hours",
            c.practitioners[0]
        )))
        .bearer_auth(&c.admin)
        .json(&json!([{"weekday": 1, "start": "13:00", "end": "17:00", "location_id": c.location}]))
        .send()
        .await
        .unwrap();
    let body = assert_problem(r, 409).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains(a["id"].as_str().unwrap()), "{detail}");
    assert!(!detail.contains(b["id"].as_str().unwrap()), "{detail}");
    let hours: Value = c
        .app
        .get(
            &c.admin,
            &format!("/api/v1/practitioners/{}/working-hours", c.practitioners[0]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        hours.as_array().unwrap().len(),
        7,
        "the refused change left the hours as they were"
    );
}

#[tokio::test]
async fn a_room_service_takes_a_free_room_and_two_practitioners_cannot_share_one() {
    let c = clinic().await;
    let (p, q, r3) = (
        c.patient("Ada").await,
        c.patient("Bea").await,
        c.patient("Cy").await,
    );
    let at = monday(1, 9, 0);
    let a = c.book_ok(&p, &c.practitioners[0], &c.facial, at).await;
    let b = c.book_ok(&q, &c.practitioners[1], &c.facial, at).await;
    assert_ne!(a["room_id"], b["room_id"], "each got its own room");
    assert!(a["room_id"].is_string() && b["room_id"].is_string());
    // Asking for a taken room explicitly is a room clash.
    let other = c.app.sign_in(Role::Practitioner).await;
    let third: Value = c
        .app
        .post(
            &c.admin,
            "/api/v1/practitioners",
            &json!({"user_id": other.user_id, "display_name": "Dr Three"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let third = third["id"].as_str().unwrap();
    let week: Vec<Value> = (1..=7)
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "24:00", "location_id": c.location}))
        .collect();
    c.app
        .client
        .put(
            c.app
                .url(&format!("/api/v1/practitioners/{third}/working-hours")),
        )
        .bearer_auth(&c.admin)
        .json(&week)
        .send()
        .await
        .unwrap();
    // A taken room asked for is a room clash, whether the service needs a room or not.
    for service in [&c.facial, &c.consultation] {
        let r = c.book_in_room(&r3, third, service, at, &a["room_id"]).await;
        let body = assert_problem(r, 409).await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("room"),
            "{body}"
        );
    }
    // And a service that needs no room gets a free one it asks for.
    let later = at + Duration::hours(3);
    let r = c
        .book_in_room(&r3, third, &c.consultation, later, &a["room_id"])
        .await;
    assert_eq!(r.status(), 201);
    let booked: Value = r.json().await.unwrap();
    assert_eq!(booked["room_id"], a["room_id"]);
    // Without a room choice, none is free: 409.
    assert_problem(c.book(&r3, third, &c.facial, at).await, 409).await;
    assert_eq!(c.overlaps().await, 0);
}

#[tokio::test]
async fn bad_bookings_are_4xx_and_write_nothing() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let r = c
        .app
        .post(
            &c.desk,
            "/api/v1/appointments",
            &json!({"patient_id": uuid::Uuid::now_v7(), "practitioner_id": c.practitioners[0],
        "service_id": c.consultation, "starts_at": monday(1, 10, 0).to_rfc3339()}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["patient_id"]
    );
    let r = c
        .app
        .post(
            &c.desk,
            "/api/v1/appointments",
            &json!({"patient_id": p, "practitioner_id": c.practitioners[0],
        "service_id": c.consultation, "starts_at": "next tuesday"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["starts_at"]
    );
    let r = c.app.post(&c.desk, "/api/v1/appointments", &json!({"patient_id": p, "practitioner_id": c.practitioners[0],
        "service_id": c.consultation, "starts_at": monday(1, 10, 0).to_rfc3339(), "status": "completed"})).await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["status"]);
    c.app
        .delete(&c.desk, &format!("/api/v1/patients/{p}"))
        .await;
    assert_problem(
        c.book(&p, &c.practitioners[0], &c.consultation, monday(1, 10, 0))
            .await,
        409,
    )
    .await;
    let list: Value = c
        .app
        .get(&c.desk, "/api/v1/appointments")
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_lifecycle_allows_only_the_listed_transitions() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 10, 0))
        .await;
    let id = a["id"].as_str().unwrap();
    let body = assert_problem(c.act(id, "complete").await, 409).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("booked") && detail.contains("completed"),
        "{detail}"
    );
    for (action, status) in [
        ("confirm", "confirmed"),
        ("check-in", "checked_in"),
        ("start", "in_progress"),
        ("complete", "completed"),
    ] {
        let r = c.act(id, action).await;
        assert_eq!(r.status(), 200, "{action}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["status"], status);
    }
    assert_problem(c.act(id, "cancel").await, 409).await;
    let b = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(2, 10, 0))
        .await;
    let r = c
        .app
        .post(
            &c.desk,
            &format!("/api/v1/appointments/{}/cancel", b["id"].as_str().unwrap()),
            &json!({"reason": " "}),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["reason"]);
    let r = c.act(b["id"].as_str().unwrap(), "cancel").await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "cancelled");
    assert_eq!(v["cancel_reason"], "patient asked");
    // A cancelled slot is free again.
    c.book_ok(&p, &c.practitioners[0], &c.consultation, monday(2, 10, 0))
        .await;
}

#[tokio::test]
async fn a_no_show_frees_the_slot_and_is_undone_only_if_the_slot_is_still_free() {
    let c = clinic().await;
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);
    // Today, so the undo is on the appointment's own day.
    let today = Utc::now().date_naive().and_hms_opt(0, 0, 0).unwrap();
    let at = Utc.from_utc_datetime(&today) + Duration::hours(23);
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, at)
        .await;
    let id = a["id"].as_str().unwrap();
    assert_eq!(c.act(id, "no-show").await.status(), 200);
    assert_eq!(
        c.act(id, "check-in").await.status(),
        200,
        "undo on the same day"
    );
    assert_eq!(
        c.act(id, "no-show").await.status(),
        409,
        "checked_in cannot become no_show"
    );
    let b = c
        .book_ok(&q, &c.practitioners[1], &c.consultation, at)
        .await;
    assert_eq!(
        c.act(b["id"].as_str().unwrap(), "no-show").await.status(),
        200
    );
    c.book_ok(
        &p,
        &c.practitioners[1],
        &c.consultation,
        at + Duration::minutes(45),
    )
    .await;
    let taken = c
        .book_ok(
            &c.patient("Cy").await,
            &c.practitioners[1],
            &c.consultation,
            at,
        )
        .await;
    assert_eq!(taken["status"], "booked");
    assert_problem(c.act(b["id"].as_str().unwrap(), "check-in").await, 409).await;
    assert_eq!(c.overlaps().await, 0);
}

#[tokio::test]
async fn reschedule_re_runs_the_rules_returns_to_booked_and_honours_if_match() {
    let c = clinic().await;
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 10, 0))
        .await;
    c.book_ok(&q, &c.practitioners[0], &c.consultation, monday(1, 12, 0))
        .await;
    let id = a["id"].as_str().unwrap();
    assert_eq!(c.act(id, "confirm").await.status(), 200);
    let path = format!("/api/v1/appointments/{id}");
    let r = c.app.get(&c.desk, &path).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let r = c.move_to(id, &etag, monday(1, 12, 15)).await;
    assert_problem(r, 409).await;
    let r = c.move_to(id, &etag, monday(1, 14, 0)).await;
    assert_eq!(r.status(), 200);
    let moved: Value = r.json().await.unwrap();
    assert_eq!(moved["status"], "booked");
    assert_eq!(
        moved["starts_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        monday(1, 14, 0)
    );
    let r = c.move_to(id, &etag, monday(1, 15, 0)).await;
    assert_problem(r, 412).await;
    let r = c.app.patch(&c.desk, &path, &json!({"patient_id": q})).await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["patient_id"]
    );
    // Its old slot is free again.
    c.book_ok(
        &c.patient("Cy").await,
        &c.practitioners[0],
        &c.consultation,
        monday(1, 10, 0),
    )
    .await;
    for action in ["check-in", "start"] {
        assert_eq!(c.act(id, action).await.status(), 200);
    }
    assert_problem(
        c.app
            .patch(
                &c.desk,
                &path,
                &json!({"starts_at": monday(2, 9, 0).to_rfc3339()}),
            )
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn archiving_a_patient_cancels_their_future_appointments() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 10, 0))
        .await;
    assert_eq!(
        c.app
            .delete(&c.desk, &format!("/api/v1/patients/{p}"))
            .await
            .status(),
        204
    );
    let got: Value = c
        .app
        .get(
            &c.desk,
            &format!("/api/v1/appointments/{}", a["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["status"], "cancelled");
}

#[tokio::test]
async fn an_idempotent_retry_returns_the_first_answer_and_books_nothing_new() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let body = json!({"patient_id": p, "practitioner_id": c.practitioners[0], "service_id": c.consultation,
        "starts_at": monday(1, 10, 0).to_rfc3339()});
    let send = |key: &'static str, body: Value| {
        let app = &c.app;
        let desk = c.desk.clone();
        async move {
            app.client
                .post(app.url("/api/v1/appointments"))
                .bearer_auth(&desk)
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // The original and its retry race.
    let (first, second) = tokio::join!(send("key-1", body.clone()), send("key-1", body.clone()));
    assert_eq!(first.status(), 201);
    assert_eq!(second.status(), 201);
    let (a, b): (Value, Value) = (first.json().await.unwrap(), second.json().await.unwrap());
    assert_eq!(a["id"], b["id"]);
    let third = send("key-1", body.clone()).await;
    assert_eq!(third.status(), 201);
    let c3: Value = third.json().await.unwrap();
    assert_eq!(c3["id"], a["id"]);
    let list: Value = c
        .app
        .get(&c.desk, "/api/v1/appointments")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let mut other = body.clone();
    other["starts_at"] = json!(monday(1, 11, 0).to_rfc3339());
    assert_problem(send("key-1", other).await, 422).await;
    // A refused booking is replayed as refused.
    let clash = send("key-2", body.clone()).await;
    assert_eq!(clash.status(), 409);
    assert_eq!(send("key-2", body.clone()).await.status(), 409);
}

#[tokio::test]
async fn every_offered_slot_can_be_booked_and_a_booked_slot_is_never_offered() {
    let c = clinic_with(json!([["09:00", "12:00"], ["13:00", "17:00"]]), "UTC").await;
    let p = c.patient("Ada").await;
    c.book_ok(
        &c.patient("Busy").await,
        &c.practitioners[0],
        &c.consultation,
        monday(1, 10, 0),
    )
    .await;
    let path = format!(
        "/api/v1/availability?service_id={}&practitioner_id={}&from={}&to={}",
        c.consultation,
        c.practitioners[0],
        urlencode(&monday(1, 0, 0).to_rfc3339()),
        urlencode(&monday(1, 23, 59).to_rfc3339())
    );
    let slots: Value = c.app.get(&c.desk, &path).await.json().await.unwrap();
    let starts: Vec<DateTime<Utc>> = slots["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(starts.contains(&monday(1, 9, 0)));
    assert!(
        starts.contains(&monday(1, 11, 30)),
        "ends exactly at the break"
    );
    assert!(
        !starts.contains(&monday(1, 11, 45)),
        "would cross the break"
    );
    for busy in [
        monday(1, 9, 30),
        monday(1, 9, 45),
        monday(1, 10, 0),
        monday(1, 10, 30),
    ] {
        assert!(
            !starts.contains(&busy),
            "{busy} overlaps the booking or its buffer"
        );
    }
    assert!(!starts.contains(&monday(1, 12, 0)) && starts.contains(&monday(1, 13, 0)));
    // Every offered slot really books (each on a fresh copy of the day: cancel after).
    for s in starts.iter().step_by(3) {
        let a = c
            .book_ok(&p, &c.practitioners[0], &c.consultation, *s)
            .await;
        assert_eq!(
            c.act(a["id"].as_str().unwrap(), "cancel").await.status(),
            200
        );
    }
    let too_long = format!(
        "/api/v1/availability?service_id={}&from={}&to={}",
        c.consultation,
        urlencode(&monday(1, 0, 0).to_rfc3339()),
        urlencode(&(monday(1, 0, 0) + Duration::days(32)).to_rfc3339())
    );
    assert_problem(c.app.get(&c.desk, &too_long).await, 422).await;
}

#[tokio::test]
async fn working_hours_follow_the_clinic_clock_across_a_daylight_saving_change() {
    let c = clinic_with(json!([["09:00", "17:00"]]), "Europe/London").await;
    // 2027-03-28 is the spring change in London: Friday 26th is GMT, Monday 29th is BST.
    for (date, first_utc_hour) in [
        (NaiveDate::from_ymd_opt(2027, 3, 26).unwrap(), 9),
        (NaiveDate::from_ymd_opt(2027, 3, 29).unwrap(), 8),
    ] {
        let from = Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap());
        let path = format!(
            "/api/v1/availability?service_id={}&practitioner_id={}&from={}&to={}",
            c.consultation,
            c.practitioners[0],
            urlencode(&from.to_rfc3339()),
            urlencode(&(from + Duration::days(1)).to_rfc3339())
        );
        let slots: Value = c.app.get(&c.desk, &path).await.json().await.unwrap();
        let first: DateTime<Utc> = slots["items"][0]["starts_at"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            first,
            Utc.from_utc_datetime(&date.and_hms_opt(first_utc_hour, 0, 0).unwrap()),
            "{date}"
        );
        let p = c.patient(&format!("Dst{first_utc_hour}")).await;
        c.book_ok(&p, &c.practitioners[0], &c.consultation, first)
            .await;
        let before = first - Duration::minutes(15);
        assert_problem(
            c.book(&p, &c.practitioners[1], &c.consultation, before)
                .await,
            409,
        )
        .await;
    }
}

#[tokio::test]
async fn a_completed_facial_books_its_follow_up_series_once() {
    let c = clinic_with(json!([["09:00", "17:00"]]), "UTC").await;
    let p = c.patient("Ada").await;
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.facial, monday(1, 9, 0))
        .await;
    let id = a["id"].as_str().unwrap();
    assert_problem(
        c.app
            .post(
                &c.desk,
                &format!("/api/v1/appointments/{id}/follow-ups"),
                &json!({}),
            )
            .await,
        409,
    )
    .await;
    for action in ["check-in", "start", "complete"] {
        assert_eq!(c.act(id, action).await.status(), 200);
    }
    // Day 14 is busy all morning: the follow-up goes to the first free slot after.
    c.book_ok(
        &c.patient("Busy").await,
        &c.practitioners[0],
        &c.facial,
        monday(3, 9, 0),
    )
    .await;
    let r = c
        .app
        .post(
            &c.desk,
            &format!("/api/v1/appointments/{id}/follow-ups"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let series: Value = r.json().await.unwrap();
    let items = series["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    let offsets: Vec<i64> = items
        .iter()
        .map(|i| i["follow_up_offset_days"].as_i64().unwrap())
        .collect();
    assert_eq!(offsets, vec![14, 42, 90, 180]);
    assert_eq!(
        items[0]["starts_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        monday(3, 12, 0)
    );
    assert_eq!(
        items[1]["starts_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        monday(1, 9, 0) + Duration::days(42)
    );
    for i in items {
        assert_eq!(i["service_id"], c.review.as_str());
        assert_eq!(i["follow_up_of"], id);
    }
    assert_problem(
        c.app
            .post(
                &c.desk,
                &format!("/api/v1/appointments/{id}/follow-ups"),
                &json!({}),
            )
            .await,
        409,
    )
    .await;
    let child = items[0]["id"].as_str().unwrap();
    for action in ["check-in", "start", "complete"] {
        assert_eq!(c.act(child, action).await.status(), 200);
    }
    assert_problem(
        c.app
            .post(
                &c.desk,
                &format!("/api/v1/appointments/{child}/follow-ups"),
                &json!({}),
            )
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn a_follow_up_series_with_no_room_for_one_offset_books_nothing() {
    let c = clinic_with(json!([["09:00", "17:00"]]), "UTC").await;
    let p = c.patient("Ada").await;
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.facial, monday(1, 9, 0))
        .await;
    let id = a["id"].as_str().unwrap();
    for action in ["check-in", "start", "complete"] {
        assert_eq!(c.act(id, action).await.status(), 200);
    }
    let r = c
        .app
        .post(
            &c.admin,
            &format!("/api/v1/practitioners/{}/time-off", c.practitioners[0]),
            &json!({"starts_at": (monday(1, 0, 0) + Duration::days(85)).to_rfc3339(),
                "ends_at": (monday(1, 0, 0) + Duration::days(110)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let body = assert_problem(
        c.app
            .post(
                &c.desk,
                &format!("/api/v1/appointments/{id}/follow-ups"),
                &json!({}),
            )
            .await,
        409,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("90"), "{body}");
    let list: Value = c
        .app
        .get(&c.desk, &format!("/api/v1/appointments?patient_id={p}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "all or nothing");
}

#[tokio::test]
async fn the_day_list_selects_by_overlap_in_start_order() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let late = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 15, 0))
        .await;
    let early = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 9, 0))
        .await;
    c.book_ok(&p, &c.practitioners[0], &c.consultation, monday(2, 9, 0))
        .await;
    let path = format!(
        "/api/v1/appointments?from={}&to={}&practitioner_id={}",
        urlencode(&monday(1, 9, 15).to_rfc3339()),
        urlencode(&monday(1, 23, 0).to_rfc3339()),
        c.practitioners[0]
    );
    let list: Value = c.app.get(&c.desk, &path).await.json().await.unwrap();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![early["id"].as_str().unwrap(), late["id"].as_str().unwrap()]
    );
}

/// Releases `n` bookings at once and returns their statuses.
async fn race(c: &Arc<Clinic>, bodies: Vec<Value>) -> Vec<u16> {
    let barrier = Arc::new(tokio::sync::Barrier::new(bodies.len()));
    let mut tasks = Vec::new();
    for body in bodies {
        let (c, barrier) = (c.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            let request = c
                .app
                .client
                .post(c.app.url("/api/v1/appointments"))
                .bearer_auth(&c.desk)
                .json(&body);
            barrier.wait().await;
            request.send().await.unwrap().status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_clients_racing_for_one_slot_get_exactly_one_booking_in_each_of_fifty_rounds() {
    let c = Arc::new(clinic().await);
    let mut patients = Vec::new();
    for i in 0..20 {
        patients.push(c.patient(&format!("Racer{i}")).await);
    }
    let mut conflicts = 0;
    for round in 0..50 {
        let at = monday(1, 0, 0) + Duration::minutes(45 * round);
        let bodies = patients
            .iter()
            .map(|p| {
                json!({"patient_id": p, "practitioner_id": c.practitioners[0],
            "service_id": c.consultation, "starts_at": at.to_rfc3339()})
            })
            .collect();
        let statuses = race(&c, bodies).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 409),
            "round {round}: {statuses:?}"
        );
        conflicts += statuses.iter().filter(|s| **s == 409).count();
    }
    assert_eq!(conflicts, 50 * 19);
    assert_eq!(c.overlaps().await, 0);
    let list: Value = c
        .app
        .get(&c.desk, "/api/v1/appointments?limit=200")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn partial_overlaps_raced_book_one_and_adjacent_slots_both_book() {
    let c = Arc::new(clinic().await);
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);
    let (r, s) = (c.patient("Cy").await, c.patient("Di").await);
    // A 45-minute hold: 10:00–10:45 against 10:30–11:15.
    for round in 0..10 {
        let base = monday(2, 0, 0) + Duration::hours(2 * round);
        let bodies = vec![
            json!({"patient_id": p, "practitioner_id": c.practitioners[0], "service_id": c.consultation, "starts_at": base.to_rfc3339()}),
            json!({"patient_id": q, "practitioner_id": c.practitioners[0], "service_id": c.consultation, "starts_at": (base + Duration::minutes(30)).to_rfc3339()}),
        ];
        let statuses = race(&c, bodies).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?}"
        );
        let bodies = vec![
            json!({"patient_id": r, "practitioner_id": c.practitioners[1], "service_id": c.consultation, "starts_at": base.to_rfc3339()}),
            json!({"patient_id": s, "practitioner_id": c.practitioners[1], "service_id": c.consultation, "starts_at": (base + Duration::minutes(45)).to_rfc3339()}),
        ];
        assert_eq!(
            race(&c, bodies).await,
            vec![201, 201],
            "adjacent slots do not clash"
        );
    }
    assert_eq!(c.overlaps().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_room_raced_by_two_practitioners_goes_to_one() {
    let c = Arc::new(clinic().await);
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);
    for round in 0..10 {
        let at = monday(1, 0, 0) + Duration::hours(4 * round);
        let bodies = vec![
            json!({"patient_id": p, "practitioner_id": c.practitioners[0], "service_id": c.facial, "starts_at": at.to_rfc3339(), "room_id": c.rooms[0]}),
            json!({"patient_id": q, "practitioner_id": c.practitioners[1], "service_id": c.facial, "starts_at": at.to_rfc3339(), "room_id": c.rooms[0]}),
        ];
        let statuses = race(&c, bodies).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?}"
        );
    }
    assert_eq!(c.overlaps().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reschedule_racing_a_booking_into_the_same_slot_lets_one_win() {
    let c = Arc::new(clinic().await);
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);
    for round in 0..10 {
        let base = monday(1, 0, 0) + Duration::hours(3 * round);
        let target = base + Duration::hours(1);
        let a = c
            .book_ok(&p, &c.practitioners[0], &c.consultation, base)
            .await;
        let path = format!("/api/v1/appointments/{}", a["id"].as_str().unwrap());
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let (c1, b1, path1) = (c.clone(), barrier.clone(), path.clone());
        let move_it = tokio::spawn(async move {
            let req = c1
                .app
                .client
                .patch(c1.app.url(&path1))
                .bearer_auth(&c1.desk)
                .json(&json!({"starts_at": target.to_rfc3339()}));
            b1.wait().await;
            req.send().await.unwrap().status().as_u16()
        });
        let (c2, b2, q2) = (c.clone(), barrier.clone(), q.clone());
        let book_it = tokio::spawn(async move {
            let req = c2.app.client.post(c2.app.url("/api/v1/appointments")).bearer_auth(&c2.desk).json(&json!({
                "patient_id": q2, "practitioner_id": c2.practitioners[0], "service_id": c2.consultation, "starts_at": target.to_rfc3339()}));
            b2.wait().await;
            req.send().await.unwrap().status().as_u16()
        });
        let statuses = [move_it.await.unwrap(), book_it.await.unwrap()];
        assert_eq!(
            statuses.iter().filter(|s| **s == 200 || **s == 201).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| [200, 201, 409].contains(s)),
            "{statuses:?}"
        );
    }
    assert_eq!(c.overlaps().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_racing_a_rebook_never_double_books() {
    let c = Arc::new(clinic().await);
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);
    for round in 0..10 {
        let at = monday(1, 0, 0) + Duration::hours(2 * round);
        let a = c
            .book_ok(&p, &c.practitioners[0], &c.consultation, at)
            .await;
        let id = a["id"].as_str().unwrap().to_owned();
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let (c1, b1) = (c.clone(), barrier.clone());
        let cancel = tokio::spawn(async move {
            let req = c1
                .app
                .client
                .post(c1.app.url(&format!("/api/v1/appointments/{id}/cancel")))
                .bearer_auth(&c1.desk)
                .json(&json!({"reason": "race"}));
            b1.wait().await;
            req.send().await.unwrap().status().as_u16()
        });
        let (c2, b2, q2) = (c.clone(), barrier.clone(), q.clone());
        let rebook = tokio::spawn(async move {
            let req = c2.app.client.post(c2.app.url("/api/v1/appointments")).bearer_auth(&c2.desk).json(&json!({
                "patient_id": q2, "practitioner_id": c2.practitioners[0], "service_id": c2.consultation, "starts_at": at.to_rfc3339()}));
            b2.wait().await;
            req.send().await.unwrap().status().as_u16()
        });
        assert_eq!(cancel.await.unwrap(), 200);
        let rebooked = rebook.await.unwrap();
        assert!(rebooked == 201 || rebooked == 409, "{rebooked}");
    }
    assert_eq!(c.overlaps().await, 0);
}

#[tokio::test]
async fn the_database_itself_refuses_an_overlapping_row_written_behind_the_apps_back() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 10, 0))
        .await;
    let id = a["id"].as_str().unwrap().to_owned();
    let result = c
        .app
        .with_db(move |conn| {
            use dermachart::db::models::appointments::{self, AppointmentRow};
            use diesel::prelude::*;
            let original: AppointmentRow = appointments::find(conn, id.parse().unwrap())
                .unwrap()
                .unwrap();
            let copy = AppointmentRow {
                id: dermachart::db::types::AppointmentId::new(),
                starts_at: original.starts_at + chrono::Duration::minutes(10),
                ends_at: original.ends_at + chrono::Duration::minutes(10),
                blocked_until: original.blocked_until + chrono::Duration::minutes(10),
                ..original
            };
            let _ = diesel::sql_query("SELECT 1").execute(conn);
            appointments::insert(conn, &copy)
        })
        .await;
    let err = result.expect_err("the constraint refuses it");
    assert!(matches!(
        dermachart::error::ApiError::from(err),
        dermachart::error::ApiError::Conflict(_)
    ));
    assert_eq!(c.overlaps().await, 0);
}

#[tokio::test]
async fn dates_out_of_range_are_422_not_500() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let r = c
        .app
        .post(
            &c.desk,
            "/api/v1/appointments",
            &json!({"patient_id": p, "practitioner_id": c.practitioners[0],
        "service_id": c.consultation, "starts_at": "+262143-12-31T22:00:00Z"}),
        )
        .await;
    assert!(r.status() == 422, "{}", r.status());
    let r = c.app.get(&c.desk, &format!("/api/v1/availability?service_id={}&from=%2B262143-12-30T00:00:00Z&to=%2B262143-12-31T00:00:00Z", c.consultation)).await;
    let status = r.status().as_u16();
    assert!(status == 400 || status == 422, "{status}");
    let r = c.app.get(&c.desk, &format!("/api/v1/availability?service_id={}&from=9999-12-30T00:00:00Z&to=10000-01-02T00:00:00Z", c.consultation)).await;
    let status = r.status().as_u16();
    assert!(status == 400 || status == 422, "{status}");
    let r = c
        .app
        .post(
            &c.desk,
            "/api/v1/appointments",
            &json!({"patient_id": p, "practitioner_id": c.practitioners[0],
        "service_id": c.consultation, "starts_at": "1850-01-01T10:00:00Z"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["starts_at"]
    );
}

#[tokio::test]
async fn a_visit_entered_after_the_fact_gets_no_reminder() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let past = Utc::now() - Duration::days(3);
    let past = Utc.from_utc_datetime(&past.date_naive().and_hms_opt(10, 0, 0).unwrap());
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, past)
        .await;
    let id: dermachart::db::types::AppointmentId = a["id"].as_str().unwrap().parse().unwrap();
    let reminder = c
        .app
        .with_db(move |conn| dermachart::db::models::reminders::find_for(conn, id).unwrap())
        .await;
    assert!(reminder.is_none());
    let b = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 10, 0))
        .await;
    let id: dermachart::db::types::AppointmentId = b["id"].as_str().unwrap().parse().unwrap();
    let reminder = c
        .app
        .with_db(move |conn| dermachart::db::models::reminders::find_for(conn, id).unwrap())
        .await;
    assert_eq!(reminder.unwrap().status, "pending");
}

/// A moved appointment's reminder moves with it: the same lead before the new start
/// (`reminders::retime`), still pending.
#[tokio::test]
async fn a_moved_appointment_moves_its_reminder() {
    let c = clinic().await;
    let p = c.patient("Ada").await;
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 10, 0))
        .await;
    let id: dermachart::db::types::AppointmentId = a["id"].as_str().unwrap().parse().unwrap();
    let before = c
        .app
        .with_db(move |conn| dermachart::db::models::reminders::find_for(conn, id).unwrap())
        .await
        .expect("a pending reminder");
    let lead = monday(1, 10, 0).naive_utc() - before.send_at;
    assert!(
        lead > chrono::Duration::zero(),
        "the reminder goes before the visit"
    );

    let path = format!("/api/v1/appointments/{id}");
    let etag = c.app.get(&c.desk, &path).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let r = c.move_to(&id.to_string(), &etag, monday(1, 14, 0)).await;
    assert_eq!(r.status(), 200);

    let after = c
        .app
        .with_db(move |conn| dermachart::db::models::reminders::find_for(conn, id).unwrap())
        .await
        .expect("the reminder is still there");
    assert_eq!(after.id, before.id, "the same reminder, re-timed");
    assert_eq!(after.status, "pending");
    assert_eq!(after.send_at, monday(1, 14, 0).naive_utc() - lead);
    assert_eq!(after.next_attempt_at, after.send_at);
}

#[tokio::test]
async fn a_longer_buffer_later_does_not_strand_existing_bookings() {
    let c = clinic_with(json!([["09:00", "17:00"]]), "UTC").await;
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);
    c.book_ok(&p, &c.practitioners[0], &c.review, monday(1, 10, 0))
        .await;
    c.book_ok(&q, &c.practitioners[0], &c.review, monday(1, 10, 30))
        .await;
    let r = c
        .app
        .patch(
            &c.admin,
            &format!("/api/v1/services/{}", c.review),
            &json!({"buffer_minutes": 30, "duration_minutes": 45}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let week: Vec<Value> = (1..=7)
        .map(|d| json!({"weekday": d, "start": "09:00", "end": "17:00", "location_id": c.location}))
        .collect();
    let r = c
        .app
        .client
        .put(c.app.url(&format!(
            "/api/v1/practitioners/{}/working-hours",
            c.practitioners[0]
        )))
        .bearer_auth(&c.admin)
        .json(&week)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "booked times keep their booked length");
}

#[tokio::test]
async fn follow_ups_start_no_earlier_than_the_original_time_of_day() {
    let c = clinic_with(json!([["09:00", "17:00"]]), "UTC").await;
    let p = c.patient("Ada").await;
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.facial, monday(1, 14, 0))
        .await;
    let id = a["id"].as_str().unwrap();
    for action in ["check-in", "start", "complete"] {
        assert_eq!(c.act(id, action).await.status(), 200);
    }
    let series: Value = c
        .app
        .post(
            &c.desk,
            &format!("/api/v1/appointments/{id}/follow-ups"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let first: DateTime<Utc> = series["items"][0]["starts_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(first, monday(1, 14, 0) + Duration::days(14));
}

#[tokio::test]
async fn a_reschedule_picks_another_free_room_when_its_old_one_is_taken() {
    let c = clinic().await;
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.facial, monday(1, 9, 0))
        .await;
    let b = c
        .book_ok(&q, &c.practitioners[1], &c.facial, monday(1, 13, 0))
        .await;
    assert_eq!(a["room_id"], b["room_id"], "both took the first free room");
    let r = c
        .app
        .patch(
            &c.desk,
            &format!("/api/v1/appointments/{}", a["id"].as_str().unwrap()),
            &json!({"starts_at": monday(1, 13, 0).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let moved: Value = r.json().await.unwrap();
    assert_ne!(moved["room_id"], b["room_id"]);
    assert_eq!(c.overlaps().await, 0);
}

/// An appointment holds its slot for at most 36 hours (the database refuses a longer
/// one), so the overlap lookups look back only 37 hours from a slot instead of over the
/// calendar's whole past: a 36-hour hold that began 35 hours before a new booking is
/// still seen by the app's lookup and still refused by the database.
#[tokio::test]
async fn overlap_checks_bounded_in_time_still_see_the_longest_hold() {
    use dermachart::db::models::appointments::{self, AppointmentRow};
    use dermachart::db::types::{AppointmentId, PatientId, PractitionerId, ServiceId};
    use dermachart::domain::schedule::AppointmentStatus;

    let c = clinic().await;
    let patient: PatientId = serde_json::from_value(json!(c.patient("Span").await)).unwrap();
    let other: PatientId = serde_json::from_value(json!(c.patient("Other").await)).unwrap();
    let practitioner: PractitionerId =
        serde_json::from_value(json!(c.practitioners[0].clone())).unwrap();
    let service: ServiceId = serde_json::from_value(json!(c.consultation.clone())).unwrap();
    let t = monday(2, 12, 0).naive_utc();
    let row = move |patient, starts_at, visit: Duration, hold: Duration| AppointmentRow {
        id: AppointmentId::new(),
        patient_id: patient,
        practitioner_id: practitioner,
        service_id: service,
        room_id: None,
        starts_at,
        ends_at: starts_at + visit,
        blocked_until: starts_at + hold,
        status: AppointmentStatus::Booked,
        notes: None,
        cancel_reason: None,
        follow_up_of: None,
        follow_up_offset_days: None,
        booked_by: None,
        version: 1,
        created_at: starts_at,
        updated_at: starts_at,
    };
    c.app
        .with_db(move |conn| {
            let too_long = row(
                patient,
                t - Duration::hours(40),
                Duration::hours(24),
                Duration::hours(37),
            );
            let err = appointments::insert(conn, &too_long).unwrap_err();
            assert!(err.to_string().contains("appointments_span"), "{err}");

            let longest = row(
                patient,
                t - Duration::hours(35),
                Duration::hours(24),
                Duration::hours(36),
            );
            appointments::insert(conn, &longest).unwrap();
            let busy = appointments::practitioner_busy(
                conn,
                practitioner,
                t,
                t + Duration::minutes(30),
                None,
            )
            .unwrap();
            assert_eq!(
                busy.iter().map(|a| a.id).collect::<Vec<_>>(),
                vec![longest.id]
            );
            // One minute after the hold ends, nothing is busy.
            let after = t + Duration::hours(1) + Duration::minutes(1);
            assert!(appointments::practitioner_busy(
                conn,
                practitioner,
                after,
                after + Duration::minutes(30),
                None
            )
            .unwrap()
            .is_empty());

            let clash = row(other, t, Duration::minutes(30), Duration::minutes(30));
            let err = appointments::insert(conn, &clash).unwrap_err();
            assert!(
                err.to_string()
                    .contains("appointments_practitioner_overlap"),
                "{err}"
            );
        })
        .await;
}
