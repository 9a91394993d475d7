//! Hides secrets from what the dashboard shows: API keys (the configured ones, and whatever a
//! request presented in `x-api-key`, `Authorization` or the OAuth URL's `apiKey=`) and Bluesky
//! app passwords, in the request log's paths, headers and bodies and anywhere else in a
//! snapshot. `GET /__mock/requests` stays unmasked: tests read it to check what was sent.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::routes::url::query_params;
use crate::state::RecordedRequest;

/// What stands in for a secret.
const BULLETS: &str = "••••••••";

/// Secrets shorter than this are masked where they are known to be (a header, `apiKey=`,
/// `appPassword`) but not searched for in other text, which they would shred.
const MIN_SEARCHED_LEN: usize = 4;

/// Headers whose whole value is a credential.
const SECRET_HEADERS: [&str; 4] = [
    "x-api-key",
    "authorization",
    "proxy-authorization",
    "cookie",
];

/// JSON members (at any depth of a request body) whose string value is a credential.
const SECRET_MEMBERS: [&str; 3] = ["appPassword", "password", "apiKey"];

/// A request log line: what the dashboard's table shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LogLine {
    /// Position in the log (0 is the first request since the start or the last reset).
    pub(crate) id: usize,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) status: Option<u16>,
    pub(crate) time: String,
}

/// A log line with the request's headers and body, for the detail view.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LogDetail {
    #[serde(flatten)]
    pub(crate) line: LogLine,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: String,
}

/// Masks with the server's configured keys, plus what each request itself presented.
pub(crate) struct Masker {
    keys: Vec<String>,
}

impl Masker {
    pub(crate) fn new(keys: &[String]) -> Self {
        Self {
            keys: keys.to_vec(),
        }
    }

    /// The table line for request `id`: its path with `apiKey=` and any secret masked.
    pub(crate) fn line(&self, id: usize, request: &RecordedRequest) -> LogLine {
        let secrets = self.secrets_of(request);
        LogLine {
            id,
            method: request.method.clone(),
            path: replace_all(&mask_query(&request.path), &secrets),
            status: request.status,
            time: request.time.clone(),
        }
    }

    /// The detail of request `id`: the line, plus headers and body with every secret masked.
    pub(crate) fn detail(&self, id: usize, request: &RecordedRequest) -> LogDetail {
        let secrets = self.secrets_of(request);
        let headers = request
            .headers
            .iter()
            .map(|(name, value)| {
                let value = if SECRET_HEADERS.contains(&name.as_str()) {
                    mask(value)
                } else {
                    replace_all(value, &secrets)
                };
                (name.clone(), value)
            })
            .collect();
        LogDetail {
            line: self.line(id, request),
            headers,
            body: replace_all(&request.body, &secrets),
        }
    }

    /// Replaces the configured keys in every string of `value` (object member names too).
    pub(crate) fn scrub(&self, value: &mut Value) {
        let secrets = searchable(self.keys.iter().map(|k| Secret::key(k)).collect());
        if !secrets.is_empty() {
            scrub_value(value, &secrets);
        }
    }

    /// The configured keys and the credentials `request` carries, longest first.
    fn secrets_of(&self, request: &RecordedRequest) -> Vec<Secret> {
        let mut secrets: Vec<Secret> = self.keys.iter().map(|k| Secret::key(k)).collect();
        for name in SECRET_HEADERS {
            if let Some(value) = request.headers.get(name) {
                secrets.push(Secret::key(value));
                // `Bearer <token>`: the token alone may appear elsewhere too.
                if let Some((_, token)) = value.split_once(' ') {
                    secrets.push(Secret::key(token.trim()));
                }
            }
        }
        if let Some((_, query)) = request.path.split_once('?') {
            secrets.extend(
                query_params(query)
                    .into_iter()
                    .filter(|(name, _)| name == "apiKey")
                    .map(|(_, value)| Secret::key(&value)),
            );
        }
        if let Ok(body) = serde_json::from_str::<Value>(&request.body) {
            collect_secret_members(&body, &mut secrets);
        }
        searchable(secrets)
    }
}

/// A secret found in what the dashboard shows, and what is shown instead.
struct Secret {
    text: String,
    shown: String,
}

impl Secret {
    /// An API key (or another credential of a header): shown as [`mask`] makes it.
    fn key(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            shown: mask(text),
        }
    }

    /// A password: bullets only, whatever its length.
    fn password(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            shown: BULLETS.to_owned(),
        }
    }
}

/// A key's stand-in: a long key keeps its first four characters (enough to tell two keys
/// apart, too few to guess the rest), a short one is bullets only.
pub(crate) fn mask(secret: &str) -> String {
    if secret.is_empty() {
        return String::new();
    }
    if secret.chars().count() >= 16 {
        let prefix: String = secret.chars().take(4).collect();
        format!("{prefix}{BULLETS}")
    } else {
        BULLETS.to_owned()
    }
}

