//! The `postcore` command line inside the package: `pip install postcore` gives the same
//! program as `cargo install --path cli` (the `postcore-cli` crate, linked in), without a Rust
//! toolchain or a second implementation.

use pyo3::prelude::*;

/// Runs the command with the GIL released (it makes HTTP calls, waits, and handles Ctrl-C
/// itself: the first Ctrl-C finishes the request in flight and saves an import's progress).
pub(crate) fn main(py: Python<'_>, argv: Vec<String>) -> i32 {
    py.detach(move || postcore_cli::main_with_args(argv))
}
