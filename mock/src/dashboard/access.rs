//! Who may see the dashboard and drive the control endpoints.
//!
//! - The page (`GET /`) and everything under `/__mock/dashboard/` are served to loopback peers
//!   only, which keeps other machines out when the server is bound elsewhere with `--host`,
//!   and only under a `Host` that is `localhost` (or `*.localhost`) or an IP address, which
//!   keeps a DNS-rebinding page out: it would send its own domain name.
//! - Every `/__mock/*` request that a browser sends on behalf of another site (an `Origin` other
//!   than the server's own, or `Sec-Fetch-Site: cross-site`/`same-site`) is refused, so that a
//!   web page cannot reset the server or queue faults behind the developer's back. Clients that
//!   are not browsers send neither header and are not affected.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::refusal::error;

/// Whether `path` belongs to the dashboard (the page is `/`, for GET and HEAD only; the caller
/// decides that).
fn is_dashboard_path(path: &str) -> bool {
    path == "/" || path == "/__mock/dashboard" || path.starts_with("/__mock/dashboard/")
}

/// Checks a request for the page or a `/__mock/*` path: the 403 to send instead, if any.
pub(crate) fn refusal(peer: SocketAddr, path: &str, headers: &HeaderMap) -> Option<Response> {
    let host = headers.get("host").and_then(|h| h.to_str().ok());
    if is_dashboard_path(path) {
        if !is_loopback(peer.ip()) {
            return Some(forbidden(
                "LOOPBACK_ONLY",
                "The dashboard is only served to this machine (loopback clients)",
            ));
        }
        if host.is_some_and(|h| !is_local_host_name(h)) {
            return Some(forbidden(
                "FORBIDDEN_HOST",
                "The dashboard is only served under localhost or an IP address, e.g. 127.0.0.1",
            ));
        }
    }
    // A link to the page from another site is harmless (the browser shows the page to its
    // user); what another site's scripts send is not.
    if path != "/" && is_cross_site(headers, host) {
        return Some(forbidden(
            "CROSS_ORIGIN",
            "Control endpoints refuse requests that a browser sends for another site",
        ));
    }
    None
}

fn forbidden(code: &str, message: &str) -> Response {
    error(StatusCode::FORBIDDEN, code, message)
}

fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// `127.0.0.1:4010`, `[::1]:4010`, `localhost`, `app.localhost:4010`: a name that no DNS
/// server can point elsewhere (an address literal, or `localhost`, which browsers resolve
/// to loopback themselves).
fn is_local_host_name(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inside, _)) => inside,
            None => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost") || name.parse::<IpAddr>().is_ok()
}

/// A browser request made for another origin: `Sec-Fetch-Site` says so, or `Origin` names
/// another origin than `http://<Host>` (an opaque `null` origin included).
fn is_cross_site(headers: &HeaderMap, host: Option<&str>) -> bool {
    let site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site") {
        return true;
    }
    match headers.get("origin") {
        None => false,
        Some(origin) => {
            let origin = origin.to_str().unwrap_or("null");
            host.is_none_or(|host| !origin.eq_ignore_ascii_case(&format!("http://{host}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, axum::http::HeaderValue::from_static(value));
        }
        map
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])), 50_000)
    }

    #[test]
    fn serves_the_dashboard_to_loopback_peers_only() {
        let local = headers(&[("host", "127.0.0.1:4010")]);
        for ip in ["127.0.0.1", "127.3.4.5", "::1", "::ffff:127.0.0.1"] {
            assert!(refusal(peer(ip), "/", &local).is_none(), "{ip}");
        }
        for ip in ["192.0.2.7", "::ffff:192.0.2.7", "fe80::1", "0.0.0.0"] {
            for path in ["/", "/__mock/dashboard/state", "/__mock/dashboard/app.js"] {
                let refused = refusal(peer(ip), path, &local).map(|r| r.status());
                assert_eq!(refused, Some(StatusCode::FORBIDDEN), "{ip} {path}");
            }
        }
        // Other control endpoints keep answering whoever can reach the server.
        assert!(refusal(peer("192.0.2.7"), "/__mock/reset", &local).is_none());
    }

    #[test]
    fn wants_a_host_name_that_cannot_be_rebound() {
        for host in [
            "127.0.0.1:1",
            "0.0.0.0:4010",
            "localhost",
            "LOCALHOST.:9",
            "a.localhost:1",
            "[::1]:4010",
            "[::ffff:127.0.0.1]:2",
        ] {
            assert!(is_local_host_name(host), "{host}");
        }
        for host in [
            "evil.example:4010",
            "127.0.0.1.nip.io",
            "localhost.evil.example",
            "[fe80::1",
            "",
        ] {
            assert!(!is_local_host_name(host), "{host}");
            let refused = refusal(peer("127.0.0.1"), "/", &headers(&[("host", host)]));
            assert!(refused.is_some(), "{host}");
        }
    }

    #[test]
    fn refuses_what_browsers_send_for_other_sites() {
        let same = headers(&[
            ("host", "127.0.0.1:4010"),
            ("origin", "http://127.0.0.1:4010"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(refusal(peer("127.0.0.1"), "/__mock/advance", &same).is_none());
        let no_browser = headers(&[("host", "127.0.0.1:4010")]);
        assert!(refusal(peer("127.0.0.1"), "/__mock/advance", &no_browser).is_none());
        for pairs in [
            [
                ("host", "127.0.0.1:4010"),
                ("origin", "http://localhost:3000"),
            ],
            [("host", "127.0.0.1:4010"), ("origin", "null")],
            [("host", "127.0.0.1:4010"), ("sec-fetch-site", "cross-site")],
            [("host", "127.0.0.1:4010"), ("sec-fetch-site", "same-site")],
        ] {
            let h = headers(&pairs);
            assert!(
                refusal(peer("127.0.0.1"), "/__mock/reset", &h).is_some(),
                "{pairs:?}"
            );
            // Following a link to the page is fine.
            assert!(refusal(peer("127.0.0.1"), "/", &h).is_none(), "{pairs:?}");
        }
    }
}