/// `path?a=1&apiKey=SECRET` with the values of every `apiKey` parameter masked (the raw,
/// percent-encoded text is replaced, so the rest of the path stays as it was sent).
fn mask_query(path: &str) -> String {
    let Some((base, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let masked: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if is_api_key_param(name) => {
                let decoded = query_params(&format!("v={value}"))
                    .pop()
                    .map(|(_, v)| v)
                    .unwrap_or_default();
                format!("{name}={}", mask(&decoded))
            }
            _ => pair.to_owned(),
        })
        .collect();
    let mut out = format!("{base}?{}", masked.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

fn is_api_key_param(raw_name: &str) -> bool {
    query_params(raw_name)
        .first()
        .is_some_and(|(name, _)| name == "apiKey")
}

/// Secrets worth searching for, deduplicated, longest first (so a key that contains another
/// is replaced whole); of two equal texts, the password (all bullets) wins.
fn searchable(mut secrets: Vec<Secret>) -> Vec<Secret> {
    secrets.retain(|s| s.text.chars().count() >= MIN_SEARCHED_LEN);
    secrets.sort_by(|a, b| {
        b.text
            .len()
            .cmp(&a.text.len())
            .then_with(|| a.text.cmp(&b.text))
            .then_with(|| a.shown.len().cmp(&b.shown.len()))
    });
    secrets.dedup_by(|later, kept| later.text == kept.text);
    secrets
}

fn replace_all(text: &str, secrets: &[Secret]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if out.contains(secret.text.as_str()) {
            out = out.replace(secret.text.as_str(), &secret.shown);
        }
    }
    out
}

fn scrub_value(value: &mut Value, secrets: &[Secret]) {
    match value {
        Value::String(text) => {
            if secrets.iter().any(|s| text.contains(s.text.as_str())) {
                *text = replace_all(text, secrets);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_value(v, secrets)),
        Value::Object(members) => {
            let names: Vec<String> = members.keys().cloned().collect();
            for name in names {
                let clean = replace_all(&name, secrets);
                if let Some(mut inner) = members.remove(&name) {
                    scrub_value(&mut inner, secrets);
                    members.insert(clean, inner);
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn collect_secret_members(value: &Value, into: &mut Vec<Secret>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect_secret_members(v, into)),
        Value::Object(members) => {
            for (name, inner) in members {
                match inner {
                    Value::String(secret) if name == "apiKey" => into.push(Secret::key(secret)),
                    Value::String(secret) if SECRET_MEMBERS.contains(&name.as_str()) => {
                        into.push(Secret::password(secret));
                    }
                    _ => collect_secret_members(inner, into),
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, headers: &[(&str, &str)], body: &str) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: path.into(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.into(),
            status: Some(200),
            time: "2025-01-15T14:01:00Z".into(),
        }
    }

    #[test]
    fn masks_short_and_long_secrets() {
        assert_eq!(mask("pc_test_key"), BULLETS);
        assert_eq!(mask("pc_live_0123456789abcdef"), format!("pc_l{BULLETS}"));
        assert_eq!(mask(""), "");
    }

    #[test]
    fn masks_the_oauth_query_key_however_it_is_encoded() {
        let masker = Masker::new(&["pc_test_key".into()]);
        let line = masker.line(
            0,
            &request(
                "/profiles/connect?platform=linkedin&api%4Bey=a%2Bb%2Fsecret%3D&returnUrl=x#f",
                &[],
                "",
            ),
        );
        assert_eq!(
            line.path,
            format!("/profiles/connect?platform=linkedin&api%4Bey={BULLETS}&returnUrl=x#f")
        );
    }

    #[test]
    fn masks_presented_keys_and_app_passwords_everywhere_in_a_request() {
        let masker = Masker::new(&["pc_test_key".into()]);
        let detail = masker.detail(
            3,
            &request(
                "/posts/wrong_key_value_1234",
                &[
                    ("x-api-key", "wrong_key_value_1234"),
                    ("authorization", "Bearer tok_abcdefgh"),
                    ("x-echo", "pc_test_key and tok_abcdefgh"),
                ],
                r#"{"credentials":{"handle":"a.bsky.social","appPassword":"abcd-efgh-ijkl-mnop"},"note":"pc_test_key"}"#,
            ),
        );
        let text = serde_json::to_string(&detail).unwrap_or_default();
        for secret in [
            "pc_test_key",
            "wrong_key_value_1234",
            "tok_abcdefgh",
            "abcd-efgh-ijkl-mnop",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(detail.line.id, 3);
        assert_eq!(detail.headers["x-api-key"], format!("wron{BULLETS}"));
        assert!(detail.body.contains("a.bsky.social"), "{}", detail.body);
        assert!(
            detail
                .body
                .contains(&format!(r#""appPassword":"{BULLETS}""#)),
            "passwords keep no prefix: {}",
            detail.body
        );
    }

    #[test]
    fn scrubs_keys_in_names_and_values() {
        let masker = Masker::new(&["pc_test_key".into(), "k".into()]);
        let mut value = serde_json::json!({"pc_test_key": ["x pc_test_key y", 1, {"k": "k"}]});
        masker.scrub(&mut value);
        assert_eq!(
            value,
            serde_json::json!({BULLETS: [format!("x {BULLETS} y"), 1, {"k": "k"}]})
        );
    }
}
