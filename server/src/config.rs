//! Configuration from the environment (and a `.env` file in development).

use std::net::SocketAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `DATABASE_URL`: required.
    pub database_url: String,
    /// `CADENCE_ADDR`, else `LEPTOS_SITE_ADDR` (set by cargo-leptos), else 127.0.0.1:3000.
    pub addr: SocketAddr,
    /// `CADENCE_LOG`, else `RUST_LOG`, else a quiet default.
    pub log_filter: String,
    /// `CADENCE_SECURE_COOKIES`: mark cookies `Secure` (behind HTTPS). Default false.
    pub secure_cookies: bool,
    /// `CADENCE_TRUST_PROXY`: take the client address from `X-Forwarded-For` (only behind a
    /// reverse proxy that sets it). Default false.
    pub trust_proxy: bool,
    /// `CADENCE_DB_MAX_CONNECTIONS`: pool size per server process. Default 10.
    pub db_max_connections: u32,
    /// `CADENCE_REGISTRATION`: `open` (anyone may sign up, the default) or `closed` (accounts
    /// are made with `server create-user`).
    pub registration: app::model::accounts::Registration,
    /// `CADENCE_REGISTRATIONS_PER_HOUR`: accounts one client address may register in an
    /// hour (1 to 100000). Default 20.
    pub registrations_per_hour: i64,
    /// `CADENCE_IMPORT_LIMIT_MB`: the largest project document an import accepts, in MB
    /// (1 to [`IMPORT_LIMIT_MB_MAX`]). Default 128 (about 150,000 items).
    pub import_limit_mb: u32,
    /// `CADENCE_HEADER_TIMEOUT_SECS` (default 10), `CADENCE_BODY_TIMEOUT_SECS` (30, between
    /// two chunks of a body), `CADENCE_REQUEST_TIMEOUT_SECS` (60, until the answer starts).
    pub timeouts: crate::serve::Timeouts,
    /// `CADENCE_STATEMENT_TIMEOUT_SECS` (default 30) and `CADENCE_LOCK_TIMEOUT_SECS` (10):
    /// how long one database statement may run, and wait for a lock.
    pub db_timeouts: crate::DbTimeouts,
    /// `CADENCE_LOG_FORMAT`: `text` (the default) or `json` (one object per line, with the
    /// request's id).
    pub log_json: bool,
    /// `CADENCE_METRICS_ADDR`: where Prometheus metrics are served (`GET /metrics`); off
    /// when unset, and never on the application's own address.
    pub metrics_addr: Option<SocketAddr>,
    /// Notification email: on when `CADENCE_SMTP_URL` is set (with `CADENCE_EMAIL_FROM`;
    /// links use `CADENCE_PUBLIC_URL`, else `http://` and the address; at most one email per
    /// person every `CADENCE_EMAIL_BATCH_SECS`, default 180).
    pub mail: Option<app::service::email::MailSettings>,
}

/// The highest `CADENCE_IMPORT_LIMIT_MB` (an import may hold about twice its document).
pub const IMPORT_LIMIT_MB_MAX: u32 = 4096;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set: {1}")]
    Missing(&'static str, &'static str),
    #[error("{name} has an invalid value {value:?}: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

pub const DEFAULT_LOG_FILTER: &str = "info,sqlx=warn,tower_http=info";

