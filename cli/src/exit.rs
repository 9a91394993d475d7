//! The command's exit statuses, and which one an API error gets.

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
