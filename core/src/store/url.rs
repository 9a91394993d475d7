//! Store URLs: `memory://[NAME]`, `sqlite:///absolute/path.db`,
//! `redis://[[user]:password@]host[:port][/db]` and `rediss://…`.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// A parsed store URL.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum StoreUrl {
    /// This process's memory; the name picks one of several (empty: the default).
    Memory(String),
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A Redis server.
    Redis(RedisUrl),
}

/// Where a Redis server is, and how to log in.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RedisUrl {
    pub(crate) tls: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) db: i64,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
}

impl std::fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

const FORMS: &str = "memory://, sqlite:///absolute/path.db, redis://[:password@]host[:port][/db] \
                     or rediss://…";

impl StoreUrl {
    /// Parses `raw`; `source` names where it came from (`POSTCORE_STORE`) in errors.
    pub(crate) fn parse(raw: &str, source: Option<&str>) -> Result<Self> {
        let bad = |why: String| {
            let from = source.map_or(String::new(), |s| format!(" (from {s})"));
            Error::config(format!(
                "invalid store URL {}{from}: {why}; expected {FORMS}",
                quoted_redacted(raw)
            ))
        };
        let Some((scheme, rest)) = raw.split_once("://") else {
            return Err(bad("no scheme".to_owned()));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "memory" => {
                let name = rest.trim_end_matches('/');
                if name.contains(['/', '?', '#', '@']) {
                    return Err(bad("a memory store has only a name".to_owned()));
                }
                Ok(Self::Memory(name.to_owned()))
            }
            "sqlite" => {
                if rest.contains(['?', '#']) {
                    return Err(bad("options in the URL are not supported".to_owned()));
                }
                if !rest.starts_with('/') {
                    return Err(bad(
                        "the path must be absolute (three slashes: sqlite:///var/lib/app/postcore.db)"
                            .to_owned(),
                    ));
                }
                let path = percent_decode(rest).ok_or_else(|| bad("bad %-escape".to_owned()))?;
                if path.ends_with('/') || path == "/" {
                    return Err(bad(
                        "the path names a folder, not a database file".to_owned()
                    ));
                }
                Ok(Self::Sqlite(PathBuf::from(path)))
            }
            scheme @ ("redis" | "rediss") => {
                let parsed = url::Url::parse(raw).map_err(|e| bad(e.to_string()))?;
                if parsed.query().is_some() || parsed.fragment().is_some() {
                    return Err(bad("options in the URL are not supported".to_owned()));
                }
                let host = parsed
                    .host_str()
                    .filter(|h| !h.is_empty())
                    .ok_or_else(|| bad("the host is required".to_owned()))?
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_owned();
                let db =
                    match parsed.path().trim_matches('/') {
                        "" => 0,
                        db => db.parse::<i64>().ok().filter(|d| *d >= 0).ok_or_else(|| {
                            bad(format!("the database must be a number, not {db:?}"))
                        })?,
                    };
                let decode =
                    |s: &str| percent_decode(s).ok_or_else(|| bad("bad %-escape".to_owned()));
                let username = match parsed.username() {
                    "" => None,
                    user => Some(decode(user)?),
                };
                let password = match parsed.password() {
                    None | Some("") => None,
                    Some(p) => Some(decode(p)?),
                };
                Ok(Self::Redis(RedisUrl {
                    tls: scheme == "rediss",
                    host,
                    port: parsed.port().unwrap_or(6379),
                    db,
                    username,
                    password,
                }))
            }
            other => Err(bad(format!("unsupported scheme {other:?}"))),
        }
    }

    /// What identifies a connection to the store (clients whose URLs have the same identity
    /// share one). A Redis password is part of it, as a hash: a client with the wrong one
    /// must not use the connection another opened with the right one.
    pub(crate) fn identity(&self) -> String {
        match self {
            Self::Memory(name) => format!("memory://{name}"),
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Redis(r) => format!(
                "redis{}://{}:{}@{}:{}/{}",
                if r.tls { "s" } else { "" },
                r.username.as_deref().unwrap_or(""),
                r.password
                    .as_deref()
                    .map_or_else(String::new, |p| super::backend::namespace(
                        p,
                        "store password"
                    )),
                r.host,
                r.port,
                r.db
            ),
        }
    }

