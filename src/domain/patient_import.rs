//! CSV import of demographics: which columns a file may have, and how one row
//! becomes patient fields (or the list of what is wrong with it, by line and field).
use std::collections::HashMap;

use chrono::NaiveDate;

use super::patient::{fold, PatientFields, Sex};
use super::FieldError;

/// The columns an import may carry (SPEC §6 "CSV import").
pub const COLUMNS: &[&str] = &[
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "fitzpatrick_type",
    "address",
];
const REQUIRED: &[&str] = &["given_name", "family_name", "date_of_birth"];
/// The one clinical column: front desk may not import it.
pub const CLINICAL_COLUMNS: &[&str] = &["fitzpatrick_type"];

/// Where each known column sits in a row.
#[derive(Debug, Clone)]
pub struct Header {
    index: HashMap<&'static str, usize>,
}

impl Header {
    /// Reads the header row; unknown, repeated or missing required columns are errors on line 1.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Header, Vec<FieldError>> {
        let mut index = HashMap::new();
        let mut errors = Vec::new();
        for (i, raw) in names.into_iter().enumerate() {
            let name = raw
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase();
            match COLUMNS.iter().find(|c| **c == name) {
                Some(known) => {
                    if index.insert(*known, i).is_some() {
                        errors.push(FieldError::new(*known, "column appears twice").at_line(1));
                    }
                }
                None => errors.push(
                    FieldError::new(
                        name.chars().take(60).collect::<String>(),
                        format!("unknown column (allowed: {})", COLUMNS.join(", ")),
                    )
                    .at_line(1),
                ),
            }
        }
        for required in REQUIRED {
            if !index.contains_key(required) {
                errors.push(FieldError::new(*required, "required column is missing").at_line(1));
            }
        }
        if errors.is_empty() {
            Ok(Header { index })
        } else {
            Err(errors)
        }
    }

    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }

    fn get<'r>(&self, row: &'r [&'r str], column: &str) -> Option<&'r str> {
        self.index
            .get(column)
            .and_then(|&i| row.get(i).copied())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// One data row as patient fields, validated as `POST /patients` would.
    pub fn row(
        &self,
        line: u64,
        row: &[&str],
        today: NaiveDate,
    ) -> Result<PatientFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let date_of_birth = match self.get(row, "date_of_birth") {
            None => {
                errors.push(FieldError::new("date_of_birth", "is required"));
                None
            }
            Some(v) => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new(
                        "date_of_birth",
                        "must be a date YYYY-MM-DD",
                    ));
                    None
                }
            },
        };
        let sex = match self.get(row, "sex") {
            None => None,
            Some(v) => match Sex::parse(&v.to_ascii_lowercase()) {
                Some(s) => Some(s),
                None => {
                    errors.push(FieldError::new(
                        "sex",
                        "must be female, male, other or unknown",
                    ));
                    None
                }
            },
        };
        let fitzpatrick_type = match self.get(row, "fitzpatrick_type") {
            None => None,
            Some(v) => match parse_fitzpatrick(v) {
                Some(n) => Some(n),
                None => {
                    errors.push(FieldError::new(
                        "fitzpatrick_type",
                        "must be 1 to 6 (or I to VI)",
                    ));
                    None
                }
            },
        };
        let fields = PatientFields {
            given_name: self.get(row, "given_name").unwrap_or_default().to_owned(),
            family_name: self.get(row, "family_name").unwrap_or_default().to_owned(),
            // Replaced by the parse error above when absent or malformed.
            date_of_birth: date_of_birth.unwrap_or(today),
            sex,
            phone: self.get(row, "phone").map(str::to_owned),
            email: self.get(row, "email").map(str::to_owned),
            address: self.get(row, "address").map(str::to_owned),
            emergency_contact: None,
            allergies: Vec::new(),
            medications: Vec::new(),
            medical_history: None,
            fitzpatrick_type,
        };
        if let Err(more) = fields.validate(today) {
            errors.extend(more);
        }
        if errors.is_empty() {
            Ok(fields)
        } else {
            Err(errors.into_iter().map(|e| e.at_line(line)).collect())
        }
    }
}

fn parse_fitzpatrick(v: &str) -> Option<i32> {
    let n = match v.to_ascii_uppercase().as_str() {
        "I" => 1,
        "II" => 2,
        "III" => 3,
        "IV" => 4,
        "V" => 5,
        "VI" => 6,
        other => other.parse().ok()?,
    };
    (1..=6).contains(&n).then_some(n)
}

/// The key two rows share when they are likely the same person.
pub fn identity_key(fields: &PatientFields) -> (String, String, NaiveDate) {
    (
        fold(&fields.given_name),
        fold(&fields.family_name),
        fields.date_of_birth,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn a_header_must_name_known_columns_once_and_the_required_ones() {
        assert!(Header::parse(["given_name", "family_name", "date_of_birth"]).is_ok());
        let errs = Header::parse(["given_name", "nickname", "given_name"]).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["nickname", "given_name", "family_name", "date_of_birth"]
        );
        assert!(errs.iter().all(|e| e.line == Some(1)));
        // A byte-order mark and case do not matter.
        assert!(Header::parse(["\u{feff}Given_Name", "FAMILY_NAME", "date_of_birth"]).is_ok());
    }

    #[test]
    fn a_row_becomes_fields_or_every_error_on_its_line() {
        let h = Header::parse([
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "fitzpatrick_type",
        ])
        .unwrap();
        let ok = h
            .row(
                2,
                &["Ada", " Lovelace ", "1980-05-17", "Female", "IV"],
                today(),
            )
            .unwrap();
        assert_eq!(ok.family_name, "Lovelace");
        assert_eq!(ok.fitzpatrick_type, Some(4));
        assert_eq!(ok.sex, Some(Sex::Female));
        let errs = h
            .row(7, &["", "Byron", "17/05/1980", "x", "9"], today())
            .unwrap_err();
        let mut fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            ["date_of_birth", "fitzpatrick_type", "given_name", "sex"]
        );
        assert!(errs.iter().all(|e| e.line == Some(7)));
        let future = h
            .row(3, &["A", "B", "2030-01-01", "", ""], today())
            .unwrap_err();
        assert_eq!(future[0].field, "date_of_birth");
    }

    #[test]
    fn likely_duplicates_share_folded_names_and_birth_date() {
        let h = Header::parse(["given_name", "family_name", "date_of_birth"]).unwrap();
        let a = h
            .row(2, &["ADA", "Lovelace", "1980-05-17"], today())
            .unwrap();
        let b = h
            .row(3, &[" ada", "lovelace ", "1980-05-17"], today())
            .unwrap();
        assert_eq!(identity_key(&a), identity_key(&b));
    }
}
