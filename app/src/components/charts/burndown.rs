//! An increment's burndown: remaining points per business day against the ideal line,
//! with the scope as a step line.

use super::{
    nice_ticks, points_attr, px, short_date, top_tick, value_axis, Plot, Scale, CHART_ROLE, HEIGHT,
    MIN_POINTS_AXIS, TABLE_CAPTION, TICKS, VIEW_BOX, WIDTH,
};
use crate::domain::burndown::{BurnDay, Report};
use chrono::NaiveDate;
use leptos::prelude::*;

const BURNDOWN_TITLE: &str = "Burndown: remaining points per business day";

const BURNDOWN_PLOT: Plot = Plot {
    left: 48.0,
    right: WIDTH - 24.0,
    top: 20.0,
    bottom: HEIGHT - 40.0,
};

/// Index positions of a burndown: 0 is the start (before the first business day), `i + 1`
/// the end of business day `i`; the last business day sits at the plot's right edge.
#[derive(Debug, Clone, Copy, PartialEq)]
struct DayFrame {
    days: usize,
    plot: Plot,
    scale: Scale,
}

impl DayFrame {
    fn x(self, position: usize) -> f64 {
        self.plot.left
            + position as f64 * (self.plot.right - self.plot.left) / self.days.max(1) as f64
    }

    /// An SVG `points` attribute for (position, value) pairs.
    fn points(self, line: &[(usize, f64)]) -> String {
        let pixels: Vec<(f64, f64)> = line
            .iter()
            .map(|&(k, v)| (self.x(k), self.scale.at(v)))
            .collect();
        points_attr(&pixels)
    }
}

/// The ideal burndown over all `days` business days: committed at the start, then
/// committed × (n − i − 1) / n after day i, reaching 0 on the last day.
fn ideal_line(committed: u32, days: usize) -> Vec<(usize, f64)> {
    let total = f64::from(committed);
    let n = days.max(1) as f64;
    std::iter::once((0, total))
        .chain((0..days).map(|i| (i + 1, total * (n - i as f64 - 1.0) / n)))
        .collect()
}

/// Remaining points: committed at the start, then each reported day's remaining.
fn remaining_line(committed: u32, days: &[BurnDay]) -> Vec<(usize, f64)> {
    std::iter::once((0, f64::from(committed)))
        .chain(
            days.iter()
                .enumerate()
                .map(|(i, d)| (i + 1, f64::from(d.remaining))),
        )
        .collect()
}

/// Scope as a step line: committed at the start, each day's scope from that day's point on.
fn scope_steps(committed: u32, days: &[BurnDay]) -> Vec<(usize, f64)> {
    let mut steps = vec![(0, f64::from(committed))];
    let mut previous = committed;
    for (i, day) in days.iter().enumerate() {
        steps.push((i + 1, f64::from(previous)));
        if day.scope != previous {
            steps.push((i + 1, f64::from(day.scope)));
        }
        previous = day.scope;
    }
    steps
}

/// The top of the burndown's axis: the committed points or the largest scope or remaining.
fn burndown_max(committed: u32, days: &[BurnDay]) -> f64 {
    let largest = days
        .iter()
        .map(|d| d.scope.max(d.remaining))
        .fold(committed, u32::max);
    f64::from(largest).max(MIN_POINTS_AXIS)
}

/// Label every k-th business day so that more than 12 days get at most 10 labels.
fn label_every(days: usize) -> usize {
    if days <= 12 {
        1
    } else {
        days.div_ceil(10)
    }
}

/// An upward triangle centred on (x, y), marking added scope.
fn triangle(x: f64, y: f64) -> String {
    points_attr(&[(x, y - 6.0), (x - 5.0, y + 4.0), (x + 5.0, y + 4.0)])
}

