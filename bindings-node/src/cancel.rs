//! Cancelling an in-flight call: the JavaScript wrapper creates a [`CancelToken`] for a call
//! made with an `AbortSignal` and calls [`CancelToken::cancel`] when the signal fires; the
//! call's future then stops at once, which drops the HTTP request.

use std::future::Future;

use napi_derive::napi;
use tokio::sync::watch;

/// A one-shot cancellation flag shared between JavaScript and one call's future.
#[napi]
pub struct CancelToken {
    sender: watch::Sender<bool>,
}

#[napi]
impl CancelToken {
    /// A token that has not been cancelled.
    #[napi(constructor, catch_unwind)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            sender: watch::Sender::new(false),
        }
    }

    /// Cancels the call this token was passed to (idempotent).
    #[napi(catch_unwind)]
    pub fn cancel(&self) {
        self.sender.send_replace(true);
    }

    /// Whether `cancel()` was called.
    #[napi(getter, catch_unwind)]
    pub fn cancelled(&self) -> bool {
        *self.sender.borrow()
    }

    /// A future that completes when the token is cancelled, and never otherwise.
    pub(crate) fn cancelled_future(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut receiver = self.sender.subscribe();
        async move {
            if receiver.wait_for(|cancelled| *cancelled).await.is_err() {
                // The token was garbage-collected without being cancelled: never complete.
                std::future::pending::<()>().await;
            }
        }
    }
}
