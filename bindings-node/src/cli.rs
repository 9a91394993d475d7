//! The `postcore` command line inside the package: `npx postcore` runs the same program as
//! `cargo install --path cli` and Python's console script (the `postcore-cli` crate, linked
//! in), without a Rust toolchain or a second implementation. Only the package's bin script
//! (`lib/cli.js`) calls it, in a process of its own.

/// Runs the command with `argv` (the program name first) and returns its exit status.
///
/// It blocks the JavaScript thread until the command ends (the bin script has nothing else to
/// do). Node installs its own SIGINT/SIGTERM handlers, which end the process at once; they
/// are reset first so that the command's own handling applies: the first Ctrl-C finishes the
/// request in flight and saves an import's progress (exit 130).
#[napi_derive::napi(js_name = "cliMain")]
pub fn cli_main(argv: Vec<String>) -> i32 {
    default_interrupt_handlers();
    postcore_cli::main_with_args(argv)
}

#[cfg(unix)]
fn default_interrupt_handlers() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: installs the default disposition, which runs no code in this process.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
        }
    }
}

#[cfg(not(unix))]
fn default_interrupt_handlers() {}
