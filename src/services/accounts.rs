//! Password links, in one place: portal accounts get a set-password link (24 h),
//! forgotten passwords a reset link (1 h). A link carries a 256-bit token that is
//! stored only as its SHA-256, works once, and voids the user's older links; the
//! email is written to the outbox in the same transaction as the token.
use chrono::{Duration, NaiveDateTime};

use crate::auth::session::{new_token, token_hash};
use crate::db::models::password_tokens::{self, PasswordTokenRow};
use crate::db::models::{outbox, patients, sessions, users};
use crate::db::types::{PasswordTokenId, PatientId, UserId};
use crate::db::DbConnection;
use crate::domain::role::Role;
use crate::error::ApiError;

/// What the link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A new portal account's first password.
    SetPassword,
    /// A forgotten password.
    Reset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::SetPassword => "set_password",
            LinkPurpose::Reset => "reset",
        }
    }

    pub fn lifetime(self) -> Duration {
        match self {
            LinkPurpose::SetPassword => LONGEST_LINK,
            LinkPurpose::Reset => Duration::hours(1),
        }
    }

    fn email(self, link: &str) -> (&'static str, String) {
        match self {
            LinkPurpose::SetPassword => (
                "Your patient portal login",
                format!(
                    "The clinic has created a login for you to see your own record online.\n\n\
                     Choose your password here (the link works once, for 24 hours):\n{link}\n\n\
                     If you did not expect this email, you can ignore it.\n"
                ),
            ),
            LinkPurpose::Reset => (
                "Resetting your password",
                format!(
                    "Someone asked to reset the password of this login.\n\n\
                     Choose a new password here (the link works once, for 1 hour):\n{link}\n\n\
                     If it was not you, ignore this email: your password is unchanged.\n"
                ),
            ),
        }
    }
}

/// A user's password is "unset" until they follow their link: this value is no
/// argon2 hash, so no password ever verifies against it.
pub const UNSET_PASSWORD_HASH: &str = "!unset";

/// No link lives longer than this, so no unsent email needs its body for longer.
pub const LONGEST_LINK: Duration = Duration::hours(24);

/// How long whoever set a patient's email is barred from sending that patient's
/// portal login (four eyes).
const FOUR_EYES: Duration = Duration::hours(24);

/// Creates a patient's portal login for the email on file and queues its
/// set-password link; returns the new user and when the link expires. 404 unknown
/// patient, 409 archived, 422 no email, 409 if the caller *changed* that email on an
/// existing patient within `FOUR_EYES` (else one staff member could point any chart's
/// email at themselves and open that patient's portal; a second person must send
/// it), 409 if a login exists or another login has the email. The email a patient
/// was registered with (create or import: set at `created_at`) is no change, so a
/// one-person front desk can hand a new patient their login at registration.
/// Call inside a write transaction.
pub fn open_portal_account(
    conn: &mut DbConnection,
    patient: PatientId,
    by: UserId,
    public_url: &str,
    now: NaiveDateTime,
) -> Result<(UserId, NaiveDateTime), ApiError> {
    let row = patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
    if row.archived {
        return Err(ApiError::Conflict("The patient is archived.".into()));
    }
    let email = row
        .email
        .as_deref()
        .map(users::normalise_email)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| ApiError::validation("email", "the patient has no email on file"))?;
    // Read in this transaction, from the row the email change itself wrote.
    let changed_after_registration = |at: NaiveDateTime| at > row.created_at;
    if patients::email_set(conn, patient)?.is_some_and(|(setter, at)| {
        setter == by && changed_after_registration(at) && at >= now - FOUR_EYES
    }) {
        return Err(ApiError::Conflict(
            "You changed this patient's email in the last 24 hours; another staff member must create the portal login.".into(),
        ));
    }
    if users::find_by_patient(conn, patient)?.is_some() {
        return Err(ApiError::Conflict(
            "The patient already has a portal login.".into(),
        ));
    }
    if users::find_by_email(conn, &email)?.is_some() {
        return Err(ApiError::Conflict(
            "Another login already uses the patient's email.".into(),
        ));
    }
    let user_id = UserId::new();
    users::insert(
        conn,
        &users::NewUser {
            id: user_id,
            email: &email,
            display_name: &row.given_name,
            role: Role::Patient.as_str(),
            password_hash: UNSET_PASSWORD_HASH,
            active: true,
            patient_id: Some(patient),
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )?;
    let expires_at = issue_link(
        conn,
        user_id,
        &email,
        LinkPurpose::SetPassword,
        public_url,
        now,
    )?;
    Ok((user_id, expires_at))
}

