//! `postcore`: the command line. Everything lives in the library (`postcore_cli`), which the
//! Python package also embeds as its own `postcore` console script.

fn main() -> std::process::ExitCode {
    let code = postcore_cli::main_with_args(std::env::args_os());
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
