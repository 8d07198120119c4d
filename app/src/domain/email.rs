//! Email addresses: how people sign in and how owners add members.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("an email address is required")]
    Empty,
    #[error("an email address can be at most 254 characters")]
    TooLong,
    #[error("that does not look like an email address (name@example.com)")]
    Malformed,
}

impl Email {
    /// Trims the address and checks its shape. Delivery is not checked.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let local_ok = !local.is_empty() && local.chars().count() <= 64 && !local.contains('@');
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let no_space = !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if local_ok && domain_ok && no_space {
            Ok(Email(s.to_owned()))
        } else {
            Err(EmailError::Malformed)
        }
    }

    /// As the person typed it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for comparison and lookup: addresses differing only in case are the
    /// same account.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        self.normalized() == other.normalized()
    }
}

impl Eq for Email {}

super::string_newtype!(Email, EmailError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_accepted_and_trimmed() {
        assert_eq!(
            Email::parse("  ada@example.com ").unwrap().as_str(),
            "ada@example.com"
        );
        assert!(Email::parse("first.last+tag@sub.example.co.uk").is_ok());
    }

    #[test]
    fn addresses_compare_case_insensitively() {
        let a = Email::parse("Ada@Example.COM").unwrap();
        let b = Email::parse("ada@example.com").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.normalized(), "ada@example.com");
        assert_eq!(a.as_str(), "Ada@Example.COM");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@.com",
            "ada@example..com",
            "a da@example.com",
            "ada@exa_mple.com",
            "ada@-example.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }
}
