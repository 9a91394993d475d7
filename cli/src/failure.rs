//! Why a command did not succeed; [`Output::report`](crate::output::Output::report) prints it
//! and says which exit status it gets.

use crate::signals::Signal;

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
    Signal(Signal),
}

impl From<postcore::Error> for Failure {
    fn from(error: postcore::Error) -> Self {
        Self::Api(error)
    }
}
