//! Consent: what a consent is worth at a given moment, and the gate a procedure
//! (or a photo) must pass. One module decides; every path calls `consent_gate`.
use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentScope {
    Treatment,
    Photography,
    Marketing,
}

impl ConsentScope {
    pub const ALL: [ConsentScope; 3] = [
        ConsentScope::Treatment,
        ConsentScope::Photography,
        ConsentScope::Marketing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentScope::Treatment => "treatment",
            ConsentScope::Photography => "photography",
            ConsentScope::Marketing => "marketing",
        }
    }

    pub fn parse(text: &str) -> Option<ConsentScope> {
        ConsentScope::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

// A row stores `pending`, `signed` or `revoked` (the database refuses `expired`); a plain
// comment, as the doc comment below is the OpenAPI description.
/// What the API shows as a consent's state (`expired` is computed from `expires_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Pending,
    Signed,
    Revoked,
    Expired,
}

impl ConsentStatus {
    pub const ALL: [ConsentStatus; 4] = [
        ConsentStatus::Pending,
        ConsentStatus::Signed,
        ConsentStatus::Revoked,
        ConsentStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentStatus::Pending => "pending",
            ConsentStatus::Signed => "signed",
            ConsentStatus::Revoked => "revoked",
            ConsentStatus::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<ConsentStatus> {
        ConsentStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The facts of one consent that the gate reads.
#[derive(Debug, Clone, Copy)]
pub struct ConsentFacts {
    pub template_version: i32,
    pub signed_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
}

/// One published version of the family (when it was published, whether it asks
/// everyone to consent again).
#[derive(Debug, Clone, Copy)]
pub struct PublishedVersion {
    pub version: i32,
    pub published_at: NaiveDateTime,
    pub requires_reconsent: bool,
}

impl ConsentFacts {
    pub fn status_at(&self, now: NaiveDateTime) -> ConsentStatus {
        match (self.signed_at, self.revoked_at, self.expires_at) {
            (_, Some(_), _) => ConsentStatus::Revoked,
            (None, None, _) => ConsentStatus::Pending,
            (Some(_), None, Some(exp)) if exp <= now => ConsentStatus::Expired,
            (Some(_), None, _) => ConsentStatus::Signed,
        }
    }
}

/// Why a consent does not cover an act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentProblem {
    /// There is no consent of the needed scope at all.
    Missing,
    NotSigned,
    SignedAfterTheAct,
    Revoked,
    Expired,
    Superseded {
        by_version: i32,
    },
}

impl ConsentProblem {
    pub fn describe(&self) -> String {
        match self {
            ConsentProblem::Missing => "The patient has no consent of the needed scope.".into(),
            ConsentProblem::NotSigned => "The consent is not signed.".into(),
            ConsentProblem::SignedAfterTheAct => "The consent was signed after the procedure.".into(),
            ConsentProblem::Revoked => "The consent was revoked.".into(),
            ConsentProblem::Expired => "The consent had expired.".into(),
            ConsentProblem::Superseded { by_version } => format!(
                "Version {by_version} of the consent form requires consenting again; this consent is of an older version."
            ),
        }
    }
}

/// The consent gate (SPEC §3 "Consent is a gate", §6 "Gates run as of the act"):
/// valid as of `act_at` means signed at or before it, not revoked or expired before
/// it, and no version requiring re-consent published (after the signed version) before it.
pub fn consent_gate(
    consent: &ConsentFacts,
    family: &[PublishedVersion],
    act_at: NaiveDateTime,
) -> Result<(), ConsentProblem> {
    let Some(signed_at) = consent.signed_at else {
        return Err(ConsentProblem::NotSigned);
    };
    if signed_at > act_at {
        return Err(ConsentProblem::SignedAfterTheAct);
    }
    if consent.revoked_at.is_some_and(|r| r <= act_at) {
        return Err(ConsentProblem::Revoked);
    }
    if consent.expires_at.is_some_and(|e| e <= act_at) {
        return Err(ConsentProblem::Expired);
    }
    if let Some(v) = family
        .iter()
        .filter(|v| {
            v.requires_reconsent && v.version > consent.template_version && v.published_at <= act_at
        })
        .map(|v| v.version)
        .max()
    {
        return Err(ConsentProblem::Superseded { by_version: v });
    }
    Ok(())
}

/// The photo gate (SPEC §6 "Consent families"): any one of the patient's
/// photography-scope consents (each with its family's published versions) that
/// passes [`consent_gate`] as of `taken_at` covers the photo. Otherwise the
/// problem of the most recently signed candidate explains the refusal.
pub fn any_consent_covers<'a>(
    candidates: impl IntoIterator<Item = (&'a ConsentFacts, &'a [PublishedVersion])>,
    act_at: NaiveDateTime,
) -> Result<(), ConsentProblem> {
    let mut refusal: Option<(Option<NaiveDateTime>, ConsentProblem)> = None;
    for (consent, family) in candidates {
        match consent_gate(consent, family, act_at) {
            Ok(()) => return Ok(()),
            Err(problem) => {
                if refusal
                    .as_ref()
                    .is_none_or(|(signed_at, _)| consent.signed_at >= *signed_at)
                {
                    refusal = Some((consent.signed_at, problem));
                }
            }
        }
    }
    Err(refusal.map_or(ConsentProblem::Missing, |(_, problem)| problem))
}

/// When a consent signed at `signed_at` expires, if its template sets a validity.
pub fn expiry(signed_at: NaiveDateTime, valid_for_days: Option<i32>) -> Option<NaiveDateTime> {
    valid_for_days.map(|d| signed_at + Duration::days(i64::from(d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn signed(v: i32) -> ConsentFacts {
        ConsentFacts {
            template_version: v,
            signed_at: Some(at("2026-01-10 10:00")),
            revoked_at: None,
            expires_at: None,
        }
    }

    #[test]
    fn a_signed_consent_covers_later_acts_only() {
        let c = signed(1);
        assert_eq!(consent_gate(&c, &[], at("2026-01-10 11:00")), Ok(()));
        assert_eq!(
            consent_gate(&c, &[], at("2026-01-09 11:00")),
            Err(ConsentProblem::SignedAfterTheAct)
        );
        let pending = ConsentFacts {
            signed_at: None,
            ..c
        };
        assert_eq!(
            consent_gate(&pending, &[], at("2026-01-10 11:00")),
            Err(ConsentProblem::NotSigned)
        );
    }

    #[test]
    fn revocation_and_expiry_count_from_when_they_happen() {
        let revoked = ConsentFacts {
            revoked_at: Some(at("2026-02-01 09:00")),
            ..signed(1)
        };
        assert_eq!(consent_gate(&revoked, &[], at("2026-01-20 10:00")), Ok(()));
        assert_eq!(
            consent_gate(&revoked, &[], at("2026-02-02 10:00")),
            Err(ConsentProblem::Revoked)
        );
        let expiring = ConsentFacts {
            expires_at: expiry(at("2026-01-10 10:00"), Some(30)),
            ..signed(1)
        };
        assert_eq!(consent_gate(&expiring, &[], at("2026-02-08 10:00")), Ok(()));
        assert_eq!(
            consent_gate(&expiring, &[], at("2026-02-10 10:00")),
            Err(ConsentProblem::Expired)
        );
        assert_eq!(
            expiring.status_at(at("2026-03-01 00:00")),
            ConsentStatus::Expired
        );
    }

    #[test]
    fn any_one_valid_consent_covers_a_photo_and_none_names_the_latest_problem() {
        let act = at("2026-03-01 10:00");
        assert_eq!(
            any_consent_covers(std::iter::empty(), act),
            Err(ConsentProblem::Missing)
        );
        let revoked = ConsentFacts {
            revoked_at: Some(at("2026-02-01 09:00")),
            ..signed(1)
        };
        let later = ConsentFacts {
            signed_at: Some(at("2026-03-02 09:00")),
            ..signed(1)
        };
        assert_eq!(
            any_consent_covers([(&revoked, &[][..]), (&later, &[][..])], act),
            Err(ConsentProblem::SignedAfterTheAct),
            "the most recently signed candidate explains"
        );
        let good = signed(1);
        assert_eq!(
            any_consent_covers([(&revoked, &[][..]), (&good, &[][..])], act),
            Ok(())
        );
    }

    #[test]
    fn a_reconsent_version_supersedes_older_ones_from_its_publication() {
        let family = [
            PublishedVersion {
                version: 2,
                published_at: at("2026-01-15 00:00"),
                requires_reconsent: false,
            },
            PublishedVersion {
                version: 3,
                published_at: at("2026-02-01 00:00"),
                requires_reconsent: true,
            },
        ];
        assert_eq!(
            consent_gate(&signed(1), &family, at("2026-01-20 10:00")),
            Ok(()),
            "v2 does not require it"
        );
        assert_eq!(
            consent_gate(&signed(1), &family, at("2026-02-02 10:00")),
            Err(ConsentProblem::Superseded { by_version: 3 })
        );
        assert_eq!(
            consent_gate(&signed(3), &family, at("2026-02-02 10:00")),
            Ok(())
        );
    }
}
