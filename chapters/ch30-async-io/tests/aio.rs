//! `aio01` through the real binary: every wait mode verifies the bytes, and the modes that
//! sleep really sleep while a request is stuck.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::time::Duration;

use testkit::{Process, TIMEOUT, eventually, procfs};

const AIO01: &str = env!("CARGO_BIN_EXE_aio01");

/// The number after `label` in `text`.
fn number_after(text: &str, label: &str) -> u64 {
    let rest = &text[text
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} in {text}"))
        + label.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

fn run(args: &[&str]) -> String {
    let mut p = Process::start(AIO01, args);
    assert!(
        p.wait().success(),
        "aio01 {args:?} failed: {}",
        testkit::show(&p.stderr())
    );
    String::from_utf8(p.stdout()).unwrap()
}

#[test]
fn every_wait_mode_writes_reads_and_verifies() {
    for (mode, how) in [
        ("busy", "aio_error polls: "),
        ("suspend", "aio_suspend wakeups: "),
        ("signal", "SIGUSR1 (si_code SI_ASYNCIO) wakeups: "),
        ("thread", "callback ran on thread "),
    ] {
        let out = run(&["--wait", mode]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5, "{out}");
        assert!(lines[0].starts_with("scratch file "), "{out}");
        assert!(
            lines[0].ends_with(" (removed at exit; --keep keeps it)"),
            "{out}"
        );
        assert!(
            lines[1].starts_with(&format!("aio_write: 512 bytes written; {how}")),
            "{out}"
        );
        assert!(
            lines[2].starts_with(&format!("aio_read: 512 bytes read; {how}")),
            "{out}"
        );
        assert_eq!(&lines[3..], ["verified 512 bytes of 0xfa", "Success."]);
    }
}

#[test]
fn suspend_wakes_at_most_once_per_request() {
    let out = run(&["--wait", "suspend"]);
    assert!(number_after(&out, "aio_write: 512 bytes written; aio_suspend wakeups: ") <= 1);
    assert!(number_after(&out, "aio_read: 512 bytes read; aio_suspend wakeups: ") <= 1);
}

#[test]
fn signal_wakes_once_per_request() {
    let out = run(&["--wait", "signal"]);
    assert_eq!(
        number_after(&out, "written; SIGUSR1 (si_code SI_ASYNCIO) wakeups: "),
        1
    );
    assert_eq!(
        number_after(&out, "read; SIGUSR1 (si_code SI_ASYNCIO) wakeups: "),
        1
    );
}

#[test]
fn thread_callback_runs_on_another_thread() {
    let out = run(&["--wait", "thread"]);
    let callback = number_after(&out, "written; callback ran on thread ");
    let main = number_after(&out, "(main thread ");
    assert_ne!(callback, main, "{out}");
}

/// A directory of our own under the temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("ch30-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        TempDir(dir)
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn keep_leaves_512_bytes_of_0xfa_and_default_removes_the_file() {
    let dir = TempDir::new("keep");
    let kept = dir.join("kept");
    let out = run(&[kept.to_str().unwrap(), "--keep"]);
    assert!(out.starts_with(&format!("scratch file {} (kept)\n", kept.display())));
    assert_eq!(std::fs::read(&kept).unwrap(), vec![0xfa; 512]);

    let removed = dir.join("removed");
    run(&[removed.to_str().unwrap()]);
    assert!(!removed.exists());
}

#[test]
fn an_unopenable_path_is_a_clear_error() {
    let mut p = Process::start(AIO01, &["/nonexistent-dir/file"]);
    assert!(!p.wait().success());
    p.expect_stderr("Error: open /nonexistent-dir/file");
    p.expect_stderr("No such file or directory (os error 2)");
}

/// Opens a FIFO in `dir` and fills its pipe buffer, so a write to it blocks. Returns the
/// FIFO's path, our end, and how many bytes we put in.
fn full_fifo(dir: &TempDir) -> (PathBuf, File, usize) {
    let path = dir.join("fifo");
    nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    // O_RDWR on a FIFO does not wait for a peer on Linux (fifo(7)).
    let mut end = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&path)
        .unwrap();
    let chunk = [b'x'; 4096];
    let mut filled = 0;
    loop {
        match end.write(&chunk) {
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => panic!("fill the fifo: {e}"),
        }
    }
    (path, end, filled)
}

/// Reads exactly `n` bytes (our filler) back out of the FIFO, making room for aio01.
fn drain(end: &mut File, mut n: usize) {
    let mut buf = [0u8; 4096];
    let deadline = std::time::Instant::now() + TIMEOUT;
    while n > 0 {
        let want = n.min(buf.len());
        match end.read(&mut buf[..want]) {
            Ok(k) => n -= k,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "fifo never had our bytes"
                );
                std::thread::yield_now();
            }
            Err(e) => panic!("drain the fifo: {e}"),
        }
    }
}

/// Runs aio01 against a full FIFO, so its aio_write is stuck in glibc's helper thread; measures
/// the CPU it uses meanwhile; then unblocks it. Returns the ticks used and aio01's output.
fn stuck_write(mode: &str, window: Duration) -> (u64, String) {
    let dir = TempDir::new(&format!("fifo-{mode}"));
    let (path, mut end, filled) = full_fifo(&dir);
    let mut p = Process::start(AIO01, &[path.to_str().unwrap(), "--keep", "--wait", mode]);
    p.expect_stdout("scratch file ");
    // glibc's helper thread exists once the request is queued.
    let pid = p.pid();
    assert!(eventually(TIMEOUT, || procfs::threads(pid) >= 2));
    let before = procfs::cpu_ticks(pid);
    std::thread::sleep(window);
    let used = procfs::cpu_ticks(pid) - before;
    p.assert_running();
    drain(&mut end, filled);
    assert!(p.wait().success(), "{}", testkit::show(&p.stderr()));
    (used, String::from_utf8(p.stdout()).unwrap())
}

#[test]
fn sleeping_modes_use_no_cpu_while_the_write_is_stuck() {
    for mode in ["suspend", "signal", "thread"] {
        let (ticks, out) = stuck_write(mode, Duration::from_millis(300));
        assert!(
            ticks <= 2,
            "--wait {mode} used {ticks} ticks in 300 ms while waiting"
        );
        assert!(
            out.ends_with("verified 512 bytes of 0xfa\nSuccess.\n"),
            "{out}"
        );
    }
}

#[test]
fn busy_mode_spins_while_the_write_is_stuck() {
    let (_, out) = stuck_write("busy", Duration::from_millis(300));
    let polls = number_after(&out, "written; aio_error polls: ");
    assert!(polls > 1000, "only {polls} polls in 300 ms of waiting");
    assert!(out.ends_with("Success.\n"), "{out}");
}

#[test]
fn help_lists_the_wait_modes() {
    let out = run(&["--help"]);
    for word in ["--wait", "busy", "suspend", "signal", "thread", "--keep"] {
        assert!(out.contains(word), "{word} missing from {out}");
    }
}
