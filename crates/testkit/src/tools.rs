//! The real clients a learner uses: `nc`, `telnet` and `curl`.
//!
//! `.ci/run` installs them. A missing tool fails the test with the command that installs
//! it: a test that silently skips proves nothing.

use std::net::SocketAddr;
use std::process::{Command, Output};

use crate::{Process, TIMEOUT, show};

/// Returns the path of `tool`, or panics with how to install it.
pub fn require(tool: &str) -> std::path::PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            let package = match tool {
                "nc" => "netcat-openbsd",
                "ab" => "apache2-utils",
                "ss" => "iproute2",
                other => other,
            };
            panic!("`{tool}` is not installed: apt-get install {package} (.ci/run does this)")
        })
}

/// Sends `input` with OpenBSD `nc`, half-closes (`-N`), and returns everything the server
/// sent until it closed.
pub fn nc(addr: SocketAddr, input: &[u8]) -> Vec<u8> {
    let mut process = nc_process(addr);
    process.send(input);
    process.close_stdin();
    let status = process.wait();
    assert!(
        status.success(),
        "nc exited with {status}; stderr: {}",
        show(&process.stderr())
    );
    process.stdout()
}

/// Starts an interactive OpenBSD `nc` session to `addr`; `-N` sends FIN when stdin closes.
pub fn nc_process(addr: SocketAddr) -> Process {
    let nc = require("nc");
    let timeout = TIMEOUT.as_secs().to_string();
    Process::spawn(
        Command::new(nc)
            .args(["-N", "-w", &timeout])
            .arg(addr.ip().to_string())
            .arg(addr.port().to_string()),
    )
}

/// Starts `telnet` to `addr` and waits for its banner. Lines sent to its stdin go out
/// with CRLF, as when a learner types them.
pub fn telnet(addr: SocketAddr) -> Process {
    let telnet = require("telnet");
    let mut process = Process::spawn(
        Command::new(telnet)
            .arg(addr.ip().to_string())
            .arg(addr.port().to_string()),
    );
    process.expect_stdout("Escape character is '^]'.");
    process
}

/// Runs `curl` with `args` (plus `--silent --show-error --max-time`) and returns its output.
pub fn curl(args: &[&str]) -> Output {
    let curl = require("curl");
    Command::new(curl)
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            &TIMEOUT.as_secs().to_string(),
        ])
        .args(args)
        .output()
        .expect("run curl")
}
