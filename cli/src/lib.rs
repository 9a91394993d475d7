//! # postcore-cli
//!
//! The `postcore` command: every endpoint of the postcore API, resumable bulk imports of
//! existing users (`postcore profiles import`) and of posts (`postcore posts import`), events and
//! signed webhooks (`postcore listen`), the local mock server (`postcore mock`), and a Model
//! Context Protocol server for AI agents (`postcore mcp`).
//!
//! Everything is in this library so that the same command can run inside another program:
//! the Python package calls [`main_with_args`] from its extension as its `postcore` console
//! script. It uses the process's stdin, stdout, stderr and signal handlers (SIGINT, SIGTERM)
//! and nothing else of the process: no `exit`, no global state; each call builds and drops its
//! own async runtime.
//!
//! Exit status: [`EXIT_OK`], [`EXIT_ERROR`] (the API refused, or the network failed),
//! [`EXIT_USAGE`] (bad arguments or configuration), [`EXIT_INTERRUPTED`] (Ctrl-C).

mod args;
mod client;
mod commands;
mod exit;
mod failure;
mod import;
mod listen;
mod mcp;
mod mock;
mod output;
mod signals;

use std::ffi::OsString;
use std::time::Duration;

use clap::Parser;

pub use args::Cli;
use args::Command;
pub use exit::{EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE};
use failure::Failure;
use output::Output;

/// Runs the `postcore` command with these arguments (the first is the program name, as in
/// `std::env::args_os()`) and returns the exit status. Never exits the process itself.
pub fn main_with_args(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" that print to stdout and exit 0; every real
            // usage error exits 2.
            let _ = e.print();
            return e.exit_code();
        }
    };
    // Called from inside an async runtime (an embedding program's): run on a thread of our
    // own, where blocking on a runtime of our own is allowed.
    if tokio::runtime::Handle::try_current().is_ok() {
        return std::thread::scope(|scope| {
            scope
                .spawn(|| run_blocking(cli))
                .join()
                .unwrap_or(EXIT_ERROR)
        });
    }
    run_blocking(cli)
}

fn run_blocking(cli: Cli) -> i32 {
    let output = Output::new(cli.global.json);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            output.error_line(&format!("cannot start the async runtime: {e}"));
            return EXIT_ERROR;
        }
    };
    let code = runtime.block_on(run(cli, &output));
    // Anything still running (a request abandoned by a second Ctrl-C) is dropped now, quickly.
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

async fn run(cli: Cli, output: &Output) -> i32 {
    let Cli { global, command } = cli;
    let result = match command {
        Command::Mock(args) => mock::run(&global, args, output).await,
        Command::Mcp(args) => mcp::run(&global, args, output).await,
        Command::Listen(args) => listen::run(&global, args, output).await,
        Command::Profiles(args::ProfilesCommand::Import(args)) => {
            import::profiles::run(&global, args, output).await
        }
        Command::Posts(args::PostsCommand::Import(args)) => {
            import::posts::run(&global, args, output).await
        }
        command => {
            // Commands of one or a few requests: Ctrl-C abandons the request and exits 130.
            let interrupts = signals::Interrupts::install();
            tokio::select! {
                result = commands::run(&global, command, output) => result,
                signal = interrupts.first() => Err(Failure::Signal(signal)),
            }
        }
    };
    match result {
        Ok(code) => code,
        Err(failure) => output.report(failure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_inside_a_caller_runtime() {
        // Reaches the command (inside the CLI's own runtime), which refuses the missing key.
        let args = [
            "postcore",
            "profiles",
            "list",
            "--api-key-env",
            "POSTCORE_CLI_TEST_SURELY_UNSET",
        ];
        assert_eq!(main_with_args(args), EXIT_USAGE);
    }
}
