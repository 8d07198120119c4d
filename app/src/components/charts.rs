//! Charts drawn on the server as plain SVG: the velocity chart (committed and completed
//! points per increment, with points per business day) and an increment's burndown.
//!
//! Everything is computed once from plain data, so the charts show without JavaScript. The
//! geometry lives in small pure functions (tested below); the components only lay the
//! computed numbers out. Each chart comes with a legend and a data table: the fallback for
//! screen readers, and where tests read the values.

use crate::domain::burndown::{BurnDay, Report};
use crate::domain::sprint::TeamVelocity;
use crate::model::sprints::{VelocityPoint, VelocityReport};
use chrono::NaiveDate;
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
const VIEW_BOX: &str = "0 0 640 300";
const TABLE_CAPTION: &str = "The numbers behind the chart";
const VELOCITY_TITLE: &str =
    "Velocity: committed and completed points per increment, and points per business day";
const BURNDOWN_TITLE: &str = "Burndown: remaining points per business day";
/// The role of the `<svg>`: "group", not "img", since it holds focusable parts (an `img`
/// hides its children from assistive technology).
const CHART_ROLE: &str = "group";
/// Longer increment labels are cut to this many characters, "…" included.
const LABEL_MAX_CHARS: usize = 14;
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

const VELOCITY_PLOT: Plot = Plot {
    left: 48.0,
    right: WIDTH - 56.0,
    top: 28.0,
    bottom: HEIGHT - 40.0,
};
const BURNDOWN_PLOT: Plot = Plot {
    left: 48.0,
    right: WIDTH - 24.0,
    top: 20.0,
    bottom: HEIGHT - 40.0,
};

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

/// "Nice" axis ticks from 0 up to at least `max`, in steps of 1, 2, 2.5 or 5 times a power
/// of ten, about `target` of them (4 or 5 for a target of 5). A `max` that is not positive
/// counts as 1.
pub fn nice_ticks(max: f64, target: usize) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
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
    let count = (max / tick(1) - 1e-9).ceil().max(1.0) as usize;
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
        format!("{value:.2}").trim_end_matches('0').to_owned()
    }
}

/// A coordinate or length in the SVG, with one decimal.
fn px(value: f64) -> String {
    format!("{value:.1}")
}

/// An SVG `points` attribute: "x,y x,y …" with one decimal.
fn points_attr(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value with one decimal, or "—" when there is none.
fn one_decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
}

/// "Jan 7".
fn short_date(date: NaiveDate) -> String {
    date.format("%b %-d").to_string()
}

/// "Jan 5 – Jan 18".
fn date_range(start: NaiveDate, end: NaiveDate) -> String {
    format!("{} – {}", short_date(start), short_date(end))
}

/// The label cut to [`LABEL_MAX_CHARS`] characters, ending in "…" when cut.
fn short_label(label: &str) -> String {
    if label.chars().count() <= LABEL_MAX_CHARS {
        return label.to_owned();
    }
    let kept: String = label.chars().take(LABEL_MAX_CHARS - 1).collect();
    format!("{kept}…")
}

/// "Q1 · 2: committed 40, completed 36, 3.6 points per day".
fn increment_summary(point: &VelocityPoint) -> String {
    let per_day = point
        .velocity
        .map(|v| format!(", {v:.1} points per day"))
        .unwrap_or_default();
    format!(
        "{}: committed {}, completed {}{per_day}",
        point.label, point.committed, point.completed
    )
}

/// The tallest bar, in points.
fn points_max(points: &[VelocityPoint]) -> f64 {
    let tallest = points
        .iter()
        .map(|p| p.committed.max(p.completed))
        .max()
        .unwrap_or(0);
    f64::from(tallest).max(MIN_POINTS_AXIS)
}

/// The highest points per day, the team's average included.
fn rate_max(points: &[VelocityPoint], team: Option<&TeamVelocity>) -> f64 {
    points
        .iter()
        .filter_map(|p| p.velocity)
        .chain(team.map(|t| t.average))
        .fold(0.0, f64::max)
}

