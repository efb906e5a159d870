//! SIGEV_THREAD: glibc calls a function of ours on a thread it creates, once the request is
//! done. nix has no safe wrapper for this (its `SigevNotify` offers a signal, or a signal to a
//! chosen thread, which glibc's AIO ignores), so we fill in the sigevent ourselves.

use std::sync::mpsc;

/// glibc's `struct sigevent` as SIGEV_THREAD reads it (bits/types/sigevent_t.h): the
/// `libc` crate leaves the `_sigev_thread` member of the union out, so we spell it here.
#[repr(C)]
struct ThreadSigevent {
    value: libc::sigval,
    signo: libc::c_int,
    notify: libc::c_int,
    function: extern "C" fn(libc::sigval),
    attributes: *mut libc::pthread_attr_t,
}

const _: () = assert!(size_of::<ThreadSigevent>() <= size_of::<libc::sigevent>());
const _: () = assert!(align_of::<ThreadSigevent>() <= align_of::<libc::sigevent>());

/// What the callback sends: the id of the thread it ran on.
type Message = nix::unistd::Pid;

/// Runs on glibc's notification thread.
extern "C" fn on_complete(value: libc::sigval) {
    // SAFETY: sival_ptr is the Box<Sender> that `arm` leaked for this request; glibc
    // calls the function once per request, so the box is taken back exactly once.
    let sender = unsafe { Box::from_raw(value.sival_ptr.cast::<mpsc::Sender<Message>>()) };
    // The receiver may be gone only if the waiter gave up; nothing to do then.
    let _ = sender.send(nix::unistd::gettid());
}

/// The waiting side of one armed request: the channel and the leaked sender's address.
pub struct Armed {
    receiver: mpsc::Receiver<Message>,
    sender: *mut mpsc::Sender<Message>,
}

/// Points the control block's sigevent at `on_complete`, with a fresh channel's sender
/// as its argument. Call before submitting.
pub fn arm(aiocb: &mut libc::aiocb) -> Armed {
    let (sender, receiver) = mpsc::channel();
    let sender = Box::into_raw(Box::new(sender));
    let event = ThreadSigevent {
        value: libc::sigval {
            sival_ptr: sender.cast(),
        },
        signo: 0,
        notify: libc::SIGEV_THREAD,
        function: on_complete,
        attributes: std::ptr::null_mut(),
    };
    // SAFETY: `aio_sigevent` is a valid, aligned sigevent at least as large as
    // ThreadSigevent (checked above); we zero it, then write the SIGEV_THREAD prefix,
    // which is the layout glibc reads for that notification.
    unsafe {
        let target = (&raw mut aiocb.aio_sigevent).cast::<ThreadSigevent>();
        std::ptr::write_bytes(&raw mut aiocb.aio_sigevent, 0, 1);
        target.write(event);
    }
    Armed { receiver, sender }
}

/// Takes the sender back when the request was never submitted (no callback will run).
pub fn disarm(armed: Armed) {
    // SAFETY: the request was not submitted, so `on_complete` never got the pointer.
    drop(unsafe { Box::from_raw(armed.sender) });
}

/// Sleeps until the callback has run; returns which thread it ran on.
pub fn wait(armed: Armed) -> anyhow::Result<String> {
    let tid = armed
        .receiver
        .recv()
        .map_err(|_| anyhow::anyhow!("the completion callback never ran"))?;
    Ok(format!(
        "callback ran on thread {tid} (main thread {})",
        nix::unistd::gettid()
    ))
}
