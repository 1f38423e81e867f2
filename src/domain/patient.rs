//! Patient demographics: what a valid record holds, and the keys search uses.
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
    Unknown,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
            Sex::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Sex> {
        [Sex::Female, Sex::Male, Sex::Other, Sex::Unknown]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyContact {
    pub name: String,
    pub phone: String,
    pub relationship: String,
}

/// A complete, valid set of patient fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientFields {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub emergency_contact: Option<EmergencyContact>,
    pub allergies: Vec<String>,
    pub medications: Vec<String>,
    pub medical_history: Option<String>,
    pub fitzpatrick_type: Option<i32>,
}

const NAME_MAX: usize = 100;
const PHONE_MAX: usize = 40;
const EMAIL_MAX: usize = 254;
const ADDRESS_MAX: usize = 500;
const HISTORY_MAX: usize = 20_000;
const LIST_ITEMS_MAX: usize = 100;
const LIST_ITEM_MAX: usize = 200;

fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize, required: bool) {
    let trimmed = value.trim();
    if required && trimmed.is_empty() {
        errors.push(FieldError::new(field, "is required"));
    }
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.push(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
}

fn phone(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    text(errors, field, value, PHONE_MAX, true);
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if !value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        || digits < 5
    {
        errors.push(FieldError::new(
            field,
            "must be a phone number (digits, spaces, + - ( ) .)",
        ));
    }
}

impl PatientFields {
    /// Every rule a stored patient satisfies; all broken rules are listed at once.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        text(&mut errors, "given_name", &self.given_name, NAME_MAX, true);
        text(
            &mut errors,
            "family_name",
            &self.family_name,
            NAME_MAX,
            true,
        );
        if self.date_of_birth > today {
            errors.push(FieldError::new(
                "date_of_birth",
                "must not be in the future",
            ));
        }
        if self.date_of_birth.year() < 1900 {
            errors.push(FieldError::new("date_of_birth", "must be in 1900 or later"));
        }
        if let Some(p) = &self.phone {
            phone(&mut errors, "phone", p);
        }
        if let Some(e) = &self.email {
            text(&mut errors, "email", e, EMAIL_MAX, true);
            let parts: Vec<&str> = e.split('@').collect();
            if parts.len() != 2
                || parts[0].is_empty()
                || !parts[1].contains('.')
                || e.chars().any(char::is_whitespace)
            {
                errors.push(FieldError::new("email", "must be an email address"));
            }
        }
        if let Some(a) = &self.address {
            text(&mut errors, "address", a, ADDRESS_MAX, false);
        }
        if let Some(c) = &self.emergency_contact {
            text(
                &mut errors,
                "emergency_contact.name",
                &c.name,
                NAME_MAX,
                true,
            );
            phone(&mut errors, "emergency_contact.phone", &c.phone);
            text(
                &mut errors,
                "emergency_contact.relationship",
                &c.relationship,
                NAME_MAX,
                true,
            );
        }
        for (field, list) in [
            ("allergies", &self.allergies),
            ("medications", &self.medications),
        ] {
            if list.len() > LIST_ITEMS_MAX {
                errors.push(FieldError::new(
                    field,
                    format!("at most {LIST_ITEMS_MAX} items"),
                ));
            }
            for (i, item) in list.iter().enumerate() {
                text(
                    &mut errors,
                    &format!("{field}[{i}]"),
                    item,
                    LIST_ITEM_MAX,
                    true,
                );
            }
        }
        if let Some(h) = &self.medical_history {
            text(&mut errors, "medical_history", h, HISTORY_MAX, false);
        }
        if let Some(f) = self.fitzpatrick_type {
            if !(1..=6).contains(&f) {
                errors.push(FieldError::new("fitzpatrick_type", "must be 1 to 6 (I–VI)"));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The normalised values search compares against.
    pub fn search_keys(&self) -> SearchKeys {
        SearchKeys {
            given_name: fold(&self.given_name),
            family_name: fold(&self.family_name),
            email: self.email.as_deref().map(fold),
            phone: self.phone.as_deref().map(phone_digits),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchKeys {
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Case-folded, trimmed text as stored in and compared with the search columns.
pub fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

pub fn phone_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// What a search string `q` asks for. Each kind is answered by one or two index
/// ranges, never by an OR across every column (which defeats the planner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerms {
    /// `YYYY-MM-DD`: a date of birth.
    DateOfBirth(NaiveDate),
    /// Digits and phone punctuation only: a prefix of the phone's digits.
    Phone(String),
    /// Contains `@`: a prefix of the email, case-folded.
    Email(String),
    /// Starts with `DC-`: a prefix of the MRN, upper-cased — or of a name (a
    /// hyphenated name can start so too), case-folded.
    Mrn { mrn: String, name: String },
    /// Anything else: a prefix of the given or the family name; with two words,
    /// also "given family" and "family given".
    Name {
        prefix: String,
        pair: Option<(String, String)>,
    },
}

impl SearchTerms {
    pub fn parse(q: &str) -> Option<SearchTerms> {
        let trimmed = q.trim();
        if trimmed.is_empty() {
            return None;
        }
        if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
            return Some(SearchTerms::DateOfBirth(date));
        }
        let digits = phone_digits(trimmed);
        if digits.len() >= 3
            && trimmed
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            return Some(SearchTerms::Phone(digits));
        }
        let folded = fold(trimmed);
        if folded.contains('@') {
            return Some(SearchTerms::Email(folded));
        }
        if folded.starts_with("dc-") && !folded.contains(char::is_whitespace) {
            return Some(SearchTerms::Mrn {
                mrn: trimmed.to_uppercase(),
                name: folded,
            });
        }
        let words: Vec<&str> = folded.split_whitespace().collect();
        let pair = (words.len() == 2).then(|| (words[0].to_owned(), words[1].to_owned()));
        Some(SearchTerms::Name {
            prefix: folded,
            pair,
        })
    }
}

/// The exclusive upper bound of every string that starts with `prefix`
/// (so a prefix match is a range the indexes can answer).
pub fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> PatientFields {
        PatientFields {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            date_of_birth: NaiveDate::from_ymd_opt(1985, 12, 10).unwrap(),
            sex: Some(Sex::Female),
            phone: Some("+44 20 7946 0000".into()),
            email: Some("ada@example.org".into()),
            address: None,
            emergency_contact: None,
            allergies: vec![],
            medications: vec![],
            medical_history: None,
            fitzpatrick_type: Some(2),
        }
    }

    #[test]
    fn a_complete_record_is_valid() {
        assert_eq!(
            fields().validate(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            Ok(())
        );
    }

    #[test]
    fn every_broken_rule_is_named() {
        let mut f = fields();
        f.given_name = " ".into();
        f.fitzpatrick_type = Some(7);
        f.email = Some("not-an-email".into());
        f.date_of_birth = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        let errors = f
            .validate(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
            .unwrap_err();
        let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in ["given_name", "fitzpatrick_type", "email", "date_of_birth"] {
            assert!(named.contains(&field), "{field} not in {named:?}");
        }
    }

    #[test]
    fn search_terms_recognise_dates_phones_emails_mrns_and_name_pairs() {
        assert_eq!(
            SearchTerms::parse("1985-12-10"),
            Some(SearchTerms::DateOfBirth(
                NaiveDate::from_ymd_opt(1985, 12, 10).unwrap()
            ))
        );
        assert_eq!(
            SearchTerms::parse("020 79"),
            Some(SearchTerms::Phone("02079".into()))
        );
        assert_eq!(
            SearchTerms::parse("Ada@Ex"),
            Some(SearchTerms::Email("ada@ex".into()))
        );
        assert_eq!(
            SearchTerms::parse("dc-7k"),
            Some(SearchTerms::Mrn {
                mrn: "DC-7K".into(),
                name: "dc-7k".into()
            })
        );
        assert_eq!(
            SearchTerms::parse("Ada LOVE"),
            Some(SearchTerms::Name {
                prefix: "ada love".into(),
                pair: Some(("ada".into(), "love".into()))
            })
        );
        assert!(SearchTerms::parse("  ").is_none());
    }
}
