//! `uring-file`: `aio01`'s write-then-read, through io_uring.

use std::fmt::Write as _;
use std::fs::File;
use std::os::fd::AsRawFd;

use anyhow::{Context, bail};
use io_uring::{IoUring, opcode, squeue, types};

use crate::aio::{BUF_SIZE, FILL};

/// Writes [`BUF_SIZE`] bytes of [`FILL`] at offset 0 of `file` with `IORING_OP_WRITE`, reads
/// them back with `IORING_OP_READ`, and checks them. Returns the report lines.
pub fn write_then_read(ring: &mut IoUring, file: &File) -> anyhow::Result<String> {
    let mut report = String::new();
    let fd = types::Fd(file.as_raw_fd());

    let data = Box::new([FILL; BUF_SIZE]);
    let write = opcode::Write::new(fd, data.as_ptr(), BUF_SIZE as u32).offset(0);
    let written = match complete_one(ring, &write.build().user_data(1)) {
        Ok(n) => n,
        Err(e) => {
            // The kernel may still hold the buffer: leak it rather than free it under the I/O.
            Box::leak(data);
            return Err(e).context("io_uring write");
        }
    };
    writeln!(
        report,
        "write: {written} bytes written (completion user_data 1)"
    )?;
    if written != BUF_SIZE {
        bail!("wrote {written} of {BUF_SIZE} bytes");
    }

    let mut back = Box::new([0u8; BUF_SIZE]);
    let read = opcode::Read::new(fd, back.as_mut_ptr(), BUF_SIZE as u32).offset(0);
    let got = match complete_one(ring, &read.build().user_data(2)) {
        Ok(n) => n,
        Err(e) => {
            Box::leak(back);
            return Err(e).context("io_uring read");
        }
    };
    writeln!(report, "read: {got} bytes read (completion user_data 2)")?;
    if got != BUF_SIZE || back.iter().any(|&b| b != FILL) {
        bail!("read back {got} bytes that are not {BUF_SIZE} bytes of {FILL:#04x}");
    }
    writeln!(report, "verified {BUF_SIZE} bytes of {FILL:#04x}")?;
    Ok(report)
}

/// Submits one entry, sleeps in `io_uring_enter` until its completion arrives, and returns
/// the operation's result (a byte count; a negative errno becomes the error).
///
/// The caller must keep the entry's buffer alive until this returns `Ok`, and must not free
/// it after an `Err` (the operation may still be in flight).
fn complete_one(ring: &mut IoUring, entry: &squeue::Entry) -> anyhow::Result<usize> {
    let expected = entry.get_user_data();
    // SAFETY: the caller keeps the buffer named by `entry` alive until the completion (or
    // leaks it on error); the fd stays open for the same span.
    unsafe { ring.submission().push(entry) }.context("submission queue full")?;
    loop {
        match ring.submit_and_wait(1) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("io_uring_enter"),
        }
        if let Some(cqe) = ring.completion().next() {
            if cqe.user_data() != expected {
                bail!(
                    "completion for user_data {}, expected {expected}",
                    cqe.user_data()
                );
            }
            let result = cqe.result();
            if result < 0 {
                return Err(std::io::Error::from_raw_os_error(-result).into());
            }
            return Ok(result as usize);
        }
    }
}
