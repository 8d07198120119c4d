//! Charts drawn on the server as plain SVG: the velocity chart (committed and completed
//! points per increment, with points per business day) and an increment's burndown.
//!
//! Everything is computed once from plain data, so the charts show without JavaScript. The
//! geometry lives in small pure functions (tested beside them); the components only lay the
//! computed numbers out. Each chart comes with a legend and a data table: the fallback for
//! screen readers, and where tests read the values.
//!
//! One module per chart (`velocity`, `burndown`); this one holds what they share: the
//! canvas, scales, axis ticks and number formatting.

mod burndown;
mod velocity;

pub use burndown::BurndownChart;
pub use velocity::VelocityChart;

use chrono::NaiveDate;
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
const VIEW_BOX: &str = "0 0 640 300";
const TABLE_CAPTION: &str = "The numbers behind the chart";
/// The role of the `<svg>`: "group", not "img", since it holds focusable parts (an `img`
/// hides its children from assistive technology).
const CHART_ROLE: &str = "group";
/// About this many ticks on each value axis.
const TICKS: usize = 5;
/// Axes never go below this many points, so small numbers don't get fractional ticks.
const MIN_POINTS_AXIS: f64 = 4.0;

/// Where the data is drawn inside the viewBox; the margins hold the axis labels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Plot {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl Plot {
    /// A scale from `0..=max` onto this plot's height, 0 at the bottom.
    fn y_scale(self, max: f64) -> Scale {
        Scale {
            max,
            from: self.bottom,
            to: self.top,
        }
    }
}

/// Maps `0..=max` linearly onto `from..=to` (viewBox units).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale {
    max: f64,
    from: f64,
    to: f64,
}

impl Scale {
    fn at(self, value: f64) -> f64 {
        if self.max <= 0.0 {
            return self.from;
        }
        self.from + value / self.max * (self.to - self.from)
    }
}

/// The smallest axis a chart draws: below it (a velocity of `1e-320`) the axis runs 0–1.
/// Ten to the power of the tick step's exponent must stay finite, which it does not
/// beyond about 1e308 or below 1e-308 (the axis then had infinitely many ticks).
const AXIS_MIN: f64 = 1e-3;
/// The largest axis a chart draws; anything higher is drawn off the top.
const AXIS_MAX: f64 = 1e12;
/// However odd the numbers, an axis never has more ticks than this.
const TICKS_MAX: usize = 50;

/// "Nice" axis ticks from 0 up to at least `max`, in steps of 1, 2, 2.5 or 5 times a power
/// of ten, about `target` of them (4 or 5 for a target of 5). A `max` that is not positive,
/// not finite or below [`AXIS_MIN`] counts as 1; one above [`AXIS_MAX`] as that.
pub fn nice_ticks(max: f64, target: usize) -> Vec<f64> {
    let max = if max.is_finite() && max >= AXIS_MIN {
        max.min(AXIS_MAX)
    } else {
        1.0
    };
    let target = target.clamp(2, TICKS_MAX);
    let raw = max / target.saturating_sub(1).max(1) as f64;
    let exponent = raw.log10().floor() as i32;
    let magnitude = 10f64.powi(exponent.abs());
    let norm = if exponent >= 0 {
        raw / magnitude
    } else {
        raw * magnitude
    };
    let nice = [1.0, 2.0, 2.5, 5.0]
        .into_iter()
        .find(|&step| norm <= step + 1e-9)
        .unwrap_or(10.0);
    // i × nice is exact, and one multiplication or division by a power of ten keeps 0.3 as 0.3.
    let tick = |i: usize| {
        let units = i as f64 * nice;
        if exponent >= 0 {
            units * magnitude
        } else {
            units / magnitude
        }
    };
    let count = (max / tick(1) - 1e-9).ceil().clamp(1.0, TICKS_MAX as f64) as usize;
    (0..=count).map(tick).collect()
}

/// The top of an axis: its last tick.
fn top_tick(ticks: &[f64]) -> f64 {
    ticks.last().copied().unwrap_or(1.0)
}

/// A tick label: whole numbers without decimals, others with up to two.
fn tick_label(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{}", value.round() as i64)
    } else {
        crate::words::decimal(value, 2)
            .trim_end_matches('0')
            .to_owned()
    }
}

/// A coordinate or length in the SVG, with one decimal.
fn px(value: f64) -> String {
    crate::words::decimal(value, 1)
}

