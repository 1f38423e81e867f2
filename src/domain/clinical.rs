//! Clinical rules: contraindication screening and eligibility, note hashing, and the
//! chain of custody of an autologous cell sample.
use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Concern {
    FineLines,
    Wrinkles,
    AgeSpots,
    Sagging,
    UnevenTone,
    AcneScars,
    Hyperpigmentation,
    Other,
}

/// The seven screened contraindications (SPEC §6: exactly these booleans).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contraindications {
    pub active_infection: bool,
    pub anticoagulants: bool,
    pub bleeding_disorder: bool,
    pub pregnancy: bool,
    pub active_cancer: bool,
    pub keloid_history: bool,
    pub recent_isotretinoin: bool,
}

/// The names an override may name: the seven, and `other`.
pub const OVERRIDABLE: [&str; 8] = [
    "active_infection",
    "anticoagulants",
    "bleeding_disorder",
    "pregnancy",
    "active_cancer",
    "keloid_history",
    "recent_isotretinoin",
    "other",
];

impl Contraindications {
    /// The names of the contraindications marked present (`other` when its text is set).
    pub fn present(&self, other: Option<&str>) -> Vec<&'static str> {
        let flags = [
            self.active_infection,
            self.anticoagulants,
            self.bleeding_disorder,
            self.pregnancy,
            self.active_cancer,
            self.keloid_history,
            self.recent_isotretinoin,
            other.is_some_and(|t| !t.trim().is_empty()),
        ];
        OVERRIDABLE
            .iter()
            .zip(flags)
            .filter(|(_, on)| *on)
            .map(|(name, _)| *name)
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    Eligible,
    NotEligible,
    Deferred,
}

impl Eligibility {
    pub const ALL: [Eligibility; 3] = [
        Eligibility::Eligible,
        Eligibility::NotEligible,
        Eligibility::Deferred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Eligibility::Eligible => "eligible",
            Eligibility::NotEligible => "not_eligible",
            Eligibility::Deferred => "deferred",
        }
    }

    pub fn parse(text: &str) -> Option<Eligibility> {
        Eligibility::ALL.into_iter().find(|e| e.as_str() == text)
    }
}

/// Where a consultation or procedure note is (SPEC §6 "State"): a draft may change and be
/// deleted; a signed note never changes again (amendments are appended beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteStatus {
    Draft,
    Signed,
}

impl NoteStatus {
    pub const ALL: [NoteStatus; 2] = [NoteStatus::Draft, NoteStatus::Signed];

    pub fn as_str(self) -> &'static str {
        match self {
            NoteStatus::Draft => "draft",
            NoteStatus::Signed => "signed",
        }
    }

    pub fn parse(text: &str) -> Option<NoteStatus> {
        NoteStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The server's eligibility: any contraindication present without an override
/// reason makes the patient `not_eligible`, whatever the clinician chose.
pub fn eligibility(
    contraindications: &Contraindications,
    other: Option<&str>,
    overrides: &BTreeMap<String, String>,
    chosen: Eligibility,
) -> Eligibility {
    let unexplained = contraindications.present(other).into_iter().any(|name| {
        overrides
            .get(name)
            .is_none_or(|reason| reason.trim().is_empty())
    });
    if unexplained {
        Eligibility::NotEligible
    } else {
        chosen
    }
}

/// SHA-256 (hex) of the RFC 8785 canonical JSON of a note's clinical content —
/// the same bytes, and so the same hash, on both databases.
pub fn content_hash(content: &serde_json::Value) -> String {
    let canonical = serde_jcs::to_vec(content).unwrap_or_default();
    hex::encode(Sha256::digest(canonical))
}

/// The custody events of a sample (SPEC §6 "Sample custody").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustodyEvent {
    Processed,
    Stored,
    Applied,
    Discarded,
}

impl CustodyEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            CustodyEvent::Processed => "processed",
            CustodyEvent::Stored => "stored",
            CustodyEvent::Applied => "applied",
            CustodyEvent::Discarded => "discarded",
        }
    }
}

/// Where a sample is in its custody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SampleState {
    Harvested,
    Processed,
    Stored,
    Applied,
    Discarded,
}

