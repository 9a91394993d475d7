//! TCP connection counts, so that SDK tests can check a client never opens more sockets than
//! its pool allows. Counted in the accept loop, below HTTP, so every socket counts (even one
//! a `reset` fault closes unread).

use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

/// `GET /__mock/stats`'s `connections` object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionStats {
    /// Connections open now.
    pub open: u64,
    /// The most open at once since the start or the last reset.
    pub max_open: u64,
    /// Connections accepted since the start or the last reset.
    pub total: u64,
}

/// The shared counter; each accepted socket holds an [`OpenConnection`] until it ends.
#[derive(Default)]
pub(crate) struct ConnectionCounter(Mutex<ConnectionStats>);

impl ConnectionCounter {
    fn lock(&self) -> MutexGuard<'_, ConnectionStats> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a newly accepted connection; dropping the guard counts it closed.
    pub(crate) fn opened(self: &Arc<Self>) -> OpenConnection {
        let mut stats = self.lock();
        stats.open += 1;
        stats.total += 1;
        stats.max_open = stats.max_open.max(stats.open);
        OpenConnection(self.clone())
    }

    pub(crate) fn stats(&self) -> ConnectionStats {
        *self.lock()
    }

    /// Starts a new measurement: the open connections stay counted as open.
    pub(crate) fn reset(&self) {
        let mut stats = self.lock();
        stats.max_open = stats.open;
        stats.total = 0;
    }
}

/// Held by a connection's task for as long as the connection lives.
pub(crate) struct OpenConnection(Arc<ConnectionCounter>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        let mut stats = self.0.lock();
        stats.open = stats.open.saturating_sub(1);
    }
}
