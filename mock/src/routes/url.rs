//! The bits of URL handling the OAuth endpoint needs (its key and return URL come in the query
//! string), written out because axum's `query` feature is not enabled in this workspace.

/// `a=1&b=x%20y` as decoded pairs, in order (`+` is a space, as in HTML forms).
pub(crate) fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// Percent-decodes (and turns `+` into a space); malformed escapes stay as they are and
/// invalid UTF-8 is replaced.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An absolute `http:` or `https:` URL with a host, and no spaces or control characters.
pub(crate) fn is_absolute_http_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return false;
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return false,
        },
        None => match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    !host.is_empty() && port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// `url` with `name=value` added to its query (before any `#fragment`), and any byte a header
/// value cannot carry percent-encoded, so it can go into a `Location` header.
pub(crate) fn with_query_param(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with('?') || base.ends_with('&') => "",
        Some(_) => "&",
    };
    let mut out = format!(
        "{base}{separator}{}={}",
        encode_component(name),
        encode_component(value)
    );
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    let mut safe = String::with_capacity(out.len());
    for b in out.bytes() {
        if (0x21..0x7f).contains(&b) {
            safe.push(char::from(b));
        } else {
            safe.push_str(&format!("%{b:02X}"));
        }
    }
    safe
}

/// Text made safe to put in HTML, attributes included.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_query_strings() {
        assert_eq!(
            query_params("a=1&b=x%20y+z&c&&d=%zz%4"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y z".into()),
                ("c".into(), "".into()),
                ("d".into(), "%zz%4".into()),
            ]
        );
        assert_eq!(query_params("u=%E2%9C%93"), vec![("u".into(), "✓".into())]);
    }

    #[test]
    fn recognises_absolute_http_urls() {
        for ok in [
            "http://localhost",
            "https://example.com/done?x=1#top",
            "HTTPS://user@example.com:8080/",
            "http://[::1]:3000/cb",
            "https://exämple.com/é",
        ] {
            assert!(is_absolute_http_url(ok), "{ok}");
        }
        for bad in [
            "",
            "/relative",
            "example.com",
            "ftp://example.com",
            "http://",
            "http:///path",
            "http://host:port/",
            "http://exa mple.com",
            "http://[::1/",
            "javascript:alert(1)",
        ] {
            assert!(!is_absolute_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn adds_the_query_parameter_where_it_belongs() {
        let add = |url| with_query_param(url, "profileKey", "prof_a b&c");
        assert_eq!(add("http://x/cb"), "http://x/cb?profileKey=prof_a%20b%26c");
        assert_eq!(
            add("http://x/cb?a=1"),
            "http://x/cb?a=1&profileKey=prof_a%20b%26c"
        );
        assert_eq!(add("http://x/cb?"), "http://x/cb?profileKey=prof_a%20b%26c");
        assert_eq!(
            add("http://x/cb#f"),
            "http://x/cb?profileKey=prof_a%20b%26c#f"
        );
        assert_eq!(
            add("http://x/é"),
            "http://x/%C3%A9?profileKey=prof_a%20b%26c"
        );
    }
}
