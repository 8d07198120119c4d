//! Comments on items: the body's limits, and the mentions and item references in it.
//!
//! A mention is stored by account, as `@{uuid}`, so it survives a rename and is shown as
//! the person's name as it is now. People write `@` and an email address (the picker
//! inserts it, and the editor shows mentions that way again); the server turns the
//! addresses of the project's members into the stored form. An address of anyone else stays
//! as typed: it notifies nobody and says nothing about whether such an account exists.

use std::fmt;
use uuid::Uuid;

/// The most a comment may hold, in bytes of UTF-8.
pub const MAX_BODY: usize = 64 * 1024;

/// A comment's body: markdown, trimmed, not empty, at most [`MAX_BODY`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommentError {
    #[error("write something first")]
    Empty,
    #[error("a comment holds at most 64 KB; this one is {0} KB")]
    TooLong(usize),
}

impl CommentBody {
    pub fn parse(text: &str) -> Result<CommentBody, CommentError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CommentError::Empty);
        }
        if text.len() > MAX_BODY {
            return Err(CommentError::TooLong(text.len().div_ceil(1024)));
        }
        Ok(CommentBody(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CommentBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The accounts a stored body mentions (`@{uuid}`), each once, in order.
pub fn mentioned(body: &str) -> Vec<Uuid> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("@{") {
        let after = &rest[at + 2..];
        match after.find('}') {
            Some(end) if end == 36 => {
                if let Ok(id) = Uuid::parse_str(&after[..end]) {
                    if !found.contains(&id) {
                        found.push(id);
                    }
                }
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

/// Whether `c` may be part of an email address as written after `@`.
fn in_address(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@' | '\'')
}

/// The body as stored: `@address` of a member (by `address → account`, lower case) becomes
/// `@{uuid}`; anything else is left as written.
pub fn store_mentions(body: &str, member: impl Fn(&str) -> Option<Uuid>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    let mut last = 0;
    while let Some((i, c)) = chars.next() {
        if c != '@' {
            continue;
        }
        // `name@example.com` in running text is an address, not a mention.
        if body[..i].chars().next_back().is_some_and(in_address) {
            continue;
        }
        let start = i + 1;
        let mut end = start;
        for (j, d) in body[start..].char_indices() {
            if in_address(d) {
                end = start + j + d.len_utf8();
            } else {
                break;
            }
        }
        // A sentence's full stop after the address is not part of it.
        let address = body[start..end].trim_end_matches(['.', '\'']);
        if !address.contains('@') {
            continue;
        }
        if let Some(id) = member(&address.to_lowercase()) {
            out.push_str(&body[last..i]);
            out.push_str(&format!("@{{{id}}}"));
            last = start + address.len();
            while chars.peek().is_some_and(|(j, _)| *j < last) {
                chars.next();
            }
        }
    }
    out.push_str(&body[last..]);
    out
}

/// The body for the editor: each `@{uuid}` as `@address` (by `account → address`), or
/// `@someone` for an account that is not a member any more.
pub fn editable(body: &str, address: impl Fn(Uuid) -> Option<String>) -> String {
    replace_mentions(body, |id| match address(id) {
        Some(a) => format!("@{a}"),
        None => "@someone".into(),
    })
}

/// The body with each `@{uuid}` replaced by what `with` makes of it.
pub fn replace_mentions(body: &str, with: impl Fn(Uuid) -> String) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("@{") {
        let after = &rest[at + 2..];
        let token = after
            .get(..37)
            .filter(|t| t.ends_with('}'))
            .and_then(|t| Uuid::parse_str(&t[..36]).ok());
        match token {
            Some(id) => {
                out.push_str(&rest[..at]);
                out.push_str(&with(id));
                rest = &after[37..];
            }
            None => {
                out.push_str(&rest[..at + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const JIM: &str = "0190c5a4-0000-7000-8000-000000000001";

    fn jim() -> Uuid {
        Uuid::parse_str(JIM).unwrap()
    }

    fn members(address: &str) -> Option<Uuid> {
        (address == "jim@dundermifflin.com").then(jim)
    }

    #[test]
    fn a_body_is_trimmed_and_limited() {
        assert_eq!(CommentBody::parse("  hi \n").unwrap().as_str(), "hi");
        assert_eq!(CommentBody::parse(" \n "), Err(CommentError::Empty));
        assert!(CommentBody::parse(&"x".repeat(MAX_BODY)).is_ok());
        assert_eq!(
            CommentBody::parse(&"x".repeat(MAX_BODY + 1)),
            Err(CommentError::TooLong(65))
        );
    }

    #[test]
    fn members_addresses_become_mentions_and_others_stay_text() {
        let stored = store_mentions(
            "@Jim@DunderMifflin.com, look. Ask @dwight@example.com or mail pam@x.com.",
            members,
        );
        assert_eq!(
            stored,
            format!("@{{{JIM}}}, look. Ask @dwight@example.com or mail pam@x.com.")
        );
        assert_eq!(mentioned(&stored), vec![jim()]);
        assert_eq!(
            store_mentions("thanks @jim@dundermifflin.com.", members),
            format!("thanks @{{{JIM}}}.")
        );
    }

    #[test]
    fn mentions_read_back_for_the_editor() {
        let stored = format!("@{{{JIM}}} and @{{{}}} and @{{broken}}", Uuid::nil());
        let shown = editable(&stored, |id| {
            (id == jim()).then(|| "jim@dundermifflin.com".into())
        });
        assert_eq!(shown, "@jim@dundermifflin.com and @someone and @{broken}");
        assert_eq!(mentioned(&stored), vec![jim(), Uuid::nil()]);
    }
}
