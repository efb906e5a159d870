//! thread-helloworld: the fixed counter is exact; the racy one loses updates.

use testkit::Process;

const BIN: &str = env!("CARGO_BIN_EXE_thread-helloworld");

/// Runs the program and returns the total it printed; checks the hello lines on stderr.
fn run(args: &[&str]) -> u64 {
    let mut p = Process::start(BIN, args);
    assert!(p.wait().success());
    let stderr = String::from_utf8(p.stderr()).unwrap();
    assert_eq!(
        stderr.matches("hello, world, tid == ").count(),
        2,
        "one hello per thread: {stderr}"
    );
    let stdout = String::from_utf8(p.stdout()).unwrap();
    let number = stdout
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("not one line: {stdout:?}"));
    number
        .parse()
        .unwrap_or_else(|e| panic!("not a number: {stdout:?}: {e}"))
}

#[test]
fn the_fixed_counter_prints_exactly_2000() {
    for _ in 0..5 {
        let mut p = Process::start(BIN, &[]);
        assert!(p.wait().success());
        assert_eq!(p.stdout(), b"2000\n");
    }
    assert_eq!(run(&["--iterations", "50000"]), 100_000);
}

#[test]
fn the_racy_counter_never_counts_more_than_the_work_done() {
    let total = run(&["--racy"]);
    assert!((1..=2000).contains(&total), "{total}");
}

#[test]
fn the_racy_counter_loses_updates() {
    // Whether a given run loses anything is up to the scheduler. 20000 increments with a
    // 1 µs window take tens of milliseconds, longer than a time slice, so the threads
    // interleave even on one CPU or a loaded machine: in hundreds of runs of each, none
    // lost nothing. Five tries bound the test's time.
    let mut last = 40_000;
    for _ in 0..5 {
        last = run(&["--racy", "--iterations", "20000"]);
        assert!(last <= 40_000, "{last}");
        if last < 40_000 {
            break;
        }
    }
    assert!(last < 40_000, "five racy runs in a row lost no update");
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(BIN, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--racy");
    p.expect_stdout("--iterations");
}
