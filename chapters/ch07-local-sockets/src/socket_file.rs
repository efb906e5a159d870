//! The socket file a local server binds: claimed safely, removed on the way out.
//!
//! `bind(2)` on a local socket creates a file of type socket at the path and fails with
//! `EADDRINUSE` if anything exists there already, even a socket file left behind by a server
//! that crashed. The C servers `unlink` the path unconditionally before binding, which also
//! deletes a regular file that happens to have that name, and silently steals the path from
//! a server that is still running. [`claim`] tells these cases apart: it removes only a
//! socket file that nobody answers on.

use std::fs;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The socket type a server will bind, so that the probe for a live server uses the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `SOCK_STREAM`
    Stream,
    /// `SOCK_DGRAM`
    Datagram,
}

/// Makes `path` free for `bind`. Returns whether a stale socket file was removed.
///
/// - nothing at `path`: nothing to do;
/// - a socket file nobody answers on (connect gives `ECONNREFUSED`): removed;
/// - a live server of either type, a regular file, a directory, a symlink: an error that
///   says which, and nothing is touched.
pub fn claim(path: &Path, kind: Kind) -> anyhow::Result<bool> {
    let shown = path.display();
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e).with_context(|| format!("{shown}: cannot inspect")),
    };
    if !meta.file_type().is_socket() {
        bail!("{shown} exists and is not a socket; refusing to remove it (choose another path)");
    }
    // Try to talk to whoever might be bound there. Connecting needs write permission on
    // the file, like opening it (unix(7)).
    let probe = match kind {
        Kind::Stream => UnixStream::connect(path).map(drop),
        Kind::Datagram => UnixDatagram::unbound().and_then(|s| s.connect(path)),
    };
    match probe {
        Ok(()) => bail!("{shown}: a server is already running there"),
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            fs::remove_file(path).with_context(|| format!("remove stale socket file {shown}"))?;
            Ok(true)
        }
        Err(e) if e.raw_os_error() == Some(nix::libc::EPROTOTYPE) => {
            bail!("{shown}: in use by a server of the other socket type (EPROTOTYPE)")
        }
        Err(e) => Err(e).with_context(|| format!("{shown}: cannot tell whether it is in use")),
    }
}

/// A bound socket's file, removed when this value is dropped (normal exit, error return or
/// panic). A server killed by a signal leaves it behind; [`claim`] cleans up next time.
#[derive(Debug)]
pub struct SocketFile {
    path: PathBuf,
}

impl SocketFile {
    /// Takes charge of the socket file at `path`, which the caller has just bound.
    pub fn new(path: &Path) -> SocketFile {
        SocketFile {
            path: path.to_path_buf(),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        // Already gone (someone removed it) is fine: the goal is that it does not stay.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ch07-unit-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir(&dir).unwrap();
        dir
    }

    #[test]
    fn absent_path_is_free() {
        let dir = scratch("absent");
        assert!(!claim(&dir.join("s"), Kind::Stream).unwrap());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn stale_socket_is_removed_live_one_is_kept() {
        let dir = scratch("stale");
        let path = dir.join("s");
        let live = UnixListener::bind(&path).unwrap();
        let err = claim(&path, Kind::Stream).unwrap_err().to_string();
        assert!(err.ends_with("a server is already running there"), "{err}");
        drop(live);
        assert!(path.exists(), "closing a listener leaves its file behind");
        assert!(claim(&path, Kind::Stream).unwrap());
        assert!(!path.exists());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn regular_file_is_never_removed() {
        let dir = scratch("regular");
        let path = dir.join("notes.txt");
        fs::write(&path, "keep me").unwrap();
        let err = claim(&path, Kind::Datagram).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "exists and is not a socket; refusing to remove it (choose another path)"
            )
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "keep me");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn socket_file_is_removed_on_drop() {
        let dir = scratch("drop");
        let path = dir.join("s");
        let _listener = UnixListener::bind(&path).unwrap();
        drop(SocketFile::new(&path));
        assert!(!path.exists());
        fs::remove_dir_all(dir).unwrap();
    }
}
