//! The progress bar of `plancast run`: on standard error, only when it is a terminal, never
//! with `--quiet`, and only once a run has taken longer than [`SHOW_AFTER`] (short runs print
//! nothing). Fed by the engine's `progress` callback with the number of paths done.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a run goes before the bar appears.
pub const SHOW_AFTER: Duration = Duration::from_millis(500);

/// A progress bar over the paths of one run.
pub struct RunProgress {
    bar: ProgressBar,
    started: Instant,
    enabled: bool,
    shown: AtomicBool,
}

impl RunProgress {
    /// A bar for `total` paths; `quiet` disables it.
    pub fn new(total: u64, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "simulating [{bar:30}] {human_pos}/{human_len} paths, {percent}% (eta {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        RunProgress {
            bar,
            started: Instant::now(),
            enabled: !quiet && std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
        }
    }

    /// Records that `done` paths are finished.
    pub fn update(&self, done: u64) {
        if !self.enabled {
            return;
        }
        self.bar.set_position(done);
        if !self.shown.load(Ordering::Relaxed) && self.started.elapsed() >= SHOW_AFTER {
            self.shown.store(true, Ordering::Relaxed);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the bar (if it was shown) before the results are printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
