//! `errnotour`: makes each result a non-blocking server must handle happen, on loopback.
//!
//! | result | what it means | what to do |
//! |---|---|---|
//! | `WouldBlock` (EAGAIN = EWOULDBLOCK) | nothing to read / no room to write *now* | wait for readiness, try again |
//! | a short write count | the kernel took part of the buffer | keep the rest, write it when writable |
//! | `Ok(0)` from read | the peer sent FIN | finish up and close |
//! | `ConnectionReset` (ECONNRESET) | the peer sent RST | the connection is gone: close |
//! | `BrokenPipe` (EPIPE) | writing to a connection that is gone | close |
//! | `Interrupted` (EINTR) | a signal handler ran during the call | retry the call |

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::{Context, bail};
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, kill, sigaction};
use nix::unistd::Pid;

/// Runs every stop of the tour, printing what each call returned and what it means.
pub fn run(out: &mut impl Write) -> anyhow::Result<()> {
    would_block(out).context("WouldBlock")?;
    partial_write(out).context("partial write")?;
    end_of_file(out).context("EOF")?;
    reset_then_broken_pipe(out).context("ECONNRESET and EPIPE")?;
    interrupted(out).context("EINTR")?;
    Ok(())
}

/// A connected loopback pair: (client side, server side).
fn pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    for s in [&client, &server] {
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
    }
    Ok((client, server))
}

/// Renders a read or write result as the program saw it.
fn show(result: &io::Result<usize>) -> String {
    match result {
        Ok(n) => format!("Ok({n})"),
        Err(e) => format!("Err({:?}): {e}", e.kind()),
    }
}

fn would_block(out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "== WouldBlock: read on a non-blocking socket with nothing to read"
    )?;
    let (client, _server) = pair()?;
    common::make_nonblocking(&client)?;
    let result = (&client).read(&mut [0u8; 16]);
    writeln!(out, "read -> {}", show(&result))?;
    expect_kind(&result, ErrorKind::WouldBlock)?;
    writeln!(
        out,
        "   not an error: nothing has arrived yet. Wait until select/poll/epoll says readable."
    )?;
    Ok(())
}

fn partial_write(out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "== partial write: a non-blocking write larger than the room left"
    )?;
    let (client, server) = pair()?;
    // Small buffers on both ends, so "what fits" is far less than we ask for.
    socket2::SockRef::from(&client).set_send_buffer_size(16 * 1024)?;
    socket2::SockRef::from(&server).set_recv_buffer_size(16 * 1024)?;
    common::make_nonblocking(&client)?;
    let big = vec![b'x'; 4 * 1024 * 1024];
    let first = (&client).write(&big);
    writeln!(out, "write({} bytes) -> {}", big.len(), show(&first))?;
    match first {
        Ok(n) if n < big.len() => {}
        _ => bail!("expected a short count, got {}", show(&first)),
    }
    // The receiver's kernel keeps draining our send buffer for a while; keep writing
    // until there is no room anywhere.
    let mut total = first?;
    let mut calls = 1;
    let last = loop {
        let result = (&client).write(&big);
        match result {
            Ok(n) if calls < 10_000 => {
                total += n;
                calls += 1;
            }
            other => break other,
        }
    };
    writeln!(
        out,
        "{calls} writes took {total} bytes; then write -> {}",
        show(&last)
    )?;
    expect_kind(&last, ErrorKind::WouldBlock)?;
    writeln!(
        out,
        "   the kernel took what fit in the buffers and said how much; keep the rest and\n   \
         write it when the socket is writable again (this is why write returns a count)."
    )?;
    drop(server);
    Ok(())
}

fn end_of_file(out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(out, "== EOF: read after the peer closed")?;
    let (client, server) = pair()?;
    drop(server);
    let result = (&client).read(&mut [0u8; 16]);
    writeln!(out, "read -> {}", show(&result))?;
    if !matches!(result, Ok(0)) {
        bail!("expected Ok(0), got {}", show(&result));
    }
    writeln!(
        out,
        "   0 is not an error: the peer sent FIN and will send nothing more. Finish up, close."
    )?;
    Ok(())
}

fn reset_then_broken_pipe(out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "== ConnectionReset: read after the peer closed with RST"
    )?;
    let (client, server) = pair()?;
    socket2::SockRef::from(&server).set_linger(Some(Duration::ZERO))?;
    drop(server);
    let result = (&client).read(&mut [0u8; 16]);
    writeln!(out, "read -> {}", show(&result))?;
    expect_kind(&result, ErrorKind::ConnectionReset)?;
    writeln!(
        out,
        "   the peer aborted (SO_LINGER {{on, 0}}, or it crashed): the connection is gone. Close."
    )?;

    writeln!(out, "== BrokenPipe: write on that reset connection")?;
    let result = (&client).write(b"anyone there?");
    writeln!(out, "write -> {}", show(&result))?;
    expect_kind(&result, ErrorKind::BrokenPipe)?;
    writeln!(
        out,
        "   writing to a connection that is gone. In C the default SIGPIPE kills the process\n   \
         first; Rust programs start with SIGPIPE ignored, so the error comes back instead."
    )?;
    Ok(())
}

/// Does nothing: its only job is to make a blocked system call return EINTR.
extern "C" fn on_signal(_: nix::libc::c_int) {}

fn interrupted(out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(out, "== Interrupted: a blocking read when a signal arrives")?;
    let (client, _server) = pair()?;
    // No SA_RESTART: with it the kernel would restart the read instead (signal(7)).
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler does nothing, so it is async-signal-safe; the old disposition
    // is put back below.
    let old = unsafe { sigaction(Signal::SIGUSR1, &action) }?;

    // Signal the process until the read has returned: one signal might arrive before the
    // read starts, and would be lost. The sender blocks SIGUSR1 for itself, so the kernel
    // delivers each one to the thread that is reading (signal(7), "Signal mask").
    let done = Arc::new(AtomicBool::new(false));
    let sender = {
        let done = Arc::clone(&done);
        thread::spawn(move || {
            let _ = SigSet::from(Signal::SIGUSR1).thread_block();
            while !done.load(Ordering::Acquire) {
                thread::sleep(Duration::from_millis(20));
                let _ = kill(Pid::this(), Signal::SIGUSR1);
            }
        })
    };
    let result = (&client).read(&mut [0u8; 16]);
    done.store(true, Ordering::Release);
    let _ = sender.join();
    // SAFETY: restores the disposition saved above.
    unsafe { sigaction(Signal::SIGUSR1, &old) }?;

    writeln!(out, "read -> {}", show(&result))?;
    expect_kind(&result, ErrorKind::Interrupted)?;
    writeln!(
        out,
        "   nothing is wrong with the socket: a signal handler ran. Call read again\n   \
         (std's read_exact and write_all do that for you)."
    )?;
    Ok(())
}

fn expect_kind(result: &io::Result<usize>, kind: ErrorKind) -> anyhow::Result<()> {
    match result {
        Err(e) if e.kind() == kind => Ok(()),
        other => bail!("expected {kind:?}, got {}", show(other)),
    }
}
