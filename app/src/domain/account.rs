//! What a person types to get an account: a display name and a password.

use serde::{Deserialize, Serialize};

pub const DISPLAY_NAME_MAX_CHARS: usize = 80;
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Long enough for any passphrase or manager-generated password; short enough that hashing
/// cannot be used to make the server chew on megabytes.
pub const PASSWORD_MAX_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    #[error("a name is required")]
    Empty,
    #[error("a name can be at most {DISPLAY_NAME_MAX_CHARS} characters")]
    TooLong,
    #[error("a name cannot contain control characters")]
    ControlCharacters,
}

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, DisplayNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        if trimmed.chars().count() > DISPLAY_NAME_MAX_CHARS {
            return Err(DisplayNameError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(DisplayNameError::ControlCharacters);
        }
        Ok(DisplayName(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Up to two letters for avatars and board cards: "Ada Lovelace" → "AL".
    pub fn initials(&self) -> String {
        self.0
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect()
    }
}

super::string_newtype!(DisplayName, DisplayNameError);

/// Initials of a stored name ("" if it no longer parses).
pub fn initials_of(name: &str) -> String {
    DisplayName::parse(name)
        .map(|n| n.initials())
        .unwrap_or_default()
}

/// A new password. Not `Serialize` and not `Display`: it is never sent or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {PASSWORD_MIN_CHARS} characters")]
    TooShort,
    #[error("a password can be at most {PASSWORD_MAX_CHARS} characters")]
    TooLong,
}

impl Password {
    /// Spaces count (passphrases are welcome) and nothing is trimmed: the password is
    /// exactly what was typed.
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Where to go after signing in: a path on this site only, so a crafted link cannot send
/// people elsewhere. It must start with one `/` that is not followed by another `/` or a
/// `\\`, and hold no backslash, whitespace or control character anywhere (browsers drop
/// some of those, and `/\t/evil.example` would become `//evil.example`); nothing is
/// trimmed or removed to make it fit.
pub fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        n.starts_with('/')
            && !n[1..].starts_with('/')
            && !n
                .chars()
                .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/projects".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_give_initials() {
        let name = DisplayName::parse("  ada   lovelace ").unwrap();
        assert_eq!(name.as_str(), "ada   lovelace");
        assert_eq!(name.initials(), "AL");
        assert_eq!(DisplayName::parse("Ø").unwrap().initials(), "Ø");
        assert_eq!(DisplayName::parse("  "), Err(DisplayNameError::Empty));
        assert_eq!(
            DisplayName::parse(&"x".repeat(81)),
            Err(DisplayNameError::TooLong)
        );
    }

    #[test]
    fn passwords_are_taken_as_typed_and_length_checked_in_characters() {
        assert_eq!(Password::parse("short"), Err(PasswordError::TooShort));
        // Ten characters, twenty bytes.
        assert!(Password::parse("éééééééééé").is_ok());
        let p = Password::parse(" padded passphrase ").unwrap();
        assert_eq!(p.expose(), " padded passphrase ");
        assert_eq!(format!("{p:?}"), "Password(…)");
        assert_eq!(
            Password::parse(&"a".repeat(257)),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/p/shop/settings")), "/p/shop/settings");
        assert_eq!(safe_next(Some("//evil.example/")), "/projects");
        assert_eq!(safe_next(Some("https://evil.example/")), "/projects");
        assert_eq!(safe_next(Some("/\\evil.example")), "/projects");
        assert_eq!(safe_next(None), "/projects");
        // Nothing a browser would drop or rewrite into another host gets through.
        assert_eq!(safe_next(Some("/\t/evil.example")), "/projects");
        assert_eq!(safe_next(Some("/a\nb")), "/projects");
        assert_eq!(safe_next(Some("/ /evil.example")), "/projects");
        assert_eq!(safe_next(Some(" /p/shop")), "/projects");
        assert_eq!(safe_next(Some("/")), "/");
    }
}
