//! Fibonacci story points, the unit every estimate is given in.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The standard scale every project starts from.
pub const STANDARD_SCALE: [u8; 8] = [0, 1, 2, 3, 5, 8, 13, 21];
/// Values a project may add to its scale for very large epics.
pub const EXTENDED_VALUES: [u8; 3] = [34, 55, 89];

/// A story point value on the Fibonacci scale. Once constructed it is always valid;
/// "not estimated" is `Option::<StoryPoints>::None`, never a special number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "u8")]
pub struct StoryPoints(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointsError {
    #[error("{value} is not a story point value: use one of {scale}", value = .0, scale = list(&STANDARD_SCALE))]
    NotOnScale(i64),
    #[error("{value} is not a story point value: use one of {scale}, {extra}", value = .0, scale = list(&STANDARD_SCALE), extra = list(&EXTENDED_VALUES))]
    NotOnExtendedScale(i64),
}

fn list(values: &[u8]) -> String {
    values
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl StoryPoints {
    /// Accepts the standard scale 0, 1, 2, 3, 5, 8, 13, 21 and nothing else.
    pub fn parse(value: impl Into<i64>) -> Result<Self, PointsError> {
        let value = value.into();
        STANDARD_SCALE
            .iter()
            .find(|&&v| i64::from(v) == value)
            .map(|&v| StoryPoints(v))
            .ok_or(PointsError::NotOnScale(value))
    }

    /// Accepts the standard scale plus the large values 34, 55 and 89.
    pub fn parse_extended(value: impl Into<i64>) -> Result<Self, PointsError> {
        let value = value.into();
        STANDARD_SCALE
            .iter()
            .chain(EXTENDED_VALUES.iter())
            .find(|&&v| i64::from(v) == value)
            .map(|&v| StoryPoints(v))
            .ok_or(PointsError::NotOnExtendedScale(value))
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// An item this large that is not an epic should be broken down (DESIGN §1).
    pub fn suggests_splitting(self) -> bool {
        self.0 >= 13
    }
}

impl From<StoryPoints> for u8 {
    fn from(points: StoryPoints) -> u8 {
        points.0
    }
}

impl<'de> Deserialize<'de> for StoryPoints {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = i64::deserialize(deserializer)?;
        StoryPoints::parse_extended(raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for StoryPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_every_value_on_the_standard_scale() {
        for v in [0, 1, 2, 3, 5, 8, 13, 21] {
            assert_eq!(StoryPoints::parse(v).unwrap().value(), v);
        }
    }

    #[test]
    fn parse_rejects_every_other_value_with_a_clear_message() {
        let accepted: Vec<i64> = vec![0, 1, 2, 3, 5, 8, 13, 21];
        for v in -3i64..=100 {
            if accepted.contains(&v) {
                continue;
            }
            let err = StoryPoints::parse(v).unwrap_err();
            assert_eq!(err, PointsError::NotOnScale(v));
        }
        assert_eq!(
            StoryPoints::parse(4).unwrap_err().to_string(),
            "4 is not a story point value: use one of 0, 1, 2, 3, 5, 8, 13, 21"
        );
    }

    #[test]
    fn large_values_need_the_extended_scale() {
        assert!(StoryPoints::parse(34).is_err());
        for v in [34, 55, 89] {
            assert_eq!(StoryPoints::parse_extended(v).unwrap().value(), v);
        }
        assert!(StoryPoints::parse_extended(144).is_err());
    }

    #[test]
    fn items_of_13_or_more_suggest_splitting() {
        assert!(!StoryPoints::parse(8).unwrap().suggests_splitting());
        assert!(StoryPoints::parse(13).unwrap().suggests_splitting());
        assert!(StoryPoints::parse(21).unwrap().suggests_splitting());
    }

    #[test]
    fn deserializing_checks_the_scale() {
        let ok: StoryPoints = serde_json::from_str("5").unwrap();
        assert_eq!(ok.value(), 5);
        assert!(serde_json::from_str::<StoryPoints>("4").is_err());
        assert_eq!(serde_json::to_string(&ok).unwrap(), "5");
    }
}