/// An SVG `points` attribute: "x,y x,y …" with one decimal.
fn points_attr(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(x, y)| {
            format!(
                "{},{}",
                crate::words::decimal(*x, 1),
                crate::words::decimal(*y, 1)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "Jan 7".
fn short_date(date: NaiveDate) -> String {
    date.format("%b %-d").to_string()
}

/// The horizontal gridlines and tick labels of a value axis on the left.
fn value_axis(ticks: &[f64], scale: Scale, plot: Plot) -> impl IntoView {
    let rows = ticks
        .iter()
        .map(|&tick| {
            let y = px(scale.at(tick));
            let label_x = px(plot.left - 6.0);
            view! {
                <line class="grid" x1=px(plot.left) x2=px(plot.right) y1=y.clone() y2=y.clone()/>
                <text class="tick-label" x=label_x y=y dy="0.32em" text-anchor="end">{tick_label(tick)}</text>
            }
        })
        .collect_view();
    view! { <g class="axis y-axis" aria-hidden="true">{rows}</g> }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A day of 2025.
    pub(super) fn date(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, month, day).unwrap()
    }

    /// A plot filling a 400 × 100 viewBox, for round numbers.
    pub(super) const SQUARE: Plot = Plot {
        left: 0.0,
        right: 400.0,
        top: 0.0,
        bottom: 100.0,
    };

    #[test]
    fn ticks_are_round_steps_covering_the_maximum() {
        assert_eq!(nice_ticks(40.0, 5), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(nice_ticks(36.0, 5), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(nice_ticks(41.0, 5), vec![0.0, 20.0, 40.0, 60.0]);
        assert_eq!(nice_ticks(3.6, 5), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(nice_ticks(1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(nice_ticks(1.2, 5), vec![0.0, 0.5, 1.0, 1.5]);
        assert_eq!(nice_ticks(0.0, 5), nice_ticks(1.0, 5));
        assert_eq!(nice_ticks(f64::NAN, 5), nice_ticks(1.0, 5));
    }

    /// An imported velocity of 1e-320 made the velocity page panic: ten to the power 321 is
    /// infinite, the step became 0 and the axis asked for usize::MAX ticks.
    #[test]
    fn odd_numbers_give_a_short_finite_axis() {
        for max in [
            1e-320,
            f64::MIN_POSITIVE,
            5e-324,
            1e-9,
            1e300,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1.0,
        ] {
            for target in [0, 1, 5, usize::MAX] {
                let ticks = nice_ticks(max, target);
                assert!(
                    (2..=TICKS_MAX + 1).contains(&ticks.len()),
                    "{max} {target}: {ticks:?}"
                );
                assert!(ticks.iter().all(|t| t.is_finite()), "{max}: {ticks:?}");
            }
        }
        assert_eq!(nice_ticks(1e-320, 5), nice_ticks(1.0, 5));
    }

    #[test]
    fn there_are_four_to_six_ticks_and_the_last_covers_the_maximum() {
        for max in [
            0.3, 0.9, 1.7, 2.2, 4.0, 7.0, 13.0, 18.3, 25.0, 51.0, 99.0, 140.0, 1234.0,
        ] {
            let ticks = nice_ticks(max, 5);
            assert!((4..=6).contains(&ticks.len()), "{max}: {ticks:?}");
            assert_eq!(ticks[0], 0.0);
            assert!(top_tick(&ticks) >= max, "{max}: {ticks:?}");
        }
    }

    #[test]
    fn tick_labels_drop_needless_decimals() {
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(20.0), "20");
        assert_eq!(tick_label(0.5), "0.5");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(
            nice_ticks(0.4, 5)
                .iter()
                .map(|&t| tick_label(t))
                .collect::<Vec<_>>(),
            ["0", "0.1", "0.2", "0.3", "0.4"]
        );
    }

    #[test]
    fn scales_put_zero_at_the_bottom_and_the_maximum_at_the_top() {
        let scale = SQUARE.y_scale(40.0);
        assert_eq!(scale.at(0.0), 100.0);
        assert_eq!(scale.at(40.0), 0.0);
        assert_eq!(scale.at(10.0), 75.0);
        assert_eq!(SQUARE.y_scale(0.0).at(5.0), 100.0);
    }

    #[test]
    fn points_are_written_with_one_decimal() {
        assert_eq!(
            points_attr(&[(1.0, 2.0), (10.26, 0.04)]),
            "1.0,2.0 10.3,0.0"
        );
        assert_eq!(points_attr(&[]), "");
    }
}
