//! Progress of the import on stderr: an `indicatif` bar on a terminal, else a plain line every
//! few seconds (logs, CI). Both say rows done of total, the rate, when the rate-limit window
//! resets and the time left.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::state::Counts;
use super::window::RateView;
use crate::args::ProgressMode;

/// How often the plain line is printed (the first one sooner, as a sign of life).
const LINE_EVERY: Duration = Duration::from_secs(5);
const FIRST_LINE_AFTER: Duration = Duration::from_secs(1);

enum Display {
    Bar(ProgressBar),
    Lines { last: Option<Instant> },
    Silent,
}

pub(crate) struct Progress {
    display: Display,
    started: Instant,
    /// Rows done when this run started (the rate counts this run's only).
    done_at_start: u64,
}

impl Progress {
    pub(crate) fn new(mode: ProgressMode, counts: Counts) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let display = match mode {
            ProgressMode::None => Display::Silent,
            ProgressMode::Lines => Display::Lines { last: None },
            ProgressMode::Auto if !terminal => Display::Lines { last: None },
            ProgressMode::Auto | ProgressMode::Bar => {
                let bar = ProgressBar::with_draw_target(
                    Some(counts.total()),
                    ProgressDrawTarget::stderr(),
                );
                let style =
                    ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
                        .map(|s| s.progress_chars("=> "))
                        .unwrap_or_else(|_| ProgressStyle::default_bar());
                bar.set_style(style);
                bar.set_position(counts.done());
                Display::Bar(bar)
            }
        };
        Self {
            display,
            started: Instant::now(),
            done_at_start: counts.done(),
        }
    }

    /// Starts over with these counts (the rows are known only once the import has begun).
    pub(crate) fn restart(&mut self, counts: Counts) {
        if let Display::Bar(bar) = &self.display {
            bar.set_length(counts.total());
            bar.set_position(counts.done());
        }
        self.started = Instant::now();
        self.done_at_start = counts.done();
    }

    /// Refreshes the display; the plain line only every few seconds unless `force`.
    pub(crate) fn update(&mut self, counts: Counts, view: &RateView, reserve: u64, force: bool) {
        match &mut self.display {
            Display::Silent => {}
            Display::Bar(bar) => {
                bar.set_position(counts.done());
                bar.set_message(status(
                    counts,
                    (view, reserve),
                    self.started,
                    self.done_at_start,
                    false,
                ));
            }
            Display::Lines { last } => {
                let due = match last {
                    Some(last) => last.elapsed() >= LINE_EVERY,
                    None => self.started.elapsed() >= FIRST_LINE_AFTER,
                };
                if force || due {
                    *last = Some(Instant::now());
                    let line = status(
                        counts,
                        (view, reserve),
                        self.started,
                        self.done_at_start,
                        true,
                    );
                    eprintln_safe(&format!("import: {line}"));
                }
            }
        }
    }

    /// A message above the bar (or a line of its own).
    pub(crate) fn println(&self, message: &str) {
        match &self.display {
            Display::Bar(bar) => bar.suspend(|| eprintln_safe(message)),
            _ => eprintln_safe(message),
        }
    }

    /// Removes the bar (the summary follows in plain text).
    pub(crate) fn finish(&self) {
        if let Display::Bar(bar) = &self.display {
            bar.finish_and_clear();
        }
    }
}

fn eprintln_safe(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

fn status(
    counts: Counts,
    (view, reserve): (&RateView, u64),
    started: Instant,
    done_at_start: u64,
    line: bool,
) -> String {
    let mut parts = Vec::new();
    if line {
        parts.push(format!(
            "{}/{} rows done ({} created, {} failed)",
            counts.done(),
            counts.total(),
            counts.created,
            counts.failed
        ));
    } else if counts.failed > 0 {
        parts.push(format!("{} failed", counts.failed));
    }
    let elapsed = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let done_now = counts.done().saturating_sub(done_at_start) as f64;
    if elapsed >= 1.0 {
        let per_second = done_now / elapsed;
        parts.push(if per_second >= 1.0 {
            format!("{per_second:.1}/s")
        } else {
            format!("{:.1}/min", per_second * 60.0)
        });
    }
    if let Some((until, remaining)) = view.window_status() {
        parts.push(format!(
            "limit resets in {} ({remaining} left)",
            human(until)
        ));
    }
    if counts.left() > 0 {
        if let Some(eta) = view.eta(counts.left(), reserve) {
            parts.push(format!("ETA {}", human(eta)));
        }
    }
    parts.join(" · ")
}

/// `45s`, `3m 20s`, `2h 05m`.
pub(crate) fn human(d: Duration) -> String {
    let s = d.as_secs() + u64::from(d.subsec_millis() >= 500);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(human(Duration::from_millis(400)), "0s");
        assert_eq!(human(Duration::from_secs(45)), "45s");
        assert_eq!(human(Duration::from_secs(200)), "3m 20s");
        assert_eq!(human(Duration::from_secs(7500)), "2h 05m");
    }
}