/// The centre of band `i` of `n` equal bands across the plot.
fn band_center(i: usize, n: usize, plot: Plot) -> f64 {
    let band = (plot.right - plot.left) / n as f64;
    plot.left + band * (i as f64 + 0.5)
}

/// One increment's two bars, in viewBox units; each bar reaches down to the plot's bottom.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bars {
    center: f64,
    width: f64,
    committed_x: f64,
    committed_y: f64,
    completed_x: f64,
    completed_y: f64,
}

/// The bars of every increment: committed left of the band's centre, completed right of it.
fn bar_layout(points: &[VelocityPoint], plot: Plot, scale: Scale) -> Vec<Bars> {
    let n = points.len();
    let width = ((plot.right - plot.left) / n.max(1) as f64 * 0.32).min(28.0);
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let center = band_center(i, n, plot);
            Bars {
                center,
                width,
                committed_x: center - width - 1.0,
                committed_y: scale.at(f64::from(p.committed)),
                completed_x: center + 1.0,
                completed_y: scale.at(f64::from(p.completed)),
            }
        })
        .collect()
}

/// The points-per-day line: one point per increment that has a velocity.
fn rate_line(points: &[VelocityPoint], plot: Plot, scale: Scale) -> Vec<(f64, f64)> {
    let n = points.len();
    points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.velocity.map(|v| (band_center(i, n, plot), scale.at(v))))
        .collect()
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

