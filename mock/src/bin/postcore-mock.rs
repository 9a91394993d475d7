//! `postcore-mock [--host 127.0.0.1] [--port 4010] [--api-key KEY]... [--rate-limit N]
//! [--rate-window SECS] [--posts-per-month N]`
//!
//! Prints the server's URL on the first line of stdout (then, on stderr, the dashboard's, the
//! accepted keys masked and how to move its clock), then serves until interrupted.
//! Without `--api-key`, it accepts `pc_test_key` and the key in `POSTCORE_API_KEY`, if any.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use postcore_mock::{MockConfig, MockServer, keys};

const USAGE: &str = "\
usage: postcore-mock [--host HOST] [--port PORT] [--api-key KEY]... [--rate-limit N]
                     [--rate-window SECS] [--posts-per-month N]

  --host HOST            address to listen on (default 127.0.0.1)
  --port PORT            port (default 0: any free port; the URL is printed on stdout)
  --api-key KEY          an accepted x-api-key; repeatable (default: pc_test_key, and
                         $POSTCORE_API_KEY when it is set)
  --rate-limit N         answer 429 past N requests per window (100 is the documented
                         limit; default: none, reported as 1000000000 per window)
  --rate-window SECS     length of the rate-limit window on the mock clock (default 900)
  --posts-per-month N    monthly post quota (default 10)";

fn parse_args() -> Result<(MockConfig, Vec<keys::AcceptedKey>), String> {
    let mut config = MockConfig {
        api_keys: Vec::new(),
        ..MockConfig::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        let value = inline
            .or_else(|| args.next())
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--host" => config.host = value,
            "--port" => {
                config.port = value
                    .parse()
                    .map_err(|_| format!("--port: not a port number: {value}"))?
            }
            "--api-key" => config.api_keys.push(value),
            "--rate-limit" => {
                config.rate_limit = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--rate-limit: not a number: {value}"))?,
                )
            }
            "--rate-window" => {
                let secs: u64 = value
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("--rate-window: not a positive number: {value}"))?;
                config.rate_window = Duration::from_secs(secs);
            }
            "--posts-per-month" => {
                config.posts_per_month = value
                    .parse()
                    .map_err(|_| format!("--posts-per-month: not a number: {value}"))?
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    let accepted = keys::accepted_keys(std::mem::take(&mut config.api_keys), "POSTCORE_API_KEY");
    config.api_keys = accepted.iter().map(|k| k.key.clone()).collect();
    Ok((config, accepted))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (config, accepted) = match parse_args() {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let server = match MockServer::start(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("postcore-mock: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{}", server.url());
    let _ = stdout.flush();
    let reachable = server.addr().ip().is_loopback() || server.addr().ip().is_unspecified();
    let banner = keys::banner(
        "postcore-mock",
        server.url(),
        server.dashboard_url(),
        &accepted,
    );
    for (i, line) in banner.iter().enumerate() {
        if i == 1 && !reachable {
            eprintln!(
                "postcore-mock: dashboard at {} is served to loopback clients only, which \
                 cannot reach this address: listen on 127.0.0.1 or 0.0.0.0 to use it",
                server.dashboard_url()
            );
        } else {
            eprintln!("{line}");
        }
    }
    shutdown_signal().await;
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