/// Erases unsent emails older than any link (their links are dead; an unconfigured
/// mail server must not leave live links in the database).
pub fn expire_unsent_links(conn: &mut DbConnection, now: NaiveDateTime) -> Result<(), ApiError> {
    outbox::expire_stale(conn, now - LONGEST_LINK, now)?;
    Ok(())
}

/// At most this many reset links per user per hour (a reset form must not be a way
/// to flood someone's inbox).
const RESETS_PER_HOUR: i64 = 3;

/// Issues a link for `user` and queues its email to `email`; returns when it expires.
/// Call inside a write transaction.
pub fn issue_link(
    conn: &mut DbConnection,
    user: UserId,
    email: &str,
    purpose: LinkPurpose,
    public_url: &str,
    now: NaiveDateTime,
) -> Result<NaiveDateTime, ApiError> {
    password_tokens::void_unused(conn, user, now)?;
    // An older link still waiting in the outbox is void now: it must not be sent.
    outbox::void_pending_to(conn, email, now)?;
    expire_unsent_links(conn, now)?;
    let token = new_token();
    let expires_at = now + purpose.lifetime();
    password_tokens::insert(
        conn,
        &PasswordTokenRow {
            id: PasswordTokenId::new(),
            user_id: user,
            token_hash: token_hash(&token),
            purpose: purpose.as_str().to_owned(),
            expires_at,
            used_at: None,
            created_at: now,
        },
    )?;
    // The token sits in the fragment, which browsers never send to a server or a Referer.
    let link = format!(
        "{}/set-password#token={token}",
        public_url.trim_end_matches('/')
    );
    let (subject, body) = purpose.email(&link);
    outbox::enqueue(conn, email, subject, &body, now)?;
    Ok(expires_at)
}

/// Issues a reset link to an active login unless the hourly cap is reached; true when
/// one was issued. The user's lock is taken first, so concurrent requests (on any app
/// server) count the links one after another and the cap holds. Call inside a write
/// transaction.
pub fn issue_reset_link(
    conn: &mut DbConnection,
    user: UserId,
    email: &str,
    public_url: &str,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    crate::services::scheduling::lock(conn, &[crate::services::scheduling::Lock::User(user)])?;
    if !may_send_reset(conn, user, now)? {
        return Ok(false);
    }
    issue_link(conn, user, email, LinkPurpose::Reset, public_url, now)?;
    Ok(true)
}

/// Whether another reset link may be sent to this user now.
pub fn may_send_reset(
    conn: &mut DbConnection,
    user: UserId,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    Ok(password_tokens::issued_since(conn, user, now - Duration::hours(1))? < RESETS_PER_HOUR)
}

fn invalid_link() -> ApiError {
    ApiError::validation("token", "is not valid (used, expired or unknown)")
}

/// Checks a link before any password is hashed for it (hashing is the costly part,
/// and this route is public): known, unused, unexpired, its user active.
pub fn check_link(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let row =
        password_tokens::find_by_hash(conn, &token_hash(token.trim()))?.ok_or_else(invalid_link)?;
    let user = users::find(conn, row.user_id)?;
    if row.used_at.is_some() || row.expires_at <= now || !user.active {
        return Err(invalid_link());
    }
    Ok(())
}

/// Redeems a link: the token must be known, unused and unexpired, and its user active.
/// Sets the new password hash and ends every session of the user. Returns the user.
/// Call inside a write transaction.
pub fn redeem_link(
    conn: &mut DbConnection,
    token: &str,
    new_hash: &str,
    now: NaiveDateTime,
) -> Result<UserId, ApiError> {
    let invalid = || ApiError::validation("token", "is not valid (used, expired or unknown)");
    let row =
        password_tokens::find_by_hash(conn, &token_hash(token.trim()))?.ok_or_else(invalid)?;
    let user = users::find(conn, row.user_id)?;
    if !user.active || !password_tokens::consume(conn, row.id, now)? {
        return Err(invalid());
    }
    users::set_password_hash(conn, user.id, new_hash, now)?;
    sessions::revoke_all_for_user(conn, user.id, None, now)?;
    Ok(user.id)
}
