//! A minimal `tracing` subscriber that hands the core's log lines to a callback: what a
//! binding installs as its process's subscriber (the Python package: its `postcore` logger).
//! It takes no spans, and only the events of target `postcore`: debug lines while its
//! [`DebugSwitch`] is on, warnings always. Turning the switch rebuilds `tracing`'s interest
//! cache, so while it is off a debug line costs one comparison with the global maximum level.

use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

/// How serious a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    /// One attempt, retry or wait.
    Debug,
    /// Something the user must know (a store that stopped answering).
    Warn,
}

/// Where a [`LogForwarder`] hands the lines.
pub type LogSink = Box<dyn Fn(LogLevel, &str) + Send + Sync>;

/// The subscriber (see the module docs).
pub struct LogForwarder {
    sink: LogSink,
    debug: Arc<AtomicBool>,
}

/// Turns a [`LogForwarder`]'s debug lines on or off.
#[derive(Clone)]
pub struct DebugSwitch(Arc<AtomicBool>);

impl DebugSwitch {
    /// Debug lines on (`true`) or off.
    pub fn set(&self, on: bool) {
        if self.0.swap(on, Ordering::AcqRel) != on {
            tracing::callsite::rebuild_interest_cache();
        }
    }

    /// Whether debug lines are on.
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

impl LogForwarder {
    /// A forwarder to `sink`, with debug lines on if `debug`.
    pub fn new(sink: LogSink, debug: bool) -> Self {
        Self {
            sink,
            debug: Arc::new(AtomicBool::new(debug)),
        }
    }

    /// The switch of its debug lines.
    pub fn debug_switch(&self) -> DebugSwitch {
        DebugSwitch(self.debug.clone())
    }

    /// Installs it as the process's `tracing` subscriber and returns its switch; `None` when
    /// the process already has one (then the lines go there).
    pub fn install(self) -> Option<DebugSwitch> {
        let switch = self.debug_switch();
        tracing::subscriber::set_global_default(self)
            .ok()
            .map(|()| switch)
    }

    fn wants(&self, metadata: &Metadata<'_>) -> bool {
        !metadata.is_span()
            && metadata.target() == "postcore"
            && (*metadata.level() <= Level::WARN
                || (*metadata.level() == Level::DEBUG && self.debug.load(Ordering::Acquire)))
    }
}

impl Subscriber for LogForwarder {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if metadata.is_span() || metadata.target() != "postcore" {
            Interest::never()
        } else {
            Interest::sometimes()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.wants(metadata)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(if self.debug.load(Ordering::Acquire) {
            LevelFilter::DEBUG
        } else {
            LevelFilter::WARN
        })
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        // Never asked for (no interest in spans); ids must not be zero.
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        if !self.wants(event.metadata()) {
            return;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        let level = if *event.metadata().level() <= Level::WARN {
            LogLevel::Warn
        } else {
            LogLevel::Debug
        };
        (self.sink)(level, &message.0);
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// The `message` field of an event.
struct Message(String);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }
}
