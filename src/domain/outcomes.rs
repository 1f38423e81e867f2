//! Skin measurements and the clinic's own evidence table: change from baseline at
//! each follow-up offset, across patients (SPEC §6 "Outcome units").
use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    SkinMoisture,
    Firmness,
    Elasticity,
    WrinkleSeverity,
    Pigmentation,
    Gais,
    Satisfaction,
}

impl Metric {
    pub const ALL: [Metric; 7] = [
        Metric::SkinMoisture,
        Metric::Firmness,
        Metric::Elasticity,
        Metric::WrinkleSeverity,
        Metric::Pigmentation,
        Metric::Gais,
        Metric::Satisfaction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::SkinMoisture => "skin_moisture",
            Metric::Firmness => "firmness",
            Metric::Elasticity => "elasticity",
            Metric::WrinkleSeverity => "wrinkle_severity",
            Metric::Pigmentation => "pigmentation",
            Metric::Gais => "gais",
            Metric::Satisfaction => "satisfaction",
        }
    }

    pub fn parse(text: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// The one UCUM unit each metric is recorded in.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::SkinMoisture | Metric::Pigmentation => "[arb'U]",
            Metric::Firmness => "mm",
            Metric::Elasticity => "1",
            Metric::WrinkleSeverity | Metric::Gais | Metric::Satisfaction => "{score}",
        }
    }

    /// The values a metric can take.
    pub fn range(self) -> (f64, f64) {
        match self {
            Metric::WrinkleSeverity => (1.0, 5.0),
            Metric::Gais => (-1.0, 3.0),
            Metric::Satisfaction => (0.0, 10.0),
            Metric::Elasticity => (0.0, 1.0),
            Metric::Firmness => (0.0, 10.0),
            Metric::SkinMoisture | Metric::Pigmentation => (0.0, 1000.0),
        }
    }

    /// Scores judged after treatment (GAIS, satisfaction) are reported raw, not as a change.
    pub fn reported_raw(self) -> bool {
        matches!(self, Metric::Gais | Metric::Satisfaction)
    }
}

/// One measurement as the aggregation sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub at: NaiveDateTime,
    pub value: f64,
    /// The follow-up offset (days) of the appointment it was taken at, if any.
    pub follow_up_offset: Option<i32>,
}

/// One signed procedure and the patient's readings of the metric.
#[derive(Debug, Clone)]
pub struct Series {
    pub performed_at: NaiveDateTime,
    pub readings: Vec<Reading>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OffsetStats {
    pub offset_days: i32,
    pub n: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OutcomeTable {
    pub offsets: Vec<OffsetStats>,
    /// Series without a baseline (no reading in the 90 days before the procedure).
    pub excluded: usize,
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 0 {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

/// The baseline of a series: the last reading within 90 days before the procedure.
pub fn baseline(series: &Series) -> Option<f64> {
    series
        .readings
        .iter()
        .filter(|r| r.at < series.performed_at && r.at >= series.performed_at - Duration::days(90))
        .max_by_key(|r| r.at)
        .map(|r| r.value)
}

/// The reading that belongs to offset `d`: taken at that follow-up, else the one
/// closest to `performed_at + d` within ±7 days.
pub fn reading_at_offset(series: &Series, d: i32) -> Option<f64> {
    if let Some(r) = series
        .readings
        .iter()
        .find(|r| r.follow_up_offset == Some(d))
    {
        return Some(r.value);
    }
    let target = series.performed_at + Duration::days(i64::from(d));
    series
        .readings
        .iter()
        .filter(|r| {
            r.follow_up_offset.is_none() && (r.at - target).num_seconds().abs() <= 7 * 86_400
        })
        .min_by_key(|r| (r.at - target).num_seconds().abs())
        .map(|r| r.value)
}

/// The evidence table for one metric over many procedures.
pub fn outcome_table(metric: Metric, offsets: &[i32], series: &[Series]) -> OutcomeTable {
    let mut excluded = 0;
    let mut per_offset: Vec<Vec<f64>> = vec![Vec::new(); offsets.len()];
    for s in series {
        let base = baseline(s);
        if base.is_none() && !metric.reported_raw() {
            excluded += 1;
            continue;
        }
        for (i, d) in offsets.iter().enumerate() {
            if let Some(v) = reading_at_offset(s, *d) {
                per_offset[i].push(match (metric.reported_raw(), base) {
                    (true, _) => v,
                    (false, Some(b)) => v - b,
                    (false, None) => continue,
                });
            }
        }
    }
    OutcomeTable {
        offsets: offsets
            .iter()
            .zip(per_offset)
            .map(|(d, mut values)| OffsetStats {
                offset_days: *d,
                n: values.len(),
                mean: (!values.is_empty())
                    .then(|| values.iter().sum::<f64>() / values.len() as f64),
                median: median(&mut values),
            })
            .collect(),
        excluded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i64) -> NaiveDateTime {
        NaiveDateTime::parse_from_str("2026-01-01 10:00", "%Y-%m-%d %H:%M").unwrap()
            + Duration::days(day)
    }

    fn r(day: i64, value: f64) -> Reading {
        Reading {
            at: at(day),
            value,
            follow_up_offset: None,
        }
    }

    #[test]
    fn change_from_baseline_has_known_mean_and_median() {
        // Three patients treated on day 100; moisture baseline then follow-ups at 14 and 42.
        let series = vec![
            Series {
                performed_at: at(100),
                readings: vec![r(10, 30.0), r(95, 40.0), r(114, 46.0), r(142, 50.0)],
            },
            Series {
                performed_at: at(100),
                readings: vec![r(99, 20.0), r(113, 30.0), r(145, 26.0)],
            },
            Series {
                performed_at: at(100),
                readings: vec![
                    r(90, 50.0),
                    Reading {
                        at: at(120),
                        value: 52.0,
                        follow_up_offset: Some(14),
                    },
                ],
            },
            // No baseline within 90 days: excluded.
            Series {
                performed_at: at(100),
                readings: vec![r(5, 10.0), r(114, 12.0)],
            },
        ];
        let t = outcome_table(Metric::SkinMoisture, &[14, 42], &series);
        assert_eq!(t.excluded, 1);
        // Changes at 14: +6, +10, +2 (the third via its follow-up appointment).
        assert_eq!(
            t.offsets[0],
            OffsetStats {
                offset_days: 14,
                n: 3,
                mean: Some(6.0),
                median: Some(6.0)
            }
        );
        // Changes at 42: +10, +6 (the third has none).
        assert_eq!(
            t.offsets[1],
            OffsetStats {
                offset_days: 42,
                n: 2,
                mean: Some(8.0),
                median: Some(8.0)
            }
        );
    }

    #[test]
    fn satisfaction_is_reported_raw() {
        let series = vec![Series {
            performed_at: at(100),
            readings: vec![r(114, 8.0)],
        }];
        let t = outcome_table(Metric::Satisfaction, &[14], &series);
        assert_eq!(t.excluded, 0);
        assert_eq!(t.offsets[0].mean, Some(8.0));
    }

    #[test]
    fn each_metric_has_its_unit() {
        assert_eq!(Metric::SkinMoisture.unit(), "[arb'U]");
        assert_eq!(Metric::Firmness.unit(), "mm");
        assert_eq!(Metric::Gais.range(), (-1.0, 3.0));
    }
}
