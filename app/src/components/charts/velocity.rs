//! The velocity chart: committed and completed points per closed increment, with points
//! per business day and the team velocity on a second axis.

use super::{
    nice_ticks, points_attr, px, short_date, tick_label, top_tick, value_axis, Plot, Scale,
    CHART_ROLE, HEIGHT, MIN_POINTS_AXIS, TABLE_CAPTION, TICKS, VIEW_BOX, WIDTH,
};
use crate::domain::sprint::TeamVelocity;
use crate::model::sprints::{VelocityPoint, VelocityReport};
use chrono::NaiveDate;
use leptos::prelude::*;

const VELOCITY_TITLE: &str =
    "Velocity: committed and completed points per increment, and points per business day";
/// Longer increment labels are cut to this many characters, "…" included.
const LABEL_MAX_CHARS: usize = 14;

const VELOCITY_PLOT: Plot = Plot {
    left: 48.0,
    right: WIDTH - 56.0,
    top: 28.0,
    bottom: HEIGHT - 40.0,
};

/// A value with one decimal, or "—" when there is none.
fn one_decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| crate::words::decimal(v, 1))
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
        .map(|v| format!(", {} points per day", crate::words::decimal(v, 1)))
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
        .map(|t| {
            format!(
                "; team velocity {} points per business day",
                crate::words::decimal(t.average, 1)
            )
        })
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
                <text class="reference-label" x=label_x y=label_y text-anchor="end">{format!("team {}/day", crate::words::decimal(t.average, 1))}</text>
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

#[cfg(test)]
mod tests {
    use super::super::tests::{date, SQUARE};
    use super::*;

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
}
