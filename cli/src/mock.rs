//! `postcore mock`: the local postcore-compatible server (the `postcore-mock` crate) in the
//! foreground, as the `postcore-mock` binary runs it: the URL on the first line of stdout, then
//! serving until Ctrl-C or SIGTERM.

use std::time::Duration;

use postcore_mock::{MockConfig, MockServer, keys};

use crate::args::{Global, MockArgs, MockControl};
use crate::exit::{EXIT_ERROR, EXIT_OK};
use crate::failure::Failure;
use crate::output::Output;

pub(crate) async fn run(global: &Global, args: MockArgs, out: &Output) -> Result<i32, Failure> {
    if let Some(control) = args.control {
        return self::control(global, control, out).await;
    }
    // Without --api-key: the default test key, and the key the other commands would send
    // (so that `postcore mock` and `postcore …` in the same environment fit together).
    let variable = global.api_key_env.as_deref().unwrap_or("POSTCORE_API_KEY");
    let accepted = keys::accepted_keys(args.api_keys, variable);
    let defaults = MockConfig::default();
    let config = MockConfig {
        host: args.host,
        port: args.port,
        api_keys: accepted.iter().map(|k| k.key.clone()).collect(),
        rate_limit: args.rate_limit,
        rate_window: args
            .rate_window
            .map_or(defaults.rate_window, Duration::from_secs),
        posts_per_month: args.posts_per_month.unwrap_or(defaults.posts_per_month),
    };
    let interrupts = crate::signals::Interrupts::install();
    let server = match MockServer::start(config).await {
        Ok(server) => server,
        Err(e) => {
            out.error_line(&format!("postcore mock: cannot listen: {e}"));
            return Ok(EXIT_ERROR);
        }
    };
    out.print(&format!("{}\n", server.url()))?;
    for line in keys::banner(
        "postcore mock",
        server.url(),
        server.dashboard_url(),
        &accepted,
    ) {
        out.note(&line);
    }
    interrupts.first().await;
    drop(server);
    Ok(EXIT_OK)
}

/// `postcore mock advance|reset`: one `POST /__mock/…` to the server at `--base-url` /
/// `POSTCORE_BASE_URL` (the controls take no API key).
async fn control(global: &Global, control: MockControl, out: &Output) -> Result<i32, Failure> {
    let base = global
        .base_url
        .clone()
        .or_else(|| {
            std::env::var("POSTCORE_BASE_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
        .ok_or_else(|| {
            Failure::Usage(
                "postcore mock advance/reset: say which server with --base-url URL or \
                 POSTCORE_BASE_URL (the URL `postcore mock` printed)"
                    .to_owned(),
            )
        })?;
    let (path, body) = match control {
        MockControl::Advance { by } => (
            "/__mock/advance",
            serde_json::json!({ "seconds": by.as_secs_f64() }),
        ),
        MockControl::Reset => ("/__mock/reset", serde_json::json!({})),
    };
    let url = format!("{}{path}", base.trim_end_matches('/'));
    let answer = post_json(&url, &body)
        .await
        .map_err(|e| Failure::Usage(format!("postcore mock: {url}: {e}")))?;
    match answer.get("now").and_then(|v| v.as_str()) {
        Some(now) if !out.json => out.print(&format!("the server's clock is now {now}\n"))?,
        _ if out.json => out.print(&format!("{answer}\n"))?,
        _ => out.print("done\n")?,
    }
    Ok(EXIT_OK)
}

/// One JSON `POST` to a local server (`http://host:port/path`; the mock speaks plain HTTP on
/// loopback), its JSON answer back. Deliberately minimal: `Connection: close`, the whole
/// answer read, a 2xx required.
async fn post_json(url: &str, body: &serde_json::Value) -> Result<serde_json::Value, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let rest = url
        .strip_prefix("http://")
        .ok_or("the local server's URL starts with http://")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(authority)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(answer)
    };
    let answer = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .map_err(|_| "no answer within 10 s".to_owned())??;
    let text = String::from_utf8_lossy(&answer);
    let (head, content) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap_or_default();
    if !status.starts_with('2') {
        return Err(format!("the server answered {status}: {content}"));
    }
    if content.trim().is_empty() {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_str(content).map_err(|e| format!("not a JSON answer ({e}): {content}"))
}
