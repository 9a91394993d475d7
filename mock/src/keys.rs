//! Which API keys a server run by hand accepts, and how its start-up lines show them.
//!
//! Shared by the `postcore-mock` binary, `postcore mock` and `python -m postcore.testing`, so
//! that all three behave and speak alike: without an explicit key, the server accepts the
//! default test key *and* the key of the environment (so the README's
//! `POSTCORE_API_KEY=pc_test_key …` and a shell that already holds a key both work), and every
//! key is shown masked with where it came from: a real key must not land on a screen or in a
//! CI log.

use crate::config::DEFAULT_API_KEY;

/// Where an accepted key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    /// Given on the command line (`--api-key`).
    Flag,
    /// Read from this environment variable.
    Environment(String),
    /// The default test key, [`DEFAULT_API_KEY`].
    Default,
}

/// One key the server accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedKey {
    /// The key itself.
    pub key: String,
    /// Where it came from.
    pub origin: KeyOrigin,
}

/// The keys to accept: the `--api-key` flags when any were given; else the default test key,
/// plus the value of `variable` when it is set (and differs).
pub fn accepted_keys(flags: Vec<String>, variable: &str) -> Vec<AcceptedKey> {
    if !flags.is_empty() {
        let keys = flags.into_iter().map(|key| AcceptedKey {
            key,
            origin: KeyOrigin::Flag,
        });
        return keys.collect();
    }
    let mut keys = vec![AcceptedKey {
        key: DEFAULT_API_KEY.to_owned(),
        origin: KeyOrigin::Default,
    }];
    if let Some(key) = std::env::var(variable)
        .ok()
        .filter(|k| !k.is_empty() && k != DEFAULT_API_KEY)
    {
        keys.push(AcceptedKey {
            key,
            origin: KeyOrigin::Environment(variable.to_owned()),
        });
    }
    keys
}

/// Enough of a key to recognise it, not enough to use it: `pc_t…_key`. Keys shorter than 12
/// characters show only their first two.
pub fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 11 {
        let head: String = chars.iter().take(2).collect();
        return format!("{head}…");
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// The line that says which keys are accepted: "accepts x-api-key pc_t…_key (the default
/// test key) or sk_l…_xyz (from $POSTCORE_API_KEY)".
pub fn describe(keys: &[AcceptedKey]) -> String {
    let shown: Vec<String> = keys
        .iter()
        .map(|k| {
            let origin = match &k.origin {
                KeyOrigin::Flag => "from --api-key".to_owned(),
                KeyOrigin::Environment(variable) => format!("from ${variable}"),
                KeyOrigin::Default => "the default test key".to_owned(),
            };
            format!("{} ({origin})", mask(&k.key))
        })
        .collect();
    format!("accepts x-api-key {}", shown.join(" or "))
}

/// The lines a server run by hand prints on stderr once it listens (`name`: the program).
pub fn banner(name: &str, url: &str, dashboard: &str, keys: &[AcceptedKey]) -> Vec<String> {
    vec![
        format!("{name}: serving the postcore API at {url} (Ctrl-C to stop)"),
        format!("{name}: dashboard at {dashboard} (this machine only)"),
        format!("{name}: {}", describe(keys)),
        format!(
            "{name}: point the SDKs and the CLI at it with POSTCORE_BASE_URL={url} \
             POSTCORE_API_KEY=<an accepted key>"
        ),
        format!(
            "{name}: move its clock with `postcore mock advance 1h` (POSTCORE_BASE_URL={url}) \
             or POST {url}/__mock/advance {{\"seconds\": 3600}}"
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_and_attributed() {
        assert_eq!(mask("pc_test_key"), "pc_t…_key");
        assert_eq!(mask("pc_live_SUPERSECRET_123"), "pc_l…_123");
        assert_eq!(mask("short"), "sh…");
        let keys = [
            AcceptedKey {
                key: DEFAULT_API_KEY.to_owned(),
                origin: KeyOrigin::Default,
            },
            AcceptedKey {
                key: "pc_live_SUPERSECRET_123".to_owned(),
                origin: KeyOrigin::Environment("POSTCORE_API_KEY".to_owned()),
            },
        ];
        let line = describe(&keys);
        assert_eq!(
            line,
            "accepts x-api-key pc_t…_key (the default test key) or pc_l…_123 (from $POSTCORE_API_KEY)"
        );
        assert!(!line.contains("SUPERSECRET"));
        let flags = accepted_keys(vec!["k1".to_owned()], "POSTCORE_API_KEY");
        assert_eq!(flags[0].origin, KeyOrigin::Flag);
    }
}