impl SampleState {
    pub const ALL: [SampleState; 5] = [
        SampleState::Harvested,
        SampleState::Processed,
        SampleState::Stored,
        SampleState::Applied,
        SampleState::Discarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SampleState::Harvested => "harvested",
            SampleState::Processed => "processed",
            SampleState::Stored => "stored",
            SampleState::Applied => "applied",
            SampleState::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Option<SampleState> {
        SampleState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Why a custody event is refused (all 409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustodyProblem {
    Finished(SampleState),
    OutOfOrder {
        from: SampleState,
        event: CustodyEvent,
    },
    NotTheDonor,
    ViabilityExpired,
}

impl CustodyProblem {
    pub fn describe(&self) -> String {
        match self {
            CustodyProblem::Finished(s) => format!(
                "The sample is {}; nothing more can happen to it.",
                s.as_str()
            ),
            CustodyProblem::OutOfOrder { from, event } => format!(
                "A sample that is {} cannot be {}.",
                from.as_str(),
                event.as_str()
            ),
            CustodyProblem::NotTheDonor => {
                "An autologous sample can only be applied to the patient it was taken from.".into()
            }
            CustodyProblem::ViabilityExpired => "The sample is past its viability window.".into(),
        }
    }
}

/// The custody rules: `processed → stored* → applied`, `discarded` from any
/// non-terminal state; applied only to the donor, within the viability window.
pub fn next_custody_state(
    current: SampleState,
    event: CustodyEvent,
    donor_is_recipient: bool,
    harvested_at: NaiveDateTime,
    event_at: NaiveDateTime,
    viability: Duration,
) -> Result<SampleState, CustodyProblem> {
    use SampleState::*;
    if matches!(current, Applied | Discarded) {
        return Err(CustodyProblem::Finished(current));
    }
    let next = match (current, event) {
        (Harvested, CustodyEvent::Processed) => Processed,
        (Processed | Stored, CustodyEvent::Stored) => Stored,
        (Processed | Stored, CustodyEvent::Applied) => Applied,
        (_, CustodyEvent::Discarded) => Discarded,
        (from, event) => return Err(CustodyProblem::OutOfOrder { from, event }),
    };
    if next == Applied {
        if !donor_is_recipient {
            return Err(CustodyProblem::NotTheDonor);
        }
        if event_at - harvested_at > viability {
            return Err(CustodyProblem::ViabilityExpired);
        }
    }
    Ok(next)
}

/// A label code that carries no name, MRN or other identifier (21 CFR 1271.290(c)).
pub fn new_label_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    let body: String = (0..12)
        .map(|i| {
            let c = ALPHABET[rng.gen_range(0..ALPHABET.len())] as char;
            if i == 4 || i == 8 {
                format!("-{c}")
            } else {
                c.to_string()
            }
        })
        .collect();
    format!("AS-{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn an_unexplained_contraindication_makes_the_patient_not_eligible() {
        let c = Contraindications {
            anticoagulants: true,
            ..Default::default()
        };
        let mut overrides = BTreeMap::new();
        assert_eq!(
            eligibility(&c, None, &overrides, Eligibility::Eligible),
            Eligibility::NotEligible
        );
        overrides.insert(
            "anticoagulants".into(),
            "stopped 10 days ago, INR normal".into(),
        );
        assert_eq!(
            eligibility(&c, None, &overrides, Eligibility::Eligible),
            Eligibility::Eligible
        );
        assert_eq!(
            eligibility(
                &Contraindications::default(),
                Some("recent filler"),
                &BTreeMap::new(),
                Eligibility::Eligible
            ),
            Eligibility::NotEligible
        );
        assert_eq!(
            eligibility(
                &Contraindications::default(),
                None,
                &BTreeMap::new(),
                Eligibility::Deferred
            ),
            Eligibility::Deferred
        );
    }

    #[test]
    fn the_hash_does_not_depend_on_key_order() {
        let a = serde_json::json!({"b": 1, "a": [1, 2], "c": {"y": "é", "x": 1.5}});
        let b = serde_json::json!({"c": {"x": 1.5, "y": "é"}, "a": [1, 2], "b": 1});
        assert_eq!(content_hash(&a), content_hash(&b));
        assert_ne!(content_hash(&a), content_hash(&serde_json::json!({"b": 2})));
    }

    #[test]
    fn custody_runs_processed_stored_applied_and_ends_there() {
        let h = at("2026-03-02 09:00");
        let v = Duration::hours(24);
        let s = next_custody_state(
            SampleState::Harvested,
            CustodyEvent::Processed,
            true,
            h,
            h,
            v,
        )
        .unwrap();
        let s = next_custody_state(s, CustodyEvent::Stored, true, h, h, v).unwrap();
        let s = next_custody_state(s, CustodyEvent::Stored, true, h, h, v).unwrap();
        let s = next_custody_state(s, CustodyEvent::Applied, true, h, at("2026-03-02 12:00"), v)
            .unwrap();
        assert_eq!(s, SampleState::Applied);
        assert!(matches!(
            next_custody_state(s, CustodyEvent::Discarded, true, h, h, v),
            Err(CustodyProblem::Finished(_))
        ));
        assert!(matches!(
            next_custody_state(SampleState::Harvested, CustodyEvent::Applied, true, h, h, v),
            Err(CustodyProblem::OutOfOrder { .. })
        ));
    }

    #[test]
    fn a_sample_goes_back_only_to_its_donor_and_only_while_viable() {
        let h = at("2026-03-02 09:00");
        let v = Duration::hours(24);
        assert_eq!(
            next_custody_state(
                SampleState::Processed,
                CustodyEvent::Applied,
                false,
                h,
                h,
                v
            ),
            Err(CustodyProblem::NotTheDonor)
        );
        assert_eq!(
            next_custody_state(
                SampleState::Stored,
                CustodyEvent::Applied,
                true,
                h,
                at("2026-03-03 09:01"),
                v
            ),
            Err(CustodyProblem::ViabilityExpired)
        );
        assert_eq!(
            next_custody_state(
                SampleState::Stored,
                CustodyEvent::Discarded,
                false,
                h,
                at("2026-03-05 09:01"),
                v
            ),
            Ok(SampleState::Discarded)
        );
    }

    #[test]
    fn label_codes_carry_nothing_but_randomness() {
        let a = new_label_code();
        assert!(a.starts_with("AS-") && a.len() == 17, "{a}");
        assert_ne!(a, new_label_code());
    }
}
