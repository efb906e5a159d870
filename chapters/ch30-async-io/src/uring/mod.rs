//! io_uring: a submission queue we fill and a completion queue the kernel fills.
//!
//! Both queues are rings in memory shared with the kernel. We write entries (opcode, fd,
//! buffer address, a `user_data` token) into the submission queue and tell the kernel with
//! `io_uring_enter`; it performs the I/O and posts a completion (`user_data`, `result`) for
//! each. The buffer of an operation is the kernel's until its completion arrives, which is why
//! pushing an entry is `unsafe` in the `io-uring` crate.
//!
//! io_uring may be missing or forbidden (old kernel, `kernel.io_uring_disabled`, a seccomp
//! profile such as Docker's default): [`open_ring`] turns that into a message that says so.

mod file;
mod server;
mod slab;

pub use file::write_then_read;
pub use server::{Options, Proactor};

use std::io;

use io_uring::IoUring;

/// Where the kernel's io_uring switch lives (Linux 6.6+): 0 allowed, 1 only for the group
/// in `kernel.io_uring_group`, 2 disabled for everyone.
const DISABLED_SYSCTL: &str = "/proc/sys/kernel/io_uring_disabled";

/// Creates a ring with `entries` submission entries, or explains why io_uring is unavailable.
pub fn open_ring(entries: u32) -> anyhow::Result<IoUring> {
    IoUring::new(entries).map_err(|e| anyhow::anyhow!(unavailable_reason(&e)))
}

/// Whether io_uring works here; `Err` carries the reason. Tests call this first.
pub fn available() -> Result<(), String> {
    IoUring::new(2)
        .map(drop)
        .map_err(|e| unavailable_reason(&e))
}

/// Turns an `io_uring_setup` failure into a sentence a learner can act on.
fn unavailable_reason(err: &io::Error) -> String {
    let sysctl = std::fs::read_to_string(DISABLED_SYSCTL)
        .map(|s| format!("{DISABLED_SYSCTL} is {}", s.trim()))
        .unwrap_or_else(|_| format!("{DISABLED_SYSCTL} does not exist"));
    let why = match err.raw_os_error() {
        Some(libc::ENOSYS) => {
            "this kernel has no io_uring (it needs Linux 5.1 or later built with CONFIG_IO_URING)"
        }
        Some(libc::EPERM) | Some(libc::EACCES) => {
            "io_uring_setup was refused: a seccomp profile forbids it (Docker's default does), \
             or the kernel.io_uring_disabled sysctl is set"
        }
        Some(libc::ENOMEM) => "the ring's memory could not be locked (see ulimit -l)",
        _ => "io_uring_setup failed",
    };
    format!("io_uring is not available: {why} ({err}; {sysctl})")
}
