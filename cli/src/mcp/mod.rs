//! `postcore mcp`: a Model Context Protocol server over stdio (rmcp, the official Rust SDK), so
//! that AI agents can manage profiles and posts with the SDK's safety rules: arguments checked
//! before anything is sent, failures answered as tool errors with the API's code, creates made
//! idempotent by keys derived from their arguments, a dry run for posts, destructive tools
//! annotated as such, and no tool that handles the API key or an app password.
//!
//! Configured like every other command (`POSTCORE_API_KEY` or `--api-key-env`,
//! `POSTCORE_BASE_URL` or `--base-url`, `--request-timeout`; `POSTCORE_STORE`). stdout carries
//! the protocol only; nothing else is ever printed there.
//!
//! - `server`: the rmcp handler (tool list, calls, read-only filtering)
//! - `tools`: the tools, their descriptions and annotations, what each does with the SDK
//! - `schema`: the arguments of each tool, as JSON schema and as parsed
//! - `dry_run`: `schedule_post` with `dry_run: true`
//! - `idempotency`: the keys derived from a call's arguments
//! - `result`: tool results and tool errors

mod dry_run;
mod idempotency;
mod result;
mod schema;
mod server;
mod tools;

use rmcp::ServiceExt;

use crate::args::{Global, McpArgs};
use crate::exit::{EXIT_ERROR, EXIT_OK};
use crate::failure::Failure;
use crate::output::Output;

/// The environment variable that names the shared store (rate budgets, idempotency records).
const STORE_VAR: &str = "POSTCORE_STORE";

pub(crate) async fn run(global: &Global, args: McpArgs, out: &Output) -> Result<i32, Failure> {
    let builder = with_store(crate::client::client_builder(global)?, store_from_env());
    let client = crate::client::build_client(builder)?;
    let interrupts = crate::signals::Interrupts::install();
    let serve = async {
        let service = server::Server::new(client, args.read_only)
            .serve(rmcp::transport::stdio_pipes())
            .await
            .map_err(|e| format!("postcore mcp: the client did not start a session: {e}"))?;
        service
            .waiting()
            .await
            .map_err(|e| format!("postcore mcp: the server stopped: {e}"))
    };
    tokio::select! {
        outcome = serve => match outcome {
            // stdin closed: the client ended the session.
            Ok(_) => Ok(EXIT_OK),
            Err(message) => {
                out.error_line(&message);
                Ok(EXIT_ERROR)
            }
        },
        signal = interrupts.first() => Err(Failure::Signal(signal)),
    }
}

/// `POSTCORE_STORE`, when set.
fn store_from_env() -> Option<String> {
    std::env::var(STORE_VAR)
        .ok()
        .filter(|store| !store.is_empty())
}

/// The client with the shared store `store` (`memory://`, `sqlite:///…`, `redis://…`).
fn with_store(builder: postcore::ClientBuilder, store: Option<String>) -> postcore::ClientBuilder {
    match store {
        Some(store) => builder.store(store),
        None => builder,
    }
}
