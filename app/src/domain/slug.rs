//! Project slugs: the readable, unique part of a project's URL (`/p/{slug}/…`).

use serde::{Deserialize, Serialize};

pub const SLUG_MAX_CHARS: usize = 48;

/// Words that would collide with the app's own routes if used as a project slug.
const RESERVED: [&str; 6] = ["new", "api", "admin", "settings", "login", "register"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("a URL name is required")]
    Empty,
    #[error("a URL name can be at most {SLUG_MAX_CHARS} characters")]
    TooLong,
    #[error("use lowercase letters, digits and single hyphens between them (like team-apollo)")]
    BadCharacters,
    #[error("{} is reserved: choose another URL name", crate::domain::Quoted(.0))]
    Reserved(String),
}

impl Slug {
    /// Checks a slug someone typed.
    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if s.chars().count() > SLUG_MAX_CHARS {
            return Err(SlugError::TooLong);
        }
        let well_formed = s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
        if !well_formed {
            return Err(SlugError::BadCharacters);
        }
        if RESERVED.contains(&s) {
            return Err(SlugError::Reserved(s.to_owned()));
        }
        Ok(Slug(s.to_owned()))
    }

    /// Derives a slug from a project name: "Team Apollo (Web)" → "team-apollo-web".
    /// Accented Latin letters lose their accents; other characters separate words.
    pub fn from_name(name: &str) -> Slug {
        let mut out = String::new();
        let mut pending_hyphen = false;
        for c in name.chars().flat_map(fold) {
            if c.is_ascii_alphanumeric() {
                if pending_hyphen && !out.is_empty() {
                    out.push('-');
                }
                pending_hyphen = false;
                out.push(c.to_ascii_lowercase());
            } else {
                pending_hyphen = true;
            }
        }
        let mut slug: String = out.chars().take(SLUG_MAX_CHARS).collect();
        while slug.ends_with('-') {
            slug.pop();
        }
        if slug.is_empty() || RESERVED.contains(&slug.as_str()) {
            slug = if slug.is_empty() {
                "project".to_owned()
            } else {
                format!("{slug}-project")
            };
        }
        Slug(slug)
    }

    /// The `n`th alternative when the slug is taken: "apollo" → "apollo-2", kept within the
    /// length limit.
    pub fn with_suffix(&self, n: u32) -> Slug {
        let suffix = format!("-{n}");
        let keep = SLUG_MAX_CHARS - suffix.len();
        let base: String = self.0.chars().take(keep).collect();
        Slug(format!("{}{suffix}", base.trim_end_matches('-')))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Accented Latin letters to their plain letters; anything else unchanged.
fn fold(c: char) -> Vec<char> {
    let plain = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        _ => return vec![c],
    };
    plain.chars().collect()
}

super::string_newtype!(Slug, SlugError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_readable_slugs() {
        assert_eq!(
            Slug::from_name("Team Apollo (Web)").as_str(),
            "team-apollo-web"
        );
        assert_eq!(
            Slug::from_name("  Équipe Données  ").as_str(),
            "equipe-donnees"
        );
        assert_eq!(Slug::from_name("Straße 42").as_str(), "strasse-42");
        assert_eq!(Slug::from_name("---").as_str(), "project");
        assert_eq!(Slug::from_name("日本").as_str(), "project");
        assert_eq!(Slug::from_name("Settings").as_str(), "settings-project");
    }

    #[test]
    fn derived_slugs_are_always_valid() {
        for name in [
            "a",
            "A-B",
            "x".repeat(100).as_str(),
            "a - - b",
            "Über 9000!",
            "new",
        ] {
            let slug = Slug::from_name(name);
            assert_eq!(
                Slug::parse(slug.as_str()),
                Ok(slug.clone()),
                "from {name:?}"
            );
        }
    }

    #[test]
    fn typed_slugs_are_checked() {
        assert!(Slug::parse("team-apollo").is_ok());
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        assert_eq!(Slug::parse("Team"), Err(SlugError::BadCharacters));
        assert_eq!(Slug::parse("a--b"), Err(SlugError::BadCharacters));
        assert_eq!(Slug::parse("-a"), Err(SlugError::BadCharacters));
        assert_eq!(Slug::parse("a b"), Err(SlugError::BadCharacters));
        assert_eq!(Slug::parse(&"a".repeat(49)), Err(SlugError::TooLong));
        assert_eq!(Slug::parse("api"), Err(SlugError::Reserved("api".into())));
    }

    #[test]
    fn suffixes_keep_the_length_limit() {
        let long = Slug::from_name(&"a".repeat(48));
        let next = long.with_suffix(12);
        assert_eq!(next.as_str().len(), SLUG_MAX_CHARS);
        assert!(next.as_str().ends_with("-12"));
        assert!(Slug::parse(next.as_str()).is_ok());
        assert_eq!(
            Slug::from_name("apollo").with_suffix(2).as_str(),
            "apollo-2"
        );
    }
}
