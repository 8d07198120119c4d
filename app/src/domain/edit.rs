//! An edit of an item's own fields: what the patch asks for, checked against the rules and
//! the project's effort chart, and applied to the fields as they are. The look-ups an edit
//! also needs (the assignee among the members, the epic among the items) are the
//! service's; this part needs nothing but its inputs.

use super::effort_chart::EffortChart;
use super::item::{parse_blocked, parse_description, ItemKind, ItemState};
use super::title::Title;
use chrono::{DateTime, Utc};

/// The fields an edit changes without looking anything up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnFields {
    pub title: String,
    pub description: String,
    pub kind: ItemKind,
    /// Story points, as stored.
    pub estimate: Option<i16>,
    pub state: ItemState,
    /// When it was finished: kept while it stays done, cleared when it is reopened.
    pub done_at: Option<DateTime<Utc>>,
    pub blocked: bool,
    pub blocked_reason: Option<String>,
}

/// What an edit asks for; `None` leaves a field as it is, `estimate: Some(None)` clears
/// the estimate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edit<'a> {
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub estimate: Option<Option<i64>>,
    pub state: Option<&'a str>,
    pub blocked: Option<bool>,
    pub blocked_reason: Option<&'a str>,
}

/// A field an edit got wrong, and why (for the message next to that field).
pub type Refusal = (&'static str, String);

impl OwnFields {
    /// These fields with the edit applied at `now` (finishing an item stamps it then), and
    /// every field the edit got wrong; a field refused keeps its value.
    pub fn edited(
        &self,
        edit: &Edit,
        chart: &EffortChart,
        now: DateTime<Utc>,
    ) -> (OwnFields, Vec<Refusal>) {
        let mut new = self.clone();
        let mut refusals: Vec<Refusal> = Vec::new();
        if let Some(title) = edit.title {
            match Title::parse(title) {
                Ok(t) => new.title = t.as_str().to_owned(),
                Err(e) => refusals.push(("title", e.to_string())),
            }
        }
        if let Some(description) = edit.description {
            match parse_description(description) {
                Ok(d) => new.description = d,
                Err(e) => refusals.push(("description", e.to_string())),
            }
        }
        if let Some(kind) = edit.kind {
            match ItemKind::parse(kind) {
                Ok(k) => new.kind = k,
                Err(e) => refusals.push(("kind", e.to_string())),
            }
        }
        match edit.estimate {
            None => {}
            Some(None) => new.estimate = None,
            Some(Some(v)) => match chart.estimate(v) {
                Ok(p) => new.estimate = Some(i16::from(p.value())),
                Err(e) => refusals.push(("estimate", e.to_string())),
            },
        }
        if let Some(state) = edit.state {
            match ItemState::parse(state) {
                Ok(s) => {
                    new.state = s;
                    new.done_at = match s {
                        ItemState::Done => self.done_at.or(Some(now)),
                        _ => None,
                    };
                }
                Err(e) => refusals.push(("state", e.to_string())),
            }
        }
        if edit.blocked.is_some() || edit.blocked_reason.is_some() {
            let blocked = edit.blocked.unwrap_or(self.blocked);
            let reason = edit.blocked_reason.or(self.blocked_reason.as_deref());
            match parse_blocked(blocked, reason) {
                Ok(r) => {
                    new.blocked = blocked;
                    new.blocked_reason = r;
                }
                Err(e) => refusals.push(("blocked_reason", e.to_string())),
            }
        }
        (new, refusals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::effort_chart::Preset;
    use chrono::TimeZone;

    fn fields() -> OwnFields {
        OwnFields {
            title: "Cart".into(),
            description: String::new(),
            kind: ItemKind::Task,
            estimate: None,
            state: ItemState::Todo,
            done_at: None,
            blocked: false,
            blocked_reason: None,
        }
    }

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, 0, 0).unwrap()
    }

    fn chart() -> EffortChart {
        EffortChart::preset(Preset::TShirt)
    }

    #[test]
    fn an_empty_edit_changes_nothing() {
        let (new, refusals) = fields().edited(&Edit::default(), &chart(), at(9));
        assert_eq!((new, refusals), (fields(), vec![]));
    }

    #[test]
    fn each_field_is_checked_and_a_refused_one_keeps_its_value() {
        let edit = Edit {
            title: Some("  "),
            kind: Some("story"),
            estimate: Some(Some(4)),
            state: Some("doing"),
            ..Edit::default()
        };
        let (new, refusals) = fields().edited(&edit, &chart(), at(9));
        let fields_refused: Vec<_> = refusals.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields_refused, ["title", "kind", "estimate"]);
        assert_eq!(new.title, "Cart");
        assert_eq!(new.kind, ItemKind::Task);
        assert_eq!(new.estimate, None);
        assert_eq!(new.state, ItemState::Doing, "the good part still applies");
    }

    #[test]
    fn finishing_stamps_the_moment_once_and_reopening_clears_it() {
        let done = Edit {
            state: Some("done"),
            ..Edit::default()
        };
        let (first, _) = fields().edited(&done, &chart(), at(9));
        assert_eq!(first.done_at, Some(at(9)));
        let (again, _) = first.edited(&done, &chart(), at(11));
        assert_eq!(
            again.done_at,
            Some(at(9)),
            "done twice is done when first done"
        );
        let reopen = Edit {
            state: Some("todo"),
            ..Edit::default()
        };
        assert_eq!(again.edited(&reopen, &chart(), at(12)).0.done_at, None);
    }

    #[test]
    fn a_block_needs_a_reason_and_unblocking_forgets_it() {
        let block = Edit {
            blocked: Some(true),
            ..Edit::default()
        };
        let (new, refusals) = fields().edited(&block, &chart(), at(9));
        assert_eq!(refusals.len(), 1);
        assert_eq!(refusals[0].0, "blocked_reason");
        assert!(!new.blocked);

        let block = Edit {
            blocked: Some(true),
            blocked_reason: Some(" API down "),
            ..Edit::default()
        };
        let (blocked, _) = fields().edited(&block, &chart(), at(9));
        assert_eq!(
            (blocked.blocked, blocked.blocked_reason.as_deref()),
            (true, Some("API down"))
        );
        // A new reason alone keeps it blocked.
        let reason = Edit {
            blocked_reason: Some("Waiting on legal"),
            ..Edit::default()
        };
        let (still, _) = blocked.edited(&reason, &chart(), at(10));
        assert_eq!(
            (still.blocked, still.blocked_reason.as_deref()),
            (true, Some("Waiting on legal"))
        );
        let unblock = Edit {
            blocked: Some(false),
            ..Edit::default()
        };
        let (free, _) = still.edited(&unblock, &chart(), at(11));
        assert_eq!((free.blocked, free.blocked_reason), (false, None));
    }

    #[test]
    fn an_estimate_must_be_on_the_chart_and_can_be_cleared() {
        let five = Edit {
            estimate: Some(Some(5)),
            ..Edit::default()
        };
        let (sized, refusals) = fields().edited(&five, &chart(), at(9));
        assert!(refusals.is_empty(), "{refusals:?}");
        assert_eq!(sized.estimate, Some(5));
        let clear = Edit {
            estimate: Some(None),
            ..Edit::default()
        };
        assert_eq!(sized.edited(&clear, &chart(), at(9)).0.estimate, None);
    }
}
