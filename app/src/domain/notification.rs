//! The kinds of notification, and what goes into a notification email: one email per
//! person per batch, each notification a line and a link, and how long to wait after a
//! failed send.

use chrono::Duration;

/// Every kind of notification, as stored, with what people call it ("Email me about …").
pub const KINDS: [(&str, &str); 7] = [
    ("mention", "mentions of me"),
    ("assigned", "items assigned to me"),
    ("comment", "comments on items I watch"),
    ("blocked", "items I watch becoming blocked"),
    ("done", "items I watch being done"),
    ("increment_started", "increments with my items starting"),
    ("increment_closed", "increments with my items closing"),
];

/// Whether `kind` is one of [`KINDS`].
pub fn is_kind(kind: &str) -> bool {
    KINDS.iter().any(|(k, _)| *k == kind)
}

/// What people call a kind ("mentions of me"); the kind itself when unknown.
pub fn kind_label(kind: &str) -> &str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, label)| label)
}

/// After this many failed sends in a row a batch is given up (and logged as an error).
pub const MAX_ATTEMPTS: i32 = 8;

/// How long to wait before trying again after `attempts` failed sends in a row: one
/// minute, doubling, at most an hour.
pub fn retry_after(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 7) - 1;
    Duration::minutes((1i64 << exp).min(60))
}

/// One notification as an email shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: String,
    pub summary: String,
    pub project: String,
    /// Absolute: the email is read outside the application.
    pub url: String,
}

/// An email to one person: the subject and the plain text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

/// The email for a batch of notifications (oldest first). `settings` is the account page's
/// address; `unsubscribe` gives, per kind in the batch, the link that turns that kind off.
pub fn letter(
    name: &str,
    lines: &[Line],
    settings: &str,
    unsubscribe: &[(String, String)],
) -> Letter {
    let subject = match lines {
        [one] => one.summary.clone(),
        _ => format!("{} updates in Cadence", lines.len()),
    };
    let mut body = format!("Hello {name},\n\n");
    for line in lines {
        body.push_str(&format!(
            "- {} ({})\n  {}\n\n",
            line.summary, line.project, line.url
        ));
    }
    body.push_str("--\nYou get this email because of your notification settings in Cadence.\n");
    body.push_str(&format!("Choose which emails you get: {settings}\n"));
    for (kind, link) in unsubscribe {
        body.push_str(&format!(
            "No more emails about {}: {link}\n",
            kind_label(kind)
        ));
    }
    Letter { subject, body }
}

/// The kinds in a batch, each once, in the order of [`KINDS`].
pub fn kinds_in(lines: &[Line]) -> Vec<String> {
    KINDS
        .iter()
        .filter(|(k, _)| lines.iter().any(|l| l.kind == *k))
        .map(|(k, _)| (*k).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: &str, summary: &str) -> Line {
        Line {
            kind: kind.into(),
            summary: summary.into(),
            project: "Dunder Mifflin".into(),
            url: "https://cadence.example/p/dm/items/12".into(),
        }
    }

    #[test]
    fn one_notification_is_the_subject() {
        let l = letter(
            "Pam",
            &[line("mention", "Jim Halpert mentioned you on #12 Cart")],
            "https://cadence.example/account",
            &[(
                "mention".into(),
                "https://cadence.example/unsubscribe?t=x".into(),
            )],
        );
        assert_eq!(l.subject, "Jim Halpert mentioned you on #12 Cart");
        assert!(l.body.starts_with("Hello Pam,\n\n- Jim Halpert mentioned you on #12 Cart (Dunder Mifflin)\n  https://cadence.example/p/dm/items/12\n"));
        assert!(l.body.contains(
            "No more emails about mentions of me: https://cadence.example/unsubscribe?t=x\n"
        ));
    }

    #[test]
    fn a_batch_counts_its_updates() {
        let lines = [
            line("comment", "a"),
            line("mention", "b"),
            line("comment", "c"),
        ];
        assert_eq!(
            letter("Pam", &lines, "s", &[]).subject,
            "3 updates in Cadence"
        );
        assert_eq!(kinds_in(&lines), vec!["mention", "comment"]);
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_after(1), Duration::minutes(1));
        assert_eq!(retry_after(2), Duration::minutes(2));
        assert_eq!(retry_after(4), Duration::minutes(8));
        assert_eq!(retry_after(7), Duration::minutes(60));
        assert_eq!(retry_after(30), Duration::minutes(60));
    }

    #[test]
    fn kinds_are_known_by_name() {
        assert!(is_kind("increment_closed"));
        assert!(!is_kind("all"));
        assert_eq!(kind_label("done"), "items I watch being done");
    }
}
