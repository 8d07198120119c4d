//! Velocity and forecast: committed against completed points per closed increment with
//! points per business day (an SVG drawn on the server), the team velocity, and when the
//! backlog and each epic should be done at that pace.

use super::project::{project_resource, use_slug};
use super::sprints::per_day;
use crate::components::charts::VelocityChart;
use crate::components::error_view::{first_app_error, ErrorView};
use crate::domain::EpicPoints;
use crate::error::AppError;
use crate::model::sprints::{ForecastLine, ForecastReport};
use crate::server_fns::sprints::{get_forecast, get_velocity};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn VelocityPage() -> impl IntoView {
    let slug = use_slug();
    // Read again after every change (through the live stream): the charts follow the work.
    let live = crate::components::live::Live::get();
    // Read with the page so the browser follows the project's changes from then on.
    let project = project_resource();
    let velocity = crate::components::data::data(
        move || (slug.get(), live.tick.get()),
        |(slug, _)| get_velocity(slug),
    );
    let forecast = crate::components::data::data(
        move || (slug.get(), live.tick.get()),
        |(slug, _)| get_forecast(slug),
    );
    view! {
        <Title text="Velocity"/>
        <Transition fallback=|| view! { <p class="muted">"Loading velocity…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    project.await?;
                    let report = velocity.await?;
                    let forecast = forecast.await?;
                    let team = report.team.map(|t| format!(
                        "Team velocity: {} points per business day, the average of {}{}; slowest {}, fastest {}.",
                        per_day(Some(t.average)),
                        crate::words::last(t.increments as u32, "closed increment", "closed increments"),
                        if usize::from(report.window) > t.increments {
                            format!(" (it will average up to {})", crate::words::count(report.window, "increment", "increments"))
                        } else { String::new() },
                        per_day(Some(t.slowest)), per_day(Some(t.fastest))
                    ));
                    Ok::<_, AppError>(view! {
                        <header class="page-header">
                            <h1>"Velocity"</h1>
                            <p id="team-velocity">{team.unwrap_or_else(|| "No team velocity yet: it is the average of the last closed increments.".into())}</p>
                        </header>
                        <section aria-labelledby="velocity-heading">
                            <h2 id="velocity-heading" class="visually-hidden">"Velocity per increment"</h2>
                            <VelocityChart report/>
                        </section>
                        <Forecasts forecast/>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

fn line_row(line: ForecastLine, slug: &str) -> impl IntoView {
    let name = match line.epic {
        Some(n) => {
            view! { <a href=format!("/p/{slug}/items/{n}")>{format!("#{n} {}", line.label)}</a> }
                .into_any()
        }
        None => view! { <strong>{line.label.clone()}</strong> }.into_any(),
    };
    // For an epic: which points the forecast counts, its own size or its children's.
    let basis = match (line.counted, line.own_size) {
        (Some(EpicPoints::OwnSize), Some(own)) => Some(format!(
            "Counts its own size, {}: no child is estimated yet.",
            crate::words::count(own, "point", "points")
        )),
        (Some(EpicPoints::Children), Some(own)) => Some(format!(
            "Counts its children's points; its own size is {}.",
            crate::words::count(own, "point", "points")
        )),
        (Some(EpicPoints::Children), None) => Some("Counts its children's points.".to_owned()),
        _ => None,
    };
    let name = view! { {name} {basis.map(|b| view! { <br/><span class="muted small" data-testid="forecast-basis">{b}</span> })} };
    let date = |d: Option<chrono::NaiveDate>| {
        d.map_or("—".to_owned(), |d| d.format("%a %b %-d, %Y").to_string())
    };
    let (days, expected, range) = match &line.forecast {
        Some(f) => (
            f.business_days.to_string(),
            date(f.date),
            match (f.optimistic, f.pessimistic) {
                (Some(a), Some(b)) => crate::words::date_range(a, b, "%a %b %-d, %Y"),
                (a, b) => format!("{} – {}", date(a), date(b)),
            },
        ),
        None => ("—".into(), "—".into(), "—".into()),
    };
    view! {
        <tr>
            <th scope="row">{name}</th>
            <td>{line.remaining_points}</td>
            <td>{days}</td>
            <td>{expected}</td>
            <td>{range}</td>
        </tr>
    }
}

#[component]
fn Forecasts(forecast: ForecastReport) -> impl IntoView {
    let slug = use_slug().get_untracked();
    let note = if forecast.team.is_some() {
        format!(
            "Remaining points ÷ team velocity, counted in business days from {}; the range uses the fastest and slowest of the recent increments.",
            forecast.from.format("%b %-d, %Y")
        )
    } else {
        "A forecast needs a team velocity: close an increment first.".to_owned()
    };
    view! {
        <section aria-labelledby="forecast-heading">
            <h2 id="forecast-heading">"Forecast"</h2>
            <p class="muted">{note}</p>
            <table class="table forecast">
                <thead><tr><th scope="col">"What"</th><th scope="col">"Points left"</th>
                    <th scope="col">"Business days"</th><th scope="col">"Expected"</th>
                    <th scope="col">"Range (fastest – slowest)"</th></tr></thead>
                <tbody>
                    {line_row(forecast.backlog, &slug)}
                    {forecast.epics.into_iter().map(|l| line_row(l, &slug)).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
