//! Adverse events: what happened, how bad, in which phase (SPEC §3 "Adverse events").
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdverseKind {
    Infection,
    Bleeding,
    Bruising,
    Swelling,
    Pain,
    Other,
}

impl AdverseKind {
    pub const ALL: [AdverseKind; 6] = [
        AdverseKind::Infection,
        AdverseKind::Bleeding,
        AdverseKind::Bruising,
        AdverseKind::Swelling,
        AdverseKind::Pain,
        AdverseKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdverseKind::Infection => "infection",
            AdverseKind::Bleeding => "bleeding",
            AdverseKind::Bruising => "bruising",
            AdverseKind::Swelling => "swelling",
            AdverseKind::Pain => "pain",
            AdverseKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<AdverseKind> {
        AdverseKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

// No doc comments on these enums: the OpenAPI document shows them as they always were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Mild,
    Moderate,
    Severe,
    Serious,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Mild,
        Severity::Moderate,
        Severity::Severe,
        Severity::Serious,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Mild => "mild",
            Severity::Moderate => "moderate",
            Severity::Severe => "severe",
            Severity::Serious => "serious",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Harvest,
    Processing,
    Application,
    Aftercare,
}

impl Phase {
    pub const ALL: [Phase; 4] = [
        Phase::Harvest,
        Phase::Processing,
        Phase::Application,
        Phase::Aftercare,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Harvest => "harvest",
            Phase::Processing => "processing",
            Phase::Application => "application",
            Phase::Aftercare => "aftercare",
        }
    }

    pub fn parse(text: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `as_str` is the serde name, so the database and the API spell a value alike.
    #[test]
    fn stored_names_are_the_api_names() {
        for k in AdverseKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            assert_eq!(AdverseKind::parse(k.as_str()), Some(k));
        }
        for s in Severity::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        for p in Phase::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
            assert_eq!(Phase::parse(p.as_str()), Some(p));
        }
        assert_eq!(Severity::parse("Serious"), None);
    }
}
