//! The project's effort chart: which story point values are on its scale, and the name the
//! team gives each (t-shirt sizes by default, the article's dog breeds, or their own).

use super::points::{PointsError, StoryPoints};
use serde::{Deserialize, Serialize};

pub const LABEL_MAX_CHARS: usize = 30;
/// A chart holds each story point value at most once: this many at most.
pub const MAX_VALUES: usize =
    super::points::STANDARD_SCALE.len() + super::points::EXTENDED_VALUES.len();

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartEntry {
    pub points: StoryPoints,
    pub label: String,
}

/// A valid chart: at least two values, each a Fibonacci value (0–89), ascending and unique,
/// each with a non-empty label unique within the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffortChart {
    entries: Vec<ChartEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    TShirt,
    DogBreeds,
}

impl Preset {
    pub const ALL: [Preset; 2] = [Preset::TShirt, Preset::DogBreeds];

    pub fn name(self) -> &'static str {
        match self {
            Preset::TShirt => "T-shirt sizes",
            Preset::DogBreeds => "Dog breeds",
        }
    }

    fn labels(self) -> [(u8, &'static str); 7] {
        match self {
            Preset::TShirt => [
                (1, "XS"),
                (2, "SM"),
                (3, "MED"),
                (5, "LG"),
                (8, "XL"),
                (13, "XXL"),
                (21, "XXXL"),
            ],
            Preset::DogBreeds => [
                (1, "Chihuahua"),
                (2, "Dachshund"),
                (3, "Schnauzer"),
                (5, "Labrador"),
                (8, "Pitbull"),
                (13, "Rottweiler"),
                (21, "Great Dane"),
            ],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EffortChartError {
    #[error("an effort chart needs at least two values")]
    TooFew,
    #[error(
        "an effort chart has at most {MAX_VALUES} values (each story point value once), not {0}"
    )]
    TooMany(usize),
    #[error("{0}")]
    NotFibonacci(PointsError),
    #[error("{0} appears twice on the chart")]
    DuplicateValue(u8),
    #[error("the value {0} needs a label")]
    EmptyLabel(u8),
    #[error("the label of {0} can be at most {LABEL_MAX_CHARS} characters")]
    LabelTooLong(u8),
    #[error("the label {} is used twice", crate::domain::Quoted(.0))]
    DuplicateLabel(String),
}

/// An estimate that is not on the project's chart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value} is not on this project's effort chart: use one of {choices}")]
pub struct NotOnChart {
    pub value: i64,
    pub choices: String,
}

impl EffortChart {
    pub fn preset(preset: Preset) -> EffortChart {
        let entries = preset
            .labels()
            .iter()
            .map(|&(v, label)| ChartEntry {
                points: StoryPoints::parse(v).expect("preset values are on the standard scale"),
                label: label.to_owned(),
            })
            .collect();
        EffortChart { entries }
    }

    /// Builds a chart from (value, label) pairs in any order; labels are trimmed.
    pub fn parse(pairs: &[(i64, String)]) -> Result<EffortChart, EffortChartError> {
        if pairs.len() < 2 {
            return Err(EffortChartError::TooFew);
        }
        if pairs.len() > MAX_VALUES {
            return Err(EffortChartError::TooMany(pairs.len()));
        }
        let mut entries = Vec::with_capacity(pairs.len());
        for (value, label) in pairs {
            let points =
                StoryPoints::parse_extended(*value).map_err(EffortChartError::NotFibonacci)?;
            let label = label.trim();
            if label.is_empty() {
                return Err(EffortChartError::EmptyLabel(points.value()));
            }
            if label.chars().count() > LABEL_MAX_CHARS {
                return Err(EffortChartError::LabelTooLong(points.value()));
            }
            entries.push(ChartEntry {
                points,
                label: label.to_owned(),
            });
        }
        entries.sort_by_key(|e| e.points);
        for pair in entries.windows(2) {
            if pair[0].points == pair[1].points {
                return Err(EffortChartError::DuplicateValue(pair[0].points.value()));
            }
        }
        let mut labels = std::collections::HashSet::with_capacity(entries.len());
        for entry in &entries {
            if !labels.insert(entry.label.to_lowercase()) {
                return Err(EffortChartError::DuplicateLabel(entry.label.clone()));
            }
        }
        Ok(EffortChart { entries })
    }

    pub fn entries(&self) -> &[ChartEntry] {
        &self.entries
    }

    /// Accepts an estimate only if it is on this chart.
    pub fn estimate(&self, value: i64) -> Result<StoryPoints, NotOnChart> {
        self.entries
            .iter()
            .find(|e| i64::from(e.points.value()) == value)
            .map(|e| e.points)
            .ok_or_else(|| NotOnChart {
                value,
                choices: self
                    .entries
                    .iter()
                    .map(|e| format!("{} ({})", e.points, e.label))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    pub fn label(&self, points: StoryPoints) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.points == points)
            .map(|e| e.label.as_str())
    }

    /// How an estimate is shown: "5 · LG". A value no longer on the chart shows its number.
    pub fn display(&self, points: StoryPoints) -> String {
        match self.label(points) {
            Some(label) => format!("{points} · {label}"),
            None => points.to_string(),
        }
    }
}

impl Default for EffortChart {
    fn default() -> Self {
        EffortChart::preset(Preset::TShirt)
    }
}

impl<'de> Deserialize<'de> for EffortChart {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            entries: Vec<RawEntry>,
        }
        #[derive(Deserialize)]
        struct RawEntry {
            points: i64,
            label: String,
        }
        let raw = Raw::deserialize(deserializer)?;
        let pairs: Vec<(i64, String)> = raw
            .entries
            .into_iter()
            .map(|e| (e.points, e.label))
            .collect();
        EffortChart::parse(&pairs).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(i64, &str)]) -> Vec<(i64, String)> {
        list.iter().map(|&(v, l)| (v, l.to_owned())).collect()
    }

    #[test]
    fn the_default_chart_is_tshirt_sizes() {
        let chart = EffortChart::default();
        let shown: Vec<String> = chart
            .entries()
            .iter()
            .map(|e| chart.display(e.points))
            .collect();
        assert_eq!(
            shown,
            [
                "1 · XS",
                "2 · SM",
                "3 · MED",
                "5 · LG",
                "8 · XL",
                "13 · XXL",
                "21 · XXXL"
            ]
        );
    }

    #[test]
    fn the_dog_breed_preset_is_the_articles() {
        let chart = EffortChart::preset(Preset::DogBreeds);
        let five = StoryPoints::parse(5).unwrap();
        assert_eq!(chart.display(five), "5 · Labrador");
        assert_eq!(
            chart.label(StoryPoints::parse(21).unwrap()),
            Some("Great Dane")
        );
    }

    #[test]
    fn estimates_must_be_on_the_chart() {
        let chart = EffortChart::default();
        assert_eq!(chart.estimate(8).unwrap().value(), 8);
        let err = chart.estimate(0).unwrap_err();
        assert_eq!(err.value, 0);
        assert!(err
            .to_string()
            .starts_with("0 is not on this project's effort chart: use one of 1 (XS), 2 (SM)"));
        assert!(chart.estimate(4).is_err());
    }

    #[test]
    fn custom_charts_are_sorted_and_may_include_zero_and_large_values() {
        let chart = EffortChart::parse(&pairs(&[
            (34, "Huge"),
            (0, " Trivial "),
            (3, "Medium"),
            (89, "Epic"),
        ]))
        .unwrap();
        let values: Vec<u8> = chart.entries().iter().map(|e| e.points.value()).collect();
        assert_eq!(values, [0, 3, 34, 89]);
        assert_eq!(chart.label(StoryPoints::parse(0).unwrap()), Some("Trivial"));
    }

    #[test]
    fn invalid_charts_are_refused_with_the_reason() {
        assert_eq!(
            EffortChart::parse(&pairs(&[(1, "S")])),
            Err(EffortChartError::TooFew)
        );
        assert!(matches!(
            EffortChart::parse(&pairs(&[(1, "S"), (4, "M")])),
            Err(EffortChartError::NotFibonacci(_))
        ));
        assert_eq!(
            EffortChart::parse(&pairs(&[(2, "S"), (2, "M")])),
            Err(EffortChartError::DuplicateValue(2))
        );
        assert_eq!(
            EffortChart::parse(&pairs(&[(1, "S"), (2, "  ")])),
            Err(EffortChartError::EmptyLabel(2))
        );
        assert_eq!(
            EffortChart::parse(&pairs(&[(1, "Small"), (2, "small")])),
            Err(EffortChartError::DuplicateLabel("small".into()))
        );
        let long = "x".repeat(31);
        assert_eq!(
            EffortChart::parse(&[(1, "S".into()), (2, long)]),
            Err(EffortChartError::LabelTooLong(2))
        );
    }

    #[test]
    fn charts_round_trip_through_json_and_bad_json_is_refused() {
        let chart = EffortChart::preset(Preset::DogBreeds);
        let json = serde_json::to_string(&chart).unwrap();
        assert_eq!(serde_json::from_str::<EffortChart>(&json).unwrap(), chart);
        let bad = r#"{"entries":[{"points":1,"label":"a"},{"points":6,"label":"b"}]}"#;
        assert!(serde_json::from_str::<EffortChart>(bad).is_err());
    }
}
