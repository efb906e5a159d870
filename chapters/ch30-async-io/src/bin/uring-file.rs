//! `uring-file`: `aio01` through io_uring. Writes 512 bytes of 0xfa, reads them back, checks.
//!
//! One `IORING_OP_WRITE`, then one `IORING_OP_READ`, each pushed on the submission queue and
//! collected from the completion queue. No helper threads: compare with `aio01` under strace.
//!
//! ```text
//! cargo run -p ch30 --bin uring-file
//! cargo run -p ch30 --bin uring-file -- /tmp/uring-demo --keep && od -An -tx1 /tmp/uring-demo | head -2
//! strace -f -e trace=io_uring_setup,io_uring_enter,clone,clone3 target/debug/uring-file
//! ```

use std::path::PathBuf;

use clap::Parser;

use ch30::ScratchFile;

/// io_uring: write 512 bytes of 0xfa, read them back, verify.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The scratch file (created, or emptied if it exists); default: a fresh file in the temp
    /// directory.
    file: Option<PathBuf>,
    /// Keep the file instead of removing it at exit, to inspect it (`od -An -tx1 FILE`).
    #[arg(long)]
    keep: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut ring = ch30::uring::open_ring(8)?;
    let scratch = ScratchFile::open("uring-file", args.file.as_deref(), args.keep)?;
    println!("{}", scratch.describe());
    match ch30::uring::write_then_read(&mut ring, scratch.file()) {
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
