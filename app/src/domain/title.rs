//! Titles of things people type in: work items, topics. 1–200 characters after trimming.

use serde::{Deserialize, Serialize};

pub const TITLE_MAX_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Title(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("a title is required")]
    Empty,
    #[error("a title can be at most {TITLE_MAX_CHARS} characters; this one has {0}")]
    TooLong(usize),
    #[error("a title cannot contain control characters")]
    ControlCharacters,
}

impl Title {
    pub fn parse(raw: &str) -> Result<Self, TitleError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(TitleError::Empty);
        }
        let chars = trimmed.chars().count();
        if chars > TITLE_MAX_CHARS {
            return Err(TitleError::TooLong(chars));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(TitleError::ControlCharacters);
        }
        Ok(Title(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_newtype!(Title, TitleError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed() {
        assert_eq!(Title::parse("  Cart  ").unwrap().as_str(), "Cart");
    }

    #[test]
    fn blank_titles_are_rejected() {
        assert_eq!(Title::parse(""), Err(TitleError::Empty));
        assert_eq!(Title::parse(" \t "), Err(TitleError::Empty));
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        let max = "é".repeat(200);
        assert!(Title::parse(&max).is_ok());
        let long = "é".repeat(201);
        assert_eq!(Title::parse(&long), Err(TitleError::TooLong(201)));
    }

    #[test]
    fn control_characters_are_rejected() {
        assert_eq!(Title::parse("a\u{0}b"), Err(TitleError::ControlCharacters));
        assert_eq!(
            Title::parse("line\nbreak"),
            Err(TitleError::ControlCharacters)
        );
    }
}
