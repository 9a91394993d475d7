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
mod commands;
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
use args::{Command, Global};
use output::Output;

/// Success.
pub const EXIT_OK: i32 = 0;
/// The API answered with an error, the network failed, or (import) some rows failed.
pub const EXIT_ERROR: i32 = 1;
/// A usage error: bad arguments, a missing API key, an unusable input file.
pub const EXIT_USAGE: i32 = 2;
/// Stopped by Ctrl-C (SIGINT) after saving what was done.
pub const EXIT_INTERRUPTED: i32 = 130;
/// Stopped by SIGTERM after saving what was done.
pub const EXIT_TERMINATED: i32 = 143;

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
        Err(failure) => failure.report(output),
    }
}

/// Why a command did not succeed; each maps to an exit status.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad arguments or configuration, found before any request (exit 2).
    Usage(String),
    /// What the API or the network said (exit 1; 2 for configuration and argument errors).
    Api(postcore::Error),
    /// A local failure while working: a file that cannot be written, the state database (exit 1).
    Local(String),
    /// Stopped by a signal (exit 130 / 143).
    Signal(signals::Signal),
}

impl Failure {
    /// Prints the failure on stderr and returns the exit status.
    pub(crate) fn report(self, output: &Output) -> i32 {
        match self {
            Self::Usage(message) => {
                output.error_line(&message);
                EXIT_USAGE
            }
            Self::Local(message) => {
                output.error_line(&message);
                EXIT_ERROR
            }
            Self::Api(error) => {
                output.api_error(&error);
                exit_status(&error)
            }
            Self::Signal(signal) => {
                output.error_line("interrupted");
                signal.exit_status()
            }
        }
    }
}

impl From<postcore::Error> for Failure {
    fn from(error: postcore::Error) -> Self {
        Self::Api(error)
    }
}

/// 2 for errors found before any request (configuration, arguments), else 1.
pub(crate) fn exit_status(error: &postcore::Error) -> i32 {
    use postcore::ErrorKind;
    match error.kind() {
        ErrorKind::Configuration | ErrorKind::InvalidArgument | ErrorKind::InvalidArgumentType => {
            EXIT_USAGE
        }
        _ => EXIT_ERROR,
    }
}

/// The client the global options describe. The key comes from the environment only: the
/// variable named by `--api-key-env`, else `POSTCORE_API_KEY`.
pub(crate) fn client_builder(global: &Global) -> Result<postcore::ClientBuilder, Failure> {
    let variable = global.api_key_env.as_deref().unwrap_or("POSTCORE_API_KEY");
    let key = api_key_from(variable, global.api_key_env.is_some())?;
    let mut builder = postcore::Client::builder().api_key(key).default_header(
        "user-agent",
        concat!("postcore-cli/", env!("CARGO_PKG_VERSION")),
    );
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url.clone());
    }
    if let Some(timeout) = global.request_timeout {
        builder = builder.timeout(timeout);
    }
    if let Some(store) = &global.store {
        builder = builder.store(store.clone());
    }
    if let Some((limit, window)) = global.posting_budget {
        builder = builder.posting_budget(limit, window);
    }
    Ok(builder)
}

pub(crate) fn build_client(builder: postcore::ClientBuilder) -> Result<postcore::Client, Failure> {
    builder.build().map_err(|e| Failure::Usage(e.to_string()))
}

/// Reads the API key from `variable`; the message says how to provide it.
pub(crate) fn api_key_from(variable: &str, named: bool) -> Result<String, Failure> {
    if variable.is_empty() || variable.contains(['=', '\0']) {
        return Err(Failure::Usage(format!(
            "--api-key-env: {variable:?} is not a valid environment variable name"
        )));
    }
    match std::env::var(variable) {
        Ok(key) if !key.is_empty() => Ok(key),
        Ok(_) | Err(std::env::VarError::NotPresent) if named => Err(Failure::Usage(format!(
            "no API key: the environment variable {variable} (named by --api-key-env) is not set"
        ))),
        Ok(_) | Err(std::env::VarError::NotPresent) => Err(Failure::Usage(
            "no API key: set the POSTCORE_API_KEY environment variable (or name another \
             variable with --api-key-env)"
                .to_owned(),
        )),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::Usage(format!(
            "the environment variable {variable} does not hold a valid API key (not UTF-8)"
        ))),
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
