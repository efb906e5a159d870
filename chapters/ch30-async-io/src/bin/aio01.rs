//! `aio01`: POSIX AIO write-then-read of a scratch file, and four ways to wait for it.
//!
//! Writes 512 bytes of 0xfa with `aio_write`, reads them back with `aio_read`, checks them and
//! prints `Success.`. `--wait` picks how completion is learned: busy-polling `aio_error` (the
//! course's way; the count shows the wasted spins), `aio_suspend`, a SIGEV_SIGNAL signal, or
//! a SIGEV_THREAD callback.
//!
//! ```text
//! cargo run -p ch30 --bin aio01
//! cargo run -p ch30 --bin aio01 -- --wait busy
//! cargo run -p ch30 --bin aio01 -- --wait thread
//! cargo run -p ch30 --bin aio01 -- /tmp/aio-demo --keep && od -An -tx1 /tmp/aio-demo | head -2
//! strace -f -e trace=clone,clone3,pwrite64,pread64 target/debug/aio01   # glibc's helper thread
//! ```

use std::path::PathBuf;

use clap::Parser;

use ch30::ScratchFile;
use ch30::aio::{self, Wait};

/// POSIX AIO: write 512 bytes of 0xfa, read them back, verify.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The scratch file (created, or emptied if it exists); default: a fresh file in the temp
    /// directory.
    file: Option<PathBuf>,
    /// Keep the file instead of removing it at exit, to inspect it (`od -An -tx1 FILE`).
    #[arg(long)]
    keep: bool,
    /// How to learn that each request has completed.
    #[arg(long, value_enum, default_value_t = Wait::Suspend)]
    wait: Wait,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scratch = ScratchFile::open("aio01", args.file.as_deref(), args.keep)?;
    println!("{}", scratch.describe());
    match aio::write_then_read(scratch.file(), args.wait) {
        Ok(report) => {
            print!("{report}");
            println!("Success.");
            Ok(())
        }
        Err(e) => {
            println!("Error.");
            Err(e)
        }
    }
}
