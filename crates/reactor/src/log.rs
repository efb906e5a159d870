//! The course's log lines: `[msg] ...` on stdout (`yolanda_msgx`) and `[err] ...` on stderr.
//!
//! `[msg]` lines are printed only by loops created with logging on (`--log` in the
//! chapters), so a benchmark is not dominated by printing. Each line is written with the
//! stdout lock held, so lines from different loop threads never interleave.

use std::fmt;
use std::io::{self, Write};

/// Prints `[msg] <args>` to stdout. Std's stdout is line-buffered, so the line leaves at
/// once even when stdout is a pipe.
pub(crate) fn print_msg(args: fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    // A closed stdout must not stop the server.
    let _ = writeln!(out, "[msg] {args}");
}

/// Prints `[err] <args>` to stderr, whether or not logging is on: errors are rare and the
/// operator needs them.
pub(crate) fn err(args: fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "[err] {args}");
}

/// `msg!(loop, "format", args...)`: a `[msg]` line if `loop` has logging on.
macro_rules! msg {
    ($lp:expr, $($arg:tt)*) => {
        if $lp.log_enabled() {
            $crate::log::print_msg(format_args!($($arg)*));
        }
    };
}
pub(crate) use msg;
