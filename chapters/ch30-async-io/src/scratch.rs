//! The scratch file that `aio01` and `uring-file` write and read back.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// An open scratch file that is removed when dropped, unless kept.
#[derive(Debug)]
pub struct ScratchFile {
    file: File,
    path: PathBuf,
    keep: bool,
}

impl ScratchFile {
    /// Opens `path` for reading and writing (created if missing, emptied if a regular file),
    /// or, without a path, creates a fresh `PROGRAM-PID` file in the temp directory with
    /// `O_EXCL` and mode 0600, as the C does.
    pub fn open(program: &str, path: Option<&Path>, keep: bool) -> anyhow::Result<Self> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).mode(0o600);
        let (path, options) = match path {
            Some(path) => (path.to_path_buf(), options.create(true).truncate(true)),
            None => {
                let name = format!("{program}-{}", std::process::id());
                (std::env::temp_dir().join(name), options.create_new(true))
            }
        };
        let file = options
            .open(&path)
            .with_context(|| format!("open {}", path.display()))?;
        Ok(Self { file, path, keep })
    }

    /// The open file.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The first line the demos print: where the file is and whether it stays.
    pub fn describe(&self) -> String {
        let fate = if self.keep {
            "kept"
        } else {
            "removed at exit; --keep keeps it"
        };
        format!("scratch file {} ({fate})", self.path.display())
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