/// Committed and completed points per closed increment, with points per business day and the
/// team velocity on a second axis; values show on hover and on keyboard focus.
#[component]
pub fn VelocityChart(report: VelocityReport) -> impl IntoView {
    let VelocityReport {
        increments, team, ..
    } = report;
    if increments.is_empty() {
        return view! {
            <p class="empty">"No closed increments yet: velocity appears here once the first increment is closed."</p>
        }
        .into_any();
    }
    let plot = VELOCITY_PLOT;
    let point_ticks = nice_ticks(points_max(&increments), TICKS);
    let points_scale = plot.y_scale(top_tick(&point_ticks));
    let rate_ticks = nice_ticks(rate_max(&increments, team.as_ref()), TICKS);
    let rate_scale = plot.y_scale(top_tick(&rate_ticks));
    let bars = bar_layout(&increments, plot, points_scale);
    let rate_points = rate_line(&increments, plot, rate_scale);

    let count = increments.len();
    let plural = if count == 1 { "" } else { "s" };
    let team_text = team
        .map(|t| format!("; team velocity {:.1} points per business day", t.average))
        .unwrap_or_default();
    let description = format!("{count} closed increment{plural}, oldest first{team_text}.");

    let left_axis = value_axis(&point_ticks, points_scale, plot);
    let right_axis = rate_ticks
        .iter()
        .map(|&tick| {
            let (x, y) = (px(plot.right + 6.0), px(rate_scale.at(tick)));
            view! { <text class="tick-label" x=x y=y dy="0.32em" text-anchor="start">{tick_label(tick)}</text> }
        })
        .collect_view();
    let (axis_title_y, label_y) = (px(plot.top - 12.0), px(plot.bottom + 16.0));
    let (left_title_x, right_title_x) = (px(plot.left - 6.0), px(plot.right + 6.0));

    let groups = increments
        .iter()
        .zip(&bars)
        .map(|(p, b)| {
            let summary = increment_summary(p);
            // The view evaluates children before attributes: the label needs its own copy.
            let label = summary.clone();
            let committed_height = px((plot.bottom - b.committed_y).max(0.0));
            let completed_height = px((plot.bottom - b.completed_y).max(0.0));
            let committed_mid = px(b.committed_x + b.width / 2.0);
            let completed_mid = px(b.completed_x + b.width / 2.0);
            let committed_value_y = px(b.committed_y - 4.0);
            let completed_value_y = px(b.completed_y - 4.0);
            view! {
                <g class="bar-group" tabindex="0" role="listitem" aria-label=label>
                    <title>{summary}</title>
                    <rect class="bar committed" x=px(b.committed_x) y=px(b.committed_y) width=px(b.width) height=committed_height/>
                    <rect class="bar completed" x=px(b.completed_x) y=px(b.completed_y) width=px(b.width) height=completed_height/>
                    <text class="value" x=committed_mid y=committed_value_y text-anchor="middle">{p.committed}</text>
                    <text class="value" x=completed_mid y=completed_value_y text-anchor="middle">{p.completed}</text>
                    <text class="axis-label" x=px(b.center) y=label_y.clone() text-anchor="middle">{short_label(&p.label)}</text>
                </g>
            }
        })
        .collect_view();
    let dots = rate_points
        .iter()
        .map(|&(x, y)| view! { <circle class="dot velocity" cx=px(x) cy=px(y) r="3.5"/> })
        .collect_view();
    let reference = team.map(|t| {
        let y = px(rate_scale.at(t.average));
        let label_y = px(rate_scale.at(t.average) - 5.0);
        let label_x = px(plot.right - 4.0);
        view! {
            <g class="team-velocity" aria-hidden="true">
                <line class="reference" x1=px(plot.left) x2=px(plot.right) y1=y.clone() y2=y stroke-dasharray="6 4"/>
                <text class="reference-label" x=label_x y=label_y text-anchor="end">{format!("team {:.1}/day", t.average)}</text>
            </g>
        }
    });
    let team_legend = team.map(|t| {
        let plural = if t.increments == 1 { "" } else { "s" };
        view! {
            <li><span class="swatch reference" aria-hidden="true"></span>
                {format!("Team velocity: average of the last {} increment{plural}", t.increments)}</li>
        }
    });
    let rows = increments
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <th scope="row">{p.label.clone()}</th>
                    <td>{date_range(p.starts_on, p.ends_on)}</td>
                    <td>{p.business_days}</td>
                    <td>{p.committed}</td>
                    <td>{p.added}</td>
                    <td>{p.removed}</td>
                    <td>{p.completed}</td>
                    <td>{one_decimal(p.velocity)}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <div class="chart-block">
            <svg class="chart velocity-chart" viewBox=VIEW_BOX role=CHART_ROLE
                aria-labelledby="velocity-chart-title" aria-describedby="velocity-chart-desc">
                <title id="velocity-chart-title">{VELOCITY_TITLE}</title>
                <desc id="velocity-chart-desc">{description}</desc>
                {left_axis}
                <g class="axis y-axis right" aria-hidden="true">{right_axis}</g>
                <g class="axis-titles" aria-hidden="true">
                    <text class="axis-title" x=left_title_x y=axis_title_y.clone() text-anchor="end">"points"</text>
                    <text class="axis-title" x=right_title_x y=axis_title_y text-anchor="start">"pts/day"</text>
                </g>
                <line class="axis-line" x1=px(plot.left) x2=px(plot.right) y1=px(plot.bottom) y2=px(plot.bottom)/>
                <g class="bar-groups" role="list" aria-label="Increments">{groups}</g>
                <polyline class="line velocity" points=points_attr(&rate_points) fill="none" aria-hidden="true"/>
                <g class="dots" aria-hidden="true">{dots}</g>
                {reference}
            </svg>
            <ul class="legend">
                <li><span class="swatch committed" aria-hidden="true"></span>"Committed points"</li>
                <li><span class="swatch completed" aria-hidden="true"></span>"Completed points"</li>
                <li><span class="swatch velocity" aria-hidden="true"></span>"Points per business day"</li>
                {team_legend}
            </ul>
            <table class="table chart-data">
                <caption>{TABLE_CAPTION}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Increment"</th>
                        <th scope="col">"Dates"</th>
                        <th scope="col">"Business days"</th>
                        <th scope="col">"Committed"</th>
                        <th scope="col">"Added"</th>
                        <th scope="col">"Removed"</th>
                        <th scope="col">"Completed"</th>
                        <th scope="col">"Pts/day"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

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
                    <td>{format!("{:.1}", d.ideal)}</td>
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
    use super::*;

    fn date(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, month, day).unwrap()
    }

    fn increment(
        label: &str,
        committed: u32,
        completed: u32,
        velocity: Option<f64>,
    ) -> VelocityPoint {
        VelocityPoint {
            increment_id: 1,
            label: label.to_owned(),
            starts_on: date(1, 5),
            ends_on: date(1, 18),
            committed,
            added: 0,
            removed: 0,
            completed,
            business_days: 10,
            velocity,
        }
    }

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

    const SQUARE: Plot = Plot {
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
        assert_eq!(triangle(10.0, 20.0), "10.0,14.0 5.0,24.0 15.0,24.0");
    }

    #[test]
    fn labels_and_dates_are_short() {
        assert_eq!(short_label("Q1 · 2"), "Q1 · 2");
        assert_eq!(short_label("Autumn release · 12"), "Autumn releas…");
        assert_eq!(
            short_label("Autumn release · 12").chars().count(),
            LABEL_MAX_CHARS
        );
        assert_eq!(short_label("Fourteen chars"), "Fourteen chars");
        assert_eq!(date_range(date(1, 5), date(1, 18)), "Jan 5 – Jan 18");
        assert_eq!(one_decimal(Some(3.64)), "3.6");
        assert_eq!(one_decimal(None), "—");
    }

    #[test]
    fn an_increment_is_summarised_for_hover_and_screen_readers() {
        assert_eq!(
            increment_summary(&increment("Q1 · 2", 40, 36, Some(3.6))),
            "Q1 · 2: committed 40, completed 36, 3.6 points per day"
        );
        assert_eq!(
            increment_summary(&increment("Q1 · 3", 5, 0, None)),
            "Q1 · 3: committed 5, completed 0"
        );
    }

    #[test]
    fn bars_sit_side_by_side_in_their_band() {
        let points = [
            increment("a", 40, 20, Some(2.0)),
            increment("b", 10, 10, None),
        ];
        let bars = bar_layout(&points, SQUARE, SQUARE.y_scale(40.0));
        assert_eq!(bars.len(), 2);
        assert_eq!((bars[0].center, bars[1].center), (100.0, 300.0));
        assert_eq!(bars[0].width, 28.0);
        assert_eq!((bars[0].committed_x, bars[0].completed_x), (71.0, 101.0));
        assert_eq!((bars[0].committed_y, bars[0].completed_y), (0.0, 50.0));
        assert_eq!(
            bar_layout(&[increment("a", 1, 1, None)], SQUARE, SQUARE.y_scale(4.0))[0].width,
            28.0
        );
        let many: Vec<_> = (0..20).map(|_| increment("x", 1, 1, None)).collect();
        assert!((bar_layout(&many, SQUARE, SQUARE.y_scale(4.0))[0].width - 6.4).abs() < 1e-9);
    }

    #[test]
    fn the_rate_line_skips_increments_without_a_velocity() {
        let points = [
            increment("a", 20, 20, Some(2.0)),
            increment("b", 0, 0, None),
            increment("c", 40, 40, Some(4.0)),
            increment("d", 30, 30, Some(3.0)),
        ];
        let line = rate_line(&points, SQUARE, SQUARE.y_scale(4.0));
        assert_eq!(points_attr(&line), "50.0,50.0 250.0,0.0 350.0,25.0");
        assert_eq!(rate_max(&points, None), 4.0);
        let team = TeamVelocity {
            average: 5.5,
            slowest: 2.0,
            fastest: 4.0,
            increments: 3,
        };
        assert_eq!(rate_max(&points, Some(&team)), 5.5);
        assert_eq!(points_max(&points), 40.0);
        assert_eq!(points_max(&[increment("a", 1, 2, None)]), MIN_POINTS_AXIS);
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