    /// The URL with its password masked, for messages.
    pub(crate) fn redacted(&self) -> String {
        match self {
            Self::Memory(name) => format!("memory://{name}"),
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Redis(r) => {
                let auth = match (&r.username, &r.password) {
                    (None, None) => String::new(),
                    (user, Some(_)) => format!("{}:<redacted>@", user.as_deref().unwrap_or("")),
                    (Some(user), None) => format!("{user}@"),
                };
                let host = if r.host.contains(':') {
                    format!("[{}]", r.host)
                } else {
                    r.host.clone()
                };
                format!(
                    "redis{}://{auth}{host}:{}/{}",
                    if r.tls { "s" } else { "" },
                    r.port,
                    r.db
                )
            }
        }
    }

    /// Why this build cannot open such a store (a feature left out).
    #[cfg_attr(all(feature = "sqlite", feature = "redis"), allow(dead_code))]
    pub(crate) fn unsupported_reason(&self) -> &'static str {
        match self {
            Self::Memory(_) => "",
            Self::Sqlite(_) => "built without the `sqlite` feature",
            Self::Redis(_) => "built without the `redis` feature",
        }
    }
}

/// `raw` for an error message, with anything between `:` and `@` of the authority masked.
fn quoted_redacted(raw: &str) -> String {
    let masked = match (raw.find("://"), raw.rfind('@')) {
        (Some(start), Some(at)) if at > start + 3 => {
            let auth = &raw[start + 3..at];
            match auth.find(':') {
                Some(colon) => format!(
                    "{}{}:<redacted>{}",
                    &raw[..start + 3],
                    &auth[..colon],
                    &raw[at..]
                ),
                None => raw.to_owned(),
            }
        }
        _ => raw.to_owned(),
    };
    format!("{masked:?}")
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses() {
        assert_eq!(
            StoreUrl::parse("memory://", None).ok(),
            Some(StoreUrl::Memory(String::new()))
        );
        assert_eq!(
            StoreUrl::parse("memory://fleet-a", None).ok(),
            Some(StoreUrl::Memory("fleet-a".into()))
        );
        assert_eq!(
            StoreUrl::parse("sqlite:///var/lib/app/post%20core.db", None).ok(),
            Some(StoreUrl::Sqlite("/var/lib/app/post core.db".into()))
        );
        let Ok(StoreUrl::Redis(r)) = StoreUrl::parse("redis://cache.internal", None) else {
            panic!("redis URL");
        };
        assert_eq!(
            (r.host.as_str(), r.port, r.db, r.tls),
            ("cache.internal", 6379, 0, false)
        );
        let Ok(StoreUrl::Redis(r)) = StoreUrl::parse("rediss://:s%40cret@10.0.0.5:6380/3", None)
        else {
            panic!("rediss URL");
        };
        assert_eq!(r.password.as_deref(), Some("s@cret"));
        assert_eq!((r.port, r.db, r.tls), (6380, 3, true));
        assert_eq!(
            StoreUrl::Redis(r).redacted(),
            "rediss://:<redacted>@10.0.0.5:6380/3"
        );
    }

    #[test]
    fn malformed_urls_are_configuration_errors_without_the_password() {
        for bad in [
            "redis://",
            "redis://:pw@/0",
            "redis://host/x",
            "sqlite://relative.db",
            "sqlite:///",
            "postgres://db",
            "memory:///x/y",
            "nothing",
        ] {
            let err = StoreUrl::parse(bad, None).unwrap_err();
            assert_eq!(err.kind(), crate::error::ErrorKind::Configuration, "{bad}");
            assert!(err.message().contains("expected memory://"), "{err}");
        }
        let err = StoreUrl::parse("redis://:hunter2@/x", Some("POSTCORE_STORE")).unwrap_err();
        assert!(!err.message().contains("hunter2"), "{err}");
        assert!(err.message().contains("POSTCORE_STORE"), "{err}");
    }
}
