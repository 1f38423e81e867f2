//! Clinical photos as the clinic describes them: the kind of shot and the standard
//! view, and which shots a before/after comparison pairs (SPEC §3 "Photos").
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where in the treatment story a photo sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhotoKind {
    Before,
    After,
    FollowUp,
}

impl PhotoKind {
    pub const ALL: [PhotoKind; 3] = [PhotoKind::Before, PhotoKind::After, PhotoKind::FollowUp];

    pub fn as_str(self) -> &'static str {
        match self {
            PhotoKind::Before => "before",
            PhotoKind::After => "after",
            PhotoKind::FollowUp => "follow_up",
        }
    }

    pub fn parse(text: &str) -> Option<PhotoKind> {
        PhotoKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The kinds that may stand on the "after" side of a comparison.
    pub const AFTER_SIDE: [PhotoKind; 2] = [PhotoKind::After, PhotoKind::FollowUp];
}

/// The standard views of facial photography, so that shots compare like with like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhotoView {
    Frontal,
    #[serde(rename = "left_45")]
    Left45,
    #[serde(rename = "right_45")]
    Right45,
    LeftProfile,
    RightProfile,
}

impl PhotoView {
    pub const ALL: [PhotoView; 5] = [
        PhotoView::Frontal,
        PhotoView::Left45,
        PhotoView::Right45,
        PhotoView::LeftProfile,
        PhotoView::RightProfile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PhotoView::Frontal => "frontal",
            PhotoView::Left45 => "left_45",
            PhotoView::Right45 => "right_45",
            PhotoView::LeftProfile => "left_profile",
            PhotoView::RightProfile => "right_profile",
        }
    }

    pub fn parse(text: &str) -> Option<PhotoView> {
        PhotoView::ALL.into_iter().find(|v| v.as_str() == text)
    }
}

/// Why two photos cannot be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonProblem {
    DifferentViews,
    NotThisView,
    AfterPrecedesBefore,
}

/// Whole days from the "before" shot to the "after" shot. Two photos compare only
/// when they show the same view (the one asked for, if any) and the "after" shot
/// was not taken before the "before" shot.
pub fn comparison_interval(
    asked_view: Option<PhotoView>,
    before: (PhotoView, NaiveDateTime),
    after: (PhotoView, NaiveDateTime),
) -> Result<i64, ComparisonProblem> {
    if before.0 != after.0 {
        return Err(ComparisonProblem::DifferentViews);
    }
    if asked_view.is_some_and(|v| v != before.0) {
        return Err(ComparisonProblem::NotThisView);
    }
    if after.1 < before.1 {
        return Err(ComparisonProblem::AfterPrecedesBefore);
    }
    Ok((after.1 - before.1).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn views_and_kinds_round_trip_their_wire_names() {
        for v in PhotoView::ALL {
            assert_eq!(PhotoView::parse(v.as_str()), Some(v));
            assert_eq!(
                serde_json::to_value(v).unwrap(),
                serde_json::json!(v.as_str())
            );
        }
        for k in PhotoKind::ALL {
            assert_eq!(PhotoKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str())
            );
        }
        assert_eq!(PhotoView::parse("left45"), None);
    }

    #[test]
    fn a_comparison_needs_one_view_and_counts_whole_days_forward() {
        let before = (PhotoView::Frontal, at("2026-01-01 10:00"));
        let after = (PhotoView::Frontal, at("2026-02-12 09:00"));
        assert_eq!(comparison_interval(None, before, after), Ok(41));
        assert_eq!(
            comparison_interval(Some(PhotoView::Frontal), before, after),
            Ok(41)
        );
        assert_eq!(
            comparison_interval(Some(PhotoView::Left45), before, after),
            Err(ComparisonProblem::NotThisView)
        );
        assert_eq!(
            comparison_interval(None, before, (PhotoView::Left45, after.1)),
            Err(ComparisonProblem::DifferentViews)
        );
        assert_eq!(
            comparison_interval(None, after, before),
            Err(ComparisonProblem::AfterPrecedesBefore)
        );
    }
}
