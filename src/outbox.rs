//! The email outbox worker: sends account emails (set-password and reset links) that
//! handlers wrote in the same transaction as the token, claiming each before sending
//! so two workers never send one twice; a sent message's body is erased.
use chrono::Duration;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::models::outbox::{self, EmailRow};
use crate::db::models::queue;
use crate::db::DbPool;

const BATCH: i64 = 20;
const MAX_ATTEMPTS: i32 = 8;
const CLAIM_FOR_MINUTES: i64 = 10;

/// One plain-text email over SMTP; the error is a short description for the outbox row.
pub async fn deliver(
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), String> {
    let to: Mailbox = to.parse().map_err(|e| format!("bad address: {e}"))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .body(body.to_owned())
        .map_err(|e| format!("bad message: {e}"))?;
    mailer
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("smtp: {e}"))
}

/// 1, 2, 4 … minutes between attempts.
pub fn backoff(attempts: i32) -> Duration {
    Duration::minutes(1_i64 << attempts.clamp(0, 10))
}

/// Wakes every sender in this process (a new generation of the watch value; no wake
/// is lost while a sender is busy). Call after the transaction that queued an email
/// has committed. Other app servers hear of it from PostgreSQL (`listen_postgres`);
/// the poll every `REMINDER_POLL_MS` stays as a backstop.
pub fn wake() {
    WAKE.send_modify(|generation| *generation = generation.wrapping_add(1));
}

/// A receiver that changes on every `wake`.
pub fn wake_receiver() -> tokio::sync::watch::Receiver<u64> {
    WAKE.subscribe()
}

static WAKE: std::sync::LazyLock<tokio::sync::watch::Sender<u64>> =
    std::sync::LazyLock::new(|| tokio::sync::watch::Sender::new(0));

/// Listens for queued emails on PostgreSQL (sent by any app server) and wakes this
/// process's sender; a blocking thread that checks its connection every 100 ms
/// (no query, no load). Gives up after repeated connection failures (the poll is
/// the backstop).
pub fn listen_postgres(database_url: String) {
    use diesel::{Connection, RunQueryDsl};
    std::thread::spawn(move || {
        let mut failures = 0;
        while failures < 5 {
            let Ok(mut conn) = diesel::PgConnection::establish(&database_url) else {
                failures += 1;
                std::thread::sleep(std::time::Duration::from_secs(1));
                continue;
            };
            if diesel::sql_query(format!("LISTEN {}", outbox::OUTBOX_CHANNEL))
                .execute(&mut conn)
                .is_err()
            {
                failures += 1;
                continue;
            }
            failures = 0;
            'listening: loop {
                let mut heard = false;
                for notification in conn.notifications_iter() {
                    if notification.is_err() {
                        break 'listening;
                    }
                    heard = true;
                }
                if heard {
                    wake();
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            tracing::warn!("outbox listener lost its connection; reconnecting");
        }
    });
}

/// Sends what is due; returns how many were sent.
pub async fn run_once(
    pool: &DbPool,
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> anyhow::Result<usize> {
    let p = pool.clone();
    let claimed: Vec<EmailRow> = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut conn = p.get()?;
        let now = crate::db::now();
        // No link outlives its lifetime in the outbox, delivered or not.
        crate::services::accounts::expire_unsent_links(&mut conn, now)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let due = outbox::due(&mut conn, now, BATCH)?;
        let until = now + Duration::minutes(CLAIM_FOR_MINUTES);
        Ok(queue::claim_each(
            &mut conn,
            due,
            now,
            until,
            outbox::claim,
        )?)
    })
    .await??;
    let mut sent = 0;
    for row in claimed {
        let outcome = match row.body.as_deref() {
            Some(body) => deliver(mailer, from, &row.recipient, &row.subject, body).await,
            None => Err("no body".to_owned()),
        };
        let p = pool.clone();
        let ok = outcome.is_ok();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut conn = p.get()?;
            let now = crate::db::now();
            match outcome {
                Ok(()) => {
                    outbox::mark_sent(&mut conn, row.id, now)?;
                }
                Err(error) => {
                    tracing::warn!(email = %row.id, attempts = row.attempts + 1, "email not sent");
                    let next = now + backoff(row.attempts);
                    outbox::mark_failed(&mut conn, &row, &error, next, MAX_ATTEMPTS)?;
                }
            }
            Ok(())
        })
        .await??;
        if ok {
            sent += 1;
        }
    }
    Ok(sent)
}
