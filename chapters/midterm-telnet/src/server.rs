//! `telnet-server`: answers `pwd`, `cd <dir>`, `ls` and `quit`, one client at a time.
//!
//! Guarantees:
//! - a command is a whole line (`\n` or telnet's `\r\n`); the C compared prefixes, so `p`
//!   ran `pwd` and `l` ran `ls`. Anything else gets `error: unknown input type`.
//! - no shell ever sees peer input: `ls` is [`std::fs::read_dir`], sorted, not `popen("ls")`.
//! - each connection has its own working directory, starting at the server's; `cd` never
//!   calls chdir(2), so one client cannot move another.
//! - a client that misbehaves (too long a line, reset) ends only its own connection.

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use common::LineReader;

/// The reply to anything that is not a command.
pub const UNKNOWN: &str = "error: unknown input type";

/// One line from the client, parsed.
#[derive(Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// `pwd`: print the connection's directory.
    Pwd,
    /// `cd <dir>`: change the connection's directory.
    Cd(&'a str),
    /// `ls`: list the connection's directory.
    Ls,
    /// `quit`: close the connection.
    Quit,
    /// Anything else.
    Unknown,
}

impl<'a> Command<'a> {
    /// Parses one line (terminator already removed). Exact matches only.
    pub fn parse(line: &'a [u8]) -> Command<'a> {
        match line {
            b"pwd" => Command::Pwd,
            b"ls" => Command::Ls,
            b"quit" => Command::Quit,
            _ => match line.strip_prefix(b"cd ").map(std::str::from_utf8) {
                Some(Ok(dir)) if !dir.is_empty() => Command::Cd(dir),
                _ => Command::Unknown,
            },
        }
    }
}

/// Accepts clients one after another; each starts in `start`.
pub fn serve(listener: &TcpListener, start: &Path) -> io::Result<()> {
    loop {
        let (stream, peer) = listener.accept()?;
        match session(&stream, start.to_path_buf()) {
            Ok(()) => println!("client closed"),
            Err(e) => eprintln!("error with {peer}: {e}"),
        }
    }
}

/// Serves one connection until `quit` or EOF.
fn session(stream: &TcpStream, mut cwd: PathBuf) -> io::Result<()> {
    let mut lines = LineReader::new(stream);
    let mut out = stream;
    while let Some(line) = lines.read_line()? {
        let reply = match Command::parse(line) {
            Command::Pwd => format!("{}\n", cwd.display()),
            Command::Ls => list(&cwd),
            Command::Cd(dir) => match change_dir(&cwd, dir) {
                Ok(next) => {
                    cwd = next;
                    String::new()
                }
                Err(e) => format!("error: cd {dir}: {e}\n"),
            },
            Command::Quit => return Ok(()),
            Command::Unknown => format!("{UNKNOWN}\n"),
        };
        out.write_all(reply.as_bytes())?;
    }
    Ok(())
}

/// Resolves `dir` against `cwd` and checks it is a directory we may list.
fn change_dir(cwd: &Path, dir: &str) -> io::Result<PathBuf> {
    // canonicalize resolves `..` and symlinks, so `pwd` shows a clean absolute path.
    let next = cwd.join(dir).canonicalize()?;
    std::fs::read_dir(&next)?;
    Ok(next)
}

/// The names in `dir`, sorted, one per line; or an error line.
fn list(dir: &Path) -> String {
    let names: io::Result<Vec<String>> = std::fs::read_dir(dir).and_then(|entries| {
        entries
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect()
    });
    match names {
        Ok(mut names) => {
            names.sort();
            names.iter().map(|n| format!("{n}\n")).collect()
        }
        Err(e) => format!("error: ls: {e}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_match_whole_lines_only() {
        assert_eq!(Command::parse(b"pwd"), Command::Pwd);
        assert_eq!(Command::parse(b"p"), Command::Unknown);
        assert_eq!(Command::parse(b"lsx"), Command::Unknown);
        assert_eq!(Command::parse(b"cd .."), Command::Cd(".."));
        assert_eq!(Command::parse(b"cd "), Command::Unknown);
        assert_eq!(Command::parse(b"quit now"), Command::Unknown);
    }
}
