//! `postcore-testnet --upstream 127.0.0.1:PORT --ca-out ca.pem`
//!
//! For the Python and Node test suites: generates a private CA (written, PEM, to `--ca-out`),
//! serves TLS with a certificate it issued for 127.0.0.1, forwarding to the plain-HTTP
//! `--upstream` (a postcore-mock), and runs an HTTP CONNECT proxy. Prints one line of JSON on
//! stdout, `{"https_url": "https://127.0.0.1:P", "proxy_url": "http://127.0.0.1:Q"}`, then one
//! line per proxied request (`proxy: CONNECT 127.0.0.1:P HTTP/1.1`), until killed.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use postcore_testnet::{TestCa, connect_proxy, tls_front};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let (Some(upstream), Some(ca_out)) = (value("--upstream"), value("--ca-out")) else {
        eprintln!("usage: postcore-testnet --upstream HOST:PORT --ca-out FILE");
        return ExitCode::from(2);
    };
    let upstream = upstream
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let Ok(upstream) = upstream.parse::<SocketAddr>() else {
        eprintln!("postcore-testnet: --upstream must be HOST:PORT, got {upstream}");
        return ExitCode::from(2);
    };
    match run(upstream, &ca_out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("postcore-testnet: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(upstream: SocketAddr, ca_out: &str) -> std::io::Result<()> {
    let ca = TestCa::generate()?;
    std::fs::write(ca_out, &ca.ca_pem)?;
    let https = tls_front(&ca, upstream).await?;
    let (proxy, _log) = connect_proxy(|line| {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "proxy: {line}");
        let _ = out.flush();
    })
    .await?;
    let mut out = std::io::stdout();
    writeln!(
        out,
        "{{\"https_url\": \"https://127.0.0.1:{}\", \"proxy_url\": \"http://127.0.0.1:{}\"}}",
        https.port(),
        proxy.port()
    )?;
    out.flush()?;
    std::future::pending::<()>().await;
    Ok(())
}
