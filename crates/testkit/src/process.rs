//! Child processes with piped stdio, and servers that announce their address.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::{TIMEOUT, show};

/// Everything a child wrote to one of its pipes, and whether the pipe has closed.
#[derive(Default)]
struct Captured {
    bytes: Vec<u8>,
    closed: bool,
}

/// One output pipe: a reader thread fills `Captured`; tests wait on the condvar.
struct Pipe {
    name: &'static str,
    shared: Arc<(Mutex<Captured>, Condvar)>,
    /// How much of the output earlier `expect` calls have consumed.
    cursor: usize,
}

impl Pipe {
    fn new(name: &'static str, mut source: impl Read + Send + 'static) -> Pipe {
        let shared = Arc::new((Mutex::new(Captured::default()), Condvar::new()));
        let filler = Arc::clone(&shared);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = source.read(&mut buf).unwrap_or(0);
                let (lock, cond) = &*filler;
                // A test that panicked in `expect` poisoned the lock; the bytes are still
                // good, and a second panic here would only bury the first one's message.
                let mut captured = lock.lock().unwrap_or_else(PoisonError::into_inner);
                if n == 0 {
                    captured.closed = true;
                } else {
                    captured.bytes.extend_from_slice(&buf[..n]);
                }
                cond.notify_all();
                if n == 0 {
                    return;
                }
            }
        });
        Pipe {
            name,
            shared,
            cursor: 0,
        }
    }

    /// Waits until `needle` appears after the cursor; returns the text up to and including
    /// it and moves the cursor past it.
    fn expect(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let (lock, cond) = &*self.shared;
        let mut captured = lock.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let rest = &captured.bytes[self.cursor..];
            if let Some(i) = find(rest, needle.as_bytes()) {
                let end = i + needle.len();
                let text = String::from_utf8_lossy(&rest[..end]).into_owned();
                self.cursor += end;
                return text;
            }
            let now = Instant::now();
            if captured.closed || now >= deadline {
                panic!(
                    "{} never showed {:?}; it showed: {}",
                    self.name,
                    needle,
                    show(rest)
                );
            }
            captured = cond
                .wait_timeout(captured, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn wait_closed(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let (lock, cond) = &*self.shared;
        let mut captured = lock.lock().unwrap_or_else(PoisonError::into_inner);
        while !captured.closed {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            captured = cond
                .wait_timeout(captured, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    fn all(&self) -> Vec<u8> {
        self.shared
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .bytes
            .clone()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A child process with piped stdin, stdout and stderr. Killed and reaped on drop.
pub struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Pipe,
    stderr: Pipe,
}

impl Process {
    /// Spawns `command` with all three standard streams piped.
    pub fn spawn(command: &mut Command) -> Process {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {command:?}: {e}"));
        let stdin = child.stdin.take();
        let stdout = Pipe::new("stdout", child.stdout.take().expect("piped stdout"));
        let stderr = Pipe::new("stderr", child.stderr.take().expect("piped stderr"));
        Process {
            child,
            stdin,
            stdout,
            stderr,
        }
    }

    /// Spawns `program` with `args`.
    pub fn start(program: &str, args: &[&str]) -> Process {
        Process::spawn(Command::new(program).args(args))
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes `bytes` to the child's stdin.
    pub fn send(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin already closed");
        stdin
            .write_all(bytes)
            .and_then(|()| stdin.flush())
            .expect("write to child's stdin");
    }

    /// Closes the child's stdin, so it reads EOF.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits until stdout shows `needle` after what earlier calls consumed; returns the
    /// output up to and including it.
    pub fn expect_stdout(&mut self, needle: &str) -> String {
        self.stdout.expect(needle, TIMEOUT)
    }

    /// Like [`Process::expect_stdout`], for stderr.
    pub fn expect_stderr(&mut self, needle: &str) -> String {
        self.stderr.expect(needle, TIMEOUT)
    }

    /// All of stdout so far.
    pub fn stdout(&self) -> Vec<u8> {
        self.stdout.all()
    }

    /// All of stderr so far.
    pub fn stderr(&self) -> Vec<u8> {
        self.stderr.all()
    }

    /// Sends `signal` to the child.
    pub fn signal(&self, signal: Signal) {
        let pid = Pid::from_raw(self.child.id() as i32);
        kill(pid, signal).unwrap_or_else(|e| panic!("kill -{signal} {pid}: {e}"));
    }

    /// Stops the child with SIGSTOP and waits until the kernel has really stopped it
    /// (state `T`), so that whatever the test sends next is all queued when it resumes
    /// (SIGCONT).
    pub fn freeze(&self) {
        self.signal(Signal::SIGSTOP);
        let stopped = || crate::procfs::state(self.pid()) == Some('T');
        assert!(
            crate::eventually(TIMEOUT, stopped),
            "process {} did not stop",
            self.pid()
        );
    }

    /// Waits for the child to exit and for its output pipes to close.
    pub fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("waitpid") {
                // The pipes close once every holder (grandchildren too) has exited.
                self.stdout.wait_closed(TIMEOUT);
                self.stderr.wait_closed(TIMEOUT);
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "process {} did not exit within {TIMEOUT:?}; stdout: {}; stderr: {}",
                self.child.id(),
                show(&self.stdout()),
                show(&self.stderr())
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Asserts the child is still running (has not crashed or exited).
    pub fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().expect("waitpid") {
            panic!(
                "process exited with {status}; stderr: {}",
                show(&self.stderr())
            );
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server process that printed `listening on ADDR` as its first line.
pub struct Server {
    process: Process,
    listening: String,
}

impl Server {
    /// Spawns `program` with `args` (pass `--port 0`) and waits for its announcement.
    pub fn start(program: &str, args: &[&str]) -> Server {
        Server::from_process(Process::start(program, args))
    }

    /// Like [`Server::start`], but with at most `limit` open file descriptors (the shell's
    /// `ulimit -n`, setrlimit(2) RLIMIT_NOFILE), to run the server out of them.
    pub fn start_with_fd_limit(program: &str, args: &[&str], limit: u32) -> Server {
        let script = format!("ulimit -n {limit} && exec \"$0\" \"$@\"");
        let mut command = Command::new("sh");
        command.args(["-c", &script, program]).args(args);
        Server::from_process(Process::spawn(&mut command))
    }

    /// Waits for an already spawned process to announce its address.
    pub fn from_process(mut process: Process) -> Server {
        process.expect_stdout("listening on ");
        let line = process.expect_stdout("\n");
        let listening = line.trim_end().to_string();
        Server { process, listening }
    }

    /// What the server announced: an `IP:PORT`, or a path for a Unix-domain server.
    pub fn listening(&self) -> &str {
        &self.listening
    }

    /// The announced address as a socket address.
    pub fn addr(&self) -> SocketAddr {
        self.listening
            .parse()
            .unwrap_or_else(|e| panic!("announced address {:?}: {e}", self.listening))
    }

    /// The announced port.
    pub fn port(&self) -> u16 {
        self.addr().port()
    }
}

impl std::ops::Deref for Server {
    type Target = Process;
    fn deref(&self) -> &Process {
        &self.process
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Process {
        &mut self.process
    }
}
