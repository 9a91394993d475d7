//! `postcore mock`: the local postcore-compatible server (the `postcore-mock` crate) in the
//! foreground, as the `postcore-mock` binary runs it: the URL on the first line of stdout, then
//! serving until Ctrl-C or SIGTERM.

use std::time::Duration;

use postcore_mock::{DEFAULT_API_KEY, MockConfig, MockServer};

use crate::args::{Global, MockArgs};
use crate::output::Output;
use crate::{EXIT_ERROR, EXIT_OK, Failure};

pub(crate) async fn run(global: &Global, args: MockArgs, out: &Output) -> Result<i32, Failure> {
    let mut api_keys = args.api_keys;
    if api_keys.is_empty() {
        // The key the other commands would send, so that `postcore mock` and `postcore …` in
        // the same environment fit together; else the mock's default test key.
        let variable = global.api_key_env.as_deref().unwrap_or("POSTCORE_API_KEY");
        let key = std::env::var(variable)
            .ok()
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| DEFAULT_API_KEY.to_owned());
        api_keys.push(key);
    }
    let defaults = MockConfig::default();
    let config = MockConfig {
        host: args.host,
        port: args.port,
        api_keys,
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
    out.note(&format!(
        "postcore mock: serving the postcore API at {} (Ctrl-C to stop); \
         point the SDKs at it with POSTCORE_BASE_URL={}",
        server.url(),
        server.url()
    ));
    interrupts.first().await;
    drop(server);
    Ok(EXIT_OK)
}
