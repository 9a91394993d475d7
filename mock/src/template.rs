//! `$NOW` templates: scenario files cannot know the mock clock when they are written, so a JSON
//! string of the exact form `$NOW`, `$NOW+<n>` or `$NOW-<n>` (n whole seconds) stands for the
//! ISO timestamp of mock-now plus or minus n, filled in when a fault is applied or a seed loaded.
//! `$UNIX`, `$UNIX+<n>`, `$UNIX-<n>` stand for the same instant in Unix seconds (for headers
//! such as `X-RateLimit-Reset`).

use serde_json::Value;

use crate::time::iso8601;

/// The ISO timestamp a template string stands for, or `None` if `text` is not a template.
pub(crate) fn expand_str(text: &str, now: i64) -> Option<String> {
    if let Some(rest) = text.strip_prefix("$UNIX") {
        return Some(now.checked_add(offset(rest)?)?.to_string());
    }
    let rest = text.strip_prefix("$NOW")?;
    Some(iso8601(now.checked_add(offset(rest)?)?))
}

/// The `+<n>` / `-<n>` after a template's name (nothing: 0).
fn offset(rest: &str) -> Option<i64> {
    let delta = match rest.as_bytes().first() {
        None => 0,
        Some(sign @ (b'+' | b'-')) => {
            let digits = &rest[1..];
            if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
                return None;
            }
            let n: i64 = digits.parse().ok()?;
            if *sign == b'+' { n } else { -n }
        }
        Some(_) => return None,
    };
    Some(delta)
}

/// Replaces every template string inside `value` (object values and array items, at any depth;
/// object keys are left alone).
pub(crate) fn expand(value: &mut Value, now: i64) {
    match value {
        Value::String(text) => {
            if let Some(expanded) = expand_str(text, now) {
                *text = expanded;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| expand(v, now)),
        Value::Object(fields) => fields.values_mut().for_each(|v| expand(v, now)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn expands_exact_templates_only() {
        let now = 1_736_949_660;
        assert_eq!(
            expand_str("$NOW", now).as_deref(),
            Some("2025-01-15T14:01:00Z")
        );
        assert_eq!(
            expand_str("$NOW+60", now).as_deref(),
            Some("2025-01-15T14:02:00Z")
        );
        assert_eq!(
            expand_str("$NOW-1", now).as_deref(),
            Some("2025-01-15T14:00:59Z")
        );
        assert_eq!(expand_str("$UNIX+5", now).as_deref(), Some("1736949665"));
        assert_eq!(expand_str("$UNIX", now).as_deref(), Some("1736949660"));
        for text in [
            "$NOW+", "$NOW+1.5", "$NOW +1", "x$NOW", "$NOWISH", "$NOW+-1", "$now", "$UNIX+x",
        ] {
            assert_eq!(expand_str(text, now), None, "{text}");
        }
        let mut value = json!({"a": ["$NOW+1", {"b": "$NOW"}], "$NOW": 1, "c": "$NOW!"});
        expand(&mut value, now);
        assert_eq!(
            value,
            json!({"a": ["2025-01-15T14:01:01Z", {"b": "2025-01-15T14:01:00Z"}], "$NOW": 1, "c": "$NOW!"})
        );
    }
}
