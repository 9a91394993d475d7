//! Ctrl-C (SIGINT) and SIGTERM, counted, so that long commands can stop at a safe point and a
//! second Ctrl-C can stop at once.

use tokio::sync::watch;

/// The signal that stopped a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    pub(crate) fn exit_status(self) -> i32 {
        match self {
            Self::Interrupt => crate::exit::EXIT_INTERRUPTED,
            Self::Terminate => crate::exit::EXIT_TERMINATED,
        }
    }
}

/// Signals received since [`Interrupts::install`]: how many, and the first one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Received {
    pub(crate) count: u32,
    pub(crate) first: Option<Signal>,
}

/// Listens for SIGINT and SIGTERM while it lives (on the current tokio runtime).
pub(crate) struct Interrupts {
    rx: watch::Receiver<Received>,
    listener: tokio::task::JoinHandle<()>,
}

impl Interrupts {
    /// Starts listening. If the handlers cannot be installed, no signal is ever reported and
    /// the default behaviour (the process ends) stays.
    pub(crate) fn install() -> Self {
        let (tx, rx) = watch::channel(Received::default());
        // Registered now, not in the task, so that no signal slips in before it first runs.
        let listener = Listener::new();
        let listener = tokio::spawn(async move {
            let Some(mut listener) = listener else {
                return;
            };
            loop {
                let signal = listener.next().await;
                tx.send_modify(|r| {
                    r.count += 1;
                    r.first.get_or_insert(signal);
                });
            }
        });
        Self { rx, listener }
    }

    /// What has been received so far.
    pub(crate) fn received(&self) -> Received {
        *self.rx.borrow()
    }

    /// Whether at least one signal came.
    pub(crate) fn stopping(&self) -> bool {
        self.received().count > 0
    }

    /// Resolves once at least `count` signals have come (never, if the listener is gone).
    pub(crate) async fn at_least(&self, count: u32) -> Signal {
        let mut rx = self.rx.clone();
        loop {
            let received = *rx.borrow_and_update();
            if received.count >= count {
                return received.first.unwrap_or(Signal::Interrupt);
            }
            if rx.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }

    /// Resolves with the first signal.
    pub(crate) async fn first(&self) -> Signal {
        self.at_least(1).await
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

#[cfg(unix)]
struct Listener {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Listener {
    fn new() -> Option<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Some(Self {
            interrupt: signal(SignalKind::interrupt()).ok()?,
            terminate: signal(SignalKind::terminate()).ok()?,
        })
    }

    async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.interrupt.recv() => Signal::Interrupt,
            _ = self.terminate.recv() => Signal::Terminate,
        }
    }
}

#[cfg(not(unix))]
struct Listener;

#[cfg(not(unix))]
impl Listener {
    fn new() -> Option<Self> {
        Some(Self)
    }

    async fn next(&mut self) -> Signal {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Signal::Interrupt,
            Err(_) => std::future::pending().await,
        }
    }
}
