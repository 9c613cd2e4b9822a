//! Progress on stderr: a bar when stderr is a terminal, nothing otherwise (pipes, CI, --quiet).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub fn enabled(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A byte-based bar when the total is known, a spinner counting items otherwise.
pub fn bar(show: bool, total_bytes: Option<u64>, unit: &str) -> ProgressBar {
    if !show {
        return ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    }
    let pb = match total_bytes {
        Some(total) => {
            let pb = ProgressBar::new(total);
            pb.set_style(
                ProgressStyle::with_template(&format!(
                    "{{bar:30}} {{bytes}}/{{total_bytes}} {{msg}} {unit} ({{bytes_per_sec}}, ETA {{eta}})"
                ))
                .expect("valid template"),
            );
            pb
        }
        None => {
            let pb = ProgressBar::new_spinner();
            pb.set_style(
                ProgressStyle::with_template(&format!("{{spinner}} {{msg}} {unit} {{elapsed}}"))
                    .expect("valid template"),
            );
            pb
        }
    };
    pb.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
    pb
}