/// An increment's burndown: remaining points per business day against the ideal line, with
/// the scope as a step line. The x axis spans every business day, even before they pass.
#[component]
pub fn BurndownChart(report: Report, business_days: Vec<NaiveDate>) -> impl IntoView {
    let n = business_days.len();
    if n == 0 {
        return view! { <p class="empty">"This increment has no business days."</p> }.into_any();
    }
    let plot = BURNDOWN_PLOT;
    let reported = &report.days[..report.days.len().min(n)];
    let ticks = nice_ticks(burndown_max(report.committed, reported), TICKS);
    let frame = DayFrame {
        days: n,
        plot,
        scale: plot.y_scale(top_tick(&ticks)),
    };
    let ideal = frame.points(&ideal_line(report.committed, n));
    let remaining = frame.points(&remaining_line(report.committed, reported));
    let scope = frame.points(&scope_steps(report.committed, reported));

    let description = match reported.last() {
        Some(last) => format!(
            "{} committed over {}; {} remaining after {}.",
            crate::words::count(report.committed, "point", "points"),
            crate::words::count(n, "business day", "business days"),
            last.remaining,
            if reported.len() == 1 {
                "the first".to_owned()
            } else {
                format!("{} of them", reported.len())
            }
        ),
        None => format!(
            "{} committed over {}; no day has passed yet.",
            crate::words::count(report.committed, "point", "points"),
            crate::words::count(n, "business day", "business days")
        ),
    };
    let y_axis = value_axis(&ticks, frame.scale, plot);
    let (mark_top, mark_bottom) = (px(plot.bottom), px(plot.bottom + 4.0));
    let tick_marks = (1..=n)
        .map(|k| {
            let x = px(frame.x(k));
            view! { <line class="tick-mark" x1=x.clone() x2=x y1=mark_top.clone() y2=mark_bottom.clone()/> }
        })
        .collect_view();
    let label_y = px(plot.bottom + 16.0);
    let day_labels = business_days
        .iter()
        .enumerate()
        .step_by(label_every(n))
        .map(|(i, &day)| {
            let x = px(frame.x(i + 1));
            view! { <text class="tick-label" x=x y=label_y.clone() text-anchor="middle">{short_date(day)}</text> }
        })
        .collect_view();
    let dots = reported
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let text = format!("{}: {} remaining, scope {}", short_date(d.date), crate::words::count(d.remaining, "point", "points"), d.scope);
            let (cx, cy) = (px(frame.x(i + 1)), px(frame.scale.at(f64::from(d.remaining))));
            view! { <circle class="dot remaining" tabindex="0" cx=cx cy=cy r="3.5"><title>{text}</title></circle> }
        })
        .collect_view();
    let scope_marks = reported
        .iter()
        .enumerate()
        .filter(|(_, d)| d.scope_added > 0)
        .map(|(i, d)| {
            let text = format!("+{} of scope on {}", crate::words::count(d.scope_added, "point", "points"), short_date(d.date));
            let points = triangle(frame.x(i + 1), frame.scale.at(f64::from(d.scope)));
            view! { <polygon class="scope-added" tabindex="0" points=points><title>{text}</title></polygon> }
        })
        .collect_view();
    let rows = report
        .days
        .iter()
        .map(|d| {
            view! {
                <tr>
                    <th scope="row">{short_date(d.date)}</th>
                    <td>{d.remaining}</td>
                    <td>{d.done}</td>
                    <td>{d.scope}</td>
                    <td>{d.scope_added}</td>
                    <td>{crate::words::decimal(d.ideal, 1)}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <div class="chart-block">
            <svg class="chart burndown-chart" viewBox=VIEW_BOX role=CHART_ROLE
                aria-labelledby="burndown-chart-title" aria-describedby="burndown-chart-desc">
                <title id="burndown-chart-title">{BURNDOWN_TITLE}</title>
                <desc id="burndown-chart-desc">{description}</desc>
                {y_axis}
                <g class="axis x-axis" aria-hidden="true">
                    <line class="axis-line" x1=px(plot.left) x2=px(plot.right) y1=px(plot.bottom) y2=px(plot.bottom)/>
                    {tick_marks}
                    {day_labels}
                </g>
                <polyline class="line ideal" points=ideal fill="none" stroke-dasharray="6 4" aria-hidden="true"/>
                <polyline class="line scope" points=scope fill="none" aria-hidden="true"/>
                <polyline class="line remaining" points=remaining fill="none" aria-hidden="true"/>
                <g class="dots">{dots}</g>
                <g class="scope-marks">{scope_marks}</g>
            </svg>
            <ul class="legend">
                <li><span class="swatch remaining" aria-hidden="true"></span>"Remaining points"</li>
                <li><span class="swatch ideal" aria-hidden="true"></span>"Ideal burndown"</li>
                <li><span class="swatch scope" aria-hidden="true"></span>"Scope"</li>
                <li><span class="swatch scope-added" aria-hidden="true"></span>"Scope added"</li>
            </ul>
            <table class="table chart-data">
                <caption>{TABLE_CAPTION}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Remaining"</th>
                        <th scope="col">"Done"</th>
                        <th scope="col">"Scope"</th>
                        <th scope="col">"Scope added"</th>
                        <th scope="col">"Ideal"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{date, SQUARE};
    use super::*;

    fn burn_day(day: u32, remaining: u32, scope: u32, scope_added: u32) -> BurnDay {
        BurnDay {
            date: date(1, day),
            remaining,
            scope,
            done: scope - remaining,
            ideal: 0.0,
            scope_added,
        }
    }

    #[test]
    fn scope_added_is_marked_by_a_triangle() {
        assert_eq!(triangle(10.0, 20.0), "10.0,14.0 5.0,24.0 15.0,24.0");
    }

    #[test]
    fn the_ideal_line_spans_every_business_day() {
        assert_eq!(
            ideal_line(20, 4),
            vec![(0, 20.0), (1, 15.0), (2, 10.0), (3, 5.0), (4, 0.0)]
        );
        let frame = DayFrame {
            days: 4,
            plot: SQUARE,
            scale: SQUARE.y_scale(20.0),
        };
        assert_eq!(
            frame.points(&ideal_line(20, 4)),
            "0.0,0.0 100.0,25.0 200.0,50.0 300.0,75.0 400.0,100.0"
        );
    }

    #[test]
    fn remaining_and_scope_follow_the_reported_days() {
        let days = [
            burn_day(6, 10, 10, 0),
            burn_day(7, 12, 15, 5),
            burn_day(8, 6, 15, 0),
        ];
        assert_eq!(
            remaining_line(10, &days),
            vec![(0, 10.0), (1, 10.0), (2, 12.0), (3, 6.0)]
        );
        assert_eq!(
            scope_steps(10, &days),
            vec![(0, 10.0), (1, 10.0), (2, 10.0), (2, 15.0), (3, 15.0)]
        );
        assert_eq!(burndown_max(10, &days), 15.0);
        assert_eq!(burndown_max(2, &[]), MIN_POINTS_AXIS);
        let frame = DayFrame {
            days: 10,
            plot: SQUARE,
            scale: SQUARE.y_scale(20.0),
        };
        assert_eq!(
            frame.points(&remaining_line(10, &days)),
            "0.0,50.0 40.0,50.0 80.0,40.0 120.0,70.0"
        );
    }

    #[test]
    fn day_labels_are_thinned_out_to_at_most_ten() {
        assert_eq!(label_every(1), 1);
        assert_eq!(label_every(12), 1);
        assert_eq!(label_every(13), 2);
        assert_eq!(label_every(20), 2);
        assert_eq!(label_every(21), 3);
        for days in 13..=70 {
            let labels = (0..days).step_by(label_every(days)).count();
            assert!((5..=10).contains(&labels), "{days} days: {labels} labels");
        }
    }
}