impl Config {
    pub fn auth(&self) -> app::auth::AuthConfig {
        app::auth::AuthConfig {
            secure_cookies: self.secure_cookies,
            trust_proxy: self.trust_proxy,
            registration: self.registration,
            registrations_per_hour: self.registrations_per_hour,
            ..Default::default()
        }
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process env.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let database_url = var("DATABASE_URL").ok_or(ConfigError::Missing(
            "DATABASE_URL",
            "set it to postgres://user:password@host:port/database (./x run sets up a local one)",
        ))?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                value: redact(&database_url),
                reason: "expected a postgres:// or postgresql:// URL".into(),
            });
        }

        let (addr_name, addr_raw) = match (var("CADENCE_ADDR"), var("LEPTOS_SITE_ADDR")) {
            (Some(v), _) => ("CADENCE_ADDR", v),
            (None, Some(v)) => ("LEPTOS_SITE_ADDR", v),
            (None, None) => ("CADENCE_ADDR", "127.0.0.1:3000".to_owned()),
        };
        let addr =
            addr_raw
                .parse()
                .map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                    name: addr_name,
                    value: addr_raw.clone(),
                    reason: format!("{e}; expected host:port such as 127.0.0.1:3000"),
                })?;

        let log_filter = var("CADENCE_LOG")
            .or_else(|| var("RUST_LOG"))
            .unwrap_or_else(|| DEFAULT_LOG_FILTER.to_owned());

        let secure_cookies = match var("CADENCE_SECURE_COOKIES") {
            None => false,
            Some(v) => parse_bool(&v).ok_or(ConfigError::Invalid {
                name: "CADENCE_SECURE_COOKIES",
                value: v,
                reason: "expected true or false".into(),
            })?,
        };

        let trust_proxy = match var("CADENCE_TRUST_PROXY") {
            None => false,
            Some(v) => parse_bool(&v).ok_or(ConfigError::Invalid {
                name: "CADENCE_TRUST_PROXY",
                value: v,
                reason: "expected true or false".into(),
            })?,
        };

        let db_max_connections = match var("CADENCE_DB_MAX_CONNECTIONS") {
            None => 10,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(ConfigError::Invalid {
                    name: "CADENCE_DB_MAX_CONNECTIONS",
                    value: v,
                    reason: "expected a whole number above 0".into(),
                })?,
        };

        let registration = match var("CADENCE_REGISTRATION") {
            None => app::model::accounts::Registration::Open,
            Some(v) => {
                app::model::accounts::Registration::parse(&v).ok_or(ConfigError::Invalid {
                    name: "CADENCE_REGISTRATION",
                    value: v,
                    reason: "expected open or closed".into(),
                })?
            }
        };

        let registrations_per_hour = match var("CADENCE_REGISTRATIONS_PER_HOUR") {
            None => app::service::accounts::MAX_REGISTRATIONS_PER_ADDRESS,
            Some(v) => v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or(ConfigError::Invalid {
                    name: "CADENCE_REGISTRATIONS_PER_HOUR",
                    value: v,
                    reason: "expected a whole number from 1 to 100000".into(),
                })?,
        };

        let import_limit_mb = match var("CADENCE_IMPORT_LIMIT_MB") {
            None => 128,
            Some(v) => v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=IMPORT_LIMIT_MB_MAX).contains(n))
                .ok_or(ConfigError::Invalid {
                    name: "CADENCE_IMPORT_LIMIT_MB",
                    value: v,
                    reason: format!(
                        "expected a whole number of megabytes from 1 to {IMPORT_LIMIT_MB_MAX}"
                    ),
                })?,
        };

        let secs = |name: &'static str, default: std::time::Duration| -> Result<_, ConfigError> {
            match var(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=86_400).contains(n))
                    .map(std::time::Duration::from_secs)
                    .ok_or(ConfigError::Invalid {
                        name,
                        value: v,
                        reason: "expected a whole number of seconds from 1 to 86400".into(),
                    }),
            }
        };
        let serve = crate::serve::Timeouts::default();
        let timeouts = crate::serve::Timeouts {
            header_read: secs("CADENCE_HEADER_TIMEOUT_SECS", serve.header_read)?,
            body_idle: secs("CADENCE_BODY_TIMEOUT_SECS", serve.body_idle)?,
            request: secs("CADENCE_REQUEST_TIMEOUT_SECS", serve.request)?,
            shutdown_grace: secs("CADENCE_SHUTDOWN_GRACE_SECS", serve.shutdown_grace)?,
        };
        let db = crate::DbTimeouts::default();
        let db_timeouts = crate::DbTimeouts {
            statement: secs("CADENCE_STATEMENT_TIMEOUT_SECS", db.statement)?,
            lock: secs("CADENCE_LOCK_TIMEOUT_SECS", db.lock)?,
        };

        let log_json = match var("CADENCE_LOG_FORMAT") {
            None => false,
            Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                "text" => false,
                "json" => true,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "CADENCE_LOG_FORMAT",
                        value: v,
                        reason: "expected text or json".into(),
                    })
                }
            },
        };
        let metrics_addr = match var("CADENCE_METRICS_ADDR") {
            None => None,
            Some(v) => Some(
                v.trim()
                    .parse::<SocketAddr>()
                    .map_err(|e| ConfigError::Invalid {
                        name: "CADENCE_METRICS_ADDR",
                        value: v.clone(),
                        reason: format!("{e}; expected host:port such as 127.0.0.1:9300"),
                    })?,
            ),
        };
        if metrics_addr == Some(addr) {
            return Err(ConfigError::Invalid {
                name: "CADENCE_METRICS_ADDR",
                value: addr.to_string(),
                reason: "it must differ from CADENCE_ADDR: metrics are not for the public".into(),
            });
        }

        let public_url = match var("CADENCE_PUBLIC_URL") {
            None => format!("http://{addr}"),
            Some(v) => {
                let trimmed = v.trim().trim_end_matches('/');
                let ok = (trimmed.starts_with("http://") || trimmed.starts_with("https://"))
                    && trimmed.split("://").nth(1).is_some_and(|h| !h.is_empty());
                if !ok {
                    return Err(ConfigError::Invalid {
                        name: "CADENCE_PUBLIC_URL",
                        value: v,
                        reason:
                            "expected the address people open, such as https://cadence.example.com"
                                .into(),
                    });
                }
                trimmed.to_owned()
            }
        };
        let mail = match var("CADENCE_SMTP_URL") {
            None => None,
            Some(smtp_url) => {
                if !(smtp_url.starts_with("smtp://") || smtp_url.starts_with("smtps://")) {
                    return Err(ConfigError::Invalid {
                        name: "CADENCE_SMTP_URL",
                        value: redact(&smtp_url),
                        reason: "expected smtps://user:password@host:465 or \
                                 smtp://user:password@host:587?tls=required"
                            .into(),
                    });
                }
                let from = var("CADENCE_EMAIL_FROM").ok_or(ConfigError::Missing(
                    "CADENCE_EMAIL_FROM",
                    "email needs a sender, such as \"Cadence <cadence@example.com>\"",
                ))?;
                let batch = match var("CADENCE_EMAIL_BATCH_SECS") {
                    None => std::time::Duration::from_secs(180),
                    Some(v) => v
                        .trim()
                        .parse::<u64>()
                        .ok()
                        .filter(|n| *n <= 86_400)
                        .map(std::time::Duration::from_secs)
                        .ok_or(ConfigError::Invalid {
                            name: "CADENCE_EMAIL_BATCH_SECS",
                            value: v,
                            reason: "expected a whole number of seconds from 0 to 86400".into(),
                        })?,
                };
                Some(app::service::email::MailSettings {
                    smtp_url,
                    from,
                    public_url,
                    batch,
                })
            }
        };

        Ok(Config {
            database_url,
            addr,
            log_filter,
            secure_cookies,
            trust_proxy,
            db_max_connections,
            registration,
            registrations_per_hour,
            import_limit_mb,
            timeouts,
            db_timeouts,
            log_json,
            metrics_addr,
            mail,
        })
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn a_missing_database_url_is_named() {
        let err = config(&[]).unwrap_err();
        assert!(matches!(err, ConfigError::Missing("DATABASE_URL", _)));
        assert!(err.to_string().starts_with("DATABASE_URL is not set"));
    }

    #[test]
    fn defaults_apply_when_only_the_database_is_given() {
        let c = config(&[("DATABASE_URL", "postgres://u@localhost/cadence")]).unwrap();
        assert_eq!(c.addr, "127.0.0.1:3000".parse().unwrap());
        assert!(!c.secure_cookies);
        assert_eq!(c.log_filter, DEFAULT_LOG_FILTER);
        assert_eq!(c.db_max_connections, 10);
        assert_eq!(c.import_limit_mb, 128);
    }

    #[test]
    fn email_is_off_without_smtp_and_needs_a_sender_with_it() {
        let base = ("DATABASE_URL", "postgres://h/db");
        assert_eq!(config(&[base]).unwrap().mail, None);
        let smtp = ("CADENCE_SMTP_URL", "smtp://mailer:secret@127.0.0.1:2525");
        let err = config(&[base, smtp]).unwrap_err();
        assert!(
            matches!(err, ConfigError::Missing("CADENCE_EMAIL_FROM", _)),
            "{err}"
        );
        let from = ("CADENCE_EMAIL_FROM", "Cadence <cadence@example.com>");
        let mail = config(&[base, smtp, from]).unwrap().mail.unwrap();
        assert_eq!(mail.public_url, "http://127.0.0.1:3000");
        assert_eq!(mail.batch, std::time::Duration::from_secs(180));
        let mail = config(&[
            base,
            smtp,
            from,
            ("CADENCE_PUBLIC_URL", "https://cadence.example.com/"),
            ("CADENCE_EMAIL_BATCH_SECS", "0"),
        ])
        .unwrap()
        .mail
        .unwrap();
        assert_eq!(mail.public_url, "https://cadence.example.com");
        assert_eq!(mail.batch, std::time::Duration::ZERO);
        // A wrong scheme is named, and its password is not repeated.
        let err = config(&[base, from, ("CADENCE_SMTP_URL", "http://u:hunter2@h")]).unwrap_err();
        assert!(err.to_string().starts_with("CADENCE_SMTP_URL"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = config(&[base, ("CADENCE_PUBLIC_URL", "cadence.example.com")]).unwrap_err();
        assert!(err.to_string().starts_with("CADENCE_PUBLIC_URL"), "{err}");
    }

    #[test]
    fn timeouts_are_settings_in_seconds_with_defaults() {
        let base = ("DATABASE_URL", "postgres://h/db");
        let c = config(&[base]).unwrap();
        assert_eq!(c.timeouts, crate::serve::Timeouts::default());
        assert_eq!(c.db_timeouts, crate::DbTimeouts::default());
        let c = config(&[
            base,
            ("CADENCE_HEADER_TIMEOUT_SECS", "3"),
            ("CADENCE_LOCK_TIMEOUT_SECS", "2"),
        ])
        .unwrap();
        assert_eq!(c.timeouts.header_read, std::time::Duration::from_secs(3));
        assert_eq!(c.db_timeouts.lock, std::time::Duration::from_secs(2));
        for bad in ["0", "-5", "soon", "100000"] {
            let err = config(&[base, ("CADENCE_REQUEST_TIMEOUT_SECS", bad)]).unwrap_err();
            assert!(
                err.to_string().starts_with("CADENCE_REQUEST_TIMEOUT_SECS"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn the_import_limit_is_a_setting_in_megabytes() {
        let base = ("DATABASE_URL", "postgres://h/db");
        let c = config(&[base, ("CADENCE_IMPORT_LIMIT_MB", "16")]).unwrap();
        assert_eq!(c.import_limit_mb, 16);
        for bad in ["0", "-1", "big", "5000"] {
            let err = config(&[base, ("CADENCE_IMPORT_LIMIT_MB", bad)]).unwrap_err();
            assert!(
                err.to_string().starts_with("CADENCE_IMPORT_LIMIT_MB"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn a_malformed_value_names_the_variable_and_hides_passwords() {
        let err = config(&[("DATABASE_URL", "mysql://u:hunter2@h/db")]).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("DATABASE_URL has an invalid value"),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "{text}");

        let err = config(&[
            ("DATABASE_URL", "postgres://h/db"),
            ("CADENCE_ADDR", "localhost"),
        ])
        .unwrap_err();
        assert!(err
            .to_string()
            .starts_with("CADENCE_ADDR has an invalid value \"localhost\""));

        let err = config(&[
            ("DATABASE_URL", "postgres://h/db"),
            ("CADENCE_SECURE_COOKIES", "maybe"),
        ])
        .unwrap_err();
        assert!(err.to_string().starts_with("CADENCE_SECURE_COOKIES"));
    }

    #[test]
    fn cadence_addr_wins_over_the_cargo_leptos_one() {
        let c = config(&[
            ("DATABASE_URL", "postgres://h/db"),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:4000"),
            ("CADENCE_ADDR", "0.0.0.0:8080"),
        ])
        .unwrap();
        assert_eq!(c.addr, "0.0.0.0:8080".parse().unwrap());
        assert!(
            config(&[
                ("DATABASE_URL", "postgres://h/db"),
                ("CADENCE_SECURE_COOKIES", "true")
            ])
            .unwrap()
            .secure_cookies
        );
    }

    #[test]
    fn registration_is_open_unless_closed() {
        use app::model::accounts::Registration;
        let base = ("DATABASE_URL", "postgres://h/db");
        assert_eq!(config(&[base]).unwrap().registration, Registration::Open);
        let closed = config(&[base, ("CADENCE_REGISTRATION", "Closed")]).unwrap();
        assert_eq!(closed.registration, Registration::Closed);
        assert_eq!(closed.auth().registration, Registration::Closed);
        let err = config(&[base, ("CADENCE_REGISTRATION", "invite")]).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("CADENCE_REGISTRATION has an invalid value \"invite\""));
    }

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://me:secret@db:5432/x"),
            "postgres://me:***@db:5432/x"
        );
        assert_eq!(redact("postgres://db/x"), "postgres://db/x");
    }
}
