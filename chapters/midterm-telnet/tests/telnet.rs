//! The midterm's sessions, through the real server, with a raw client, telnet and telnet-client.

use std::fs;
use std::path::PathBuf;

use testkit::{Client, Process, Server, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_telnet-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_telnet-client");

/// A directory tree `a.txt b/ b/inner.txt c.txt`, removed on drop.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str) -> Tree {
        let root = std::env::temp_dir().join(format!("midterm-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("b")).unwrap();
        for file in ["a.txt", "c.txt", "b/inner.txt"] {
            fs::write(root.join(file), "x").unwrap();
        }
        Tree(root.canonicalize().unwrap())
    }

    fn path(&self, sub: &str) -> String {
        self.0
            .join(sub)
            .to_str()
            .unwrap()
            .trim_end_matches('/')
            .to_owned()
    }

    fn server(&self) -> Server {
        Server::start(SERVER, &["--port", "0", "--dir", self.0.to_str().unwrap()])
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn every_command_and_an_unknown_one() {
    let tree = Tree::new("every");
    let mut server = tree.server();
    let mut client = Client::connect(server.addr());
    client.send_line("pwd");
    client.expect(format!("{}\n", tree.path("")).as_bytes());
    client.send_line("ls");
    client.expect(b"a.txt\nb\nc.txt\n");
    client.send_line("cd b");
    client.send_line("pwd");
    client.expect(format!("{}\n", tree.path("b")).as_bytes());
    client.send_line("ls");
    client.expect(b"inner.txt\n");
    client.send(b"cd ..\n");
    client.send(b"pwd\n");
    client.expect(format!("{}\n", tree.path("")).as_bytes());
    client.send_line("cd missing");
    client.expect(b"error: cd missing: No such file or directory (os error 2)\n");
    // The C compared prefixes: `p` ran pwd, `l` ran ls. Here only whole lines count.
    for unknown in ["p", "l", "lsx", "pwd now", "cd", "rm -rf /"] {
        client.send_line(unknown);
        client.expect(b"error: unknown input type\n");
    }
    client.send_line("quit");
    client.expect_eof();
    server.expect_stdout("client closed\n");
}

#[test]
fn each_connection_has_its_own_directory_and_the_server_survives_quit() {
    let tree = Tree::new("own-dir");
    let server = tree.server();
    let mut first = Client::connect(server.addr());
    first.send_line("cd b");
    first.send_line("quit");
    first.expect_eof();
    let mut second = Client::connect(server.addr());
    second.send_line("pwd");
    second.expect(format!("{}\n", tree.path("")).as_bytes());
}

#[test]
fn the_real_telnet() {
    let tree = Tree::new("telnet");
    let server = tree.server();
    let mut telnet = tools::telnet(server.addr());
    telnet.send(b"pwd\n");
    telnet.expect_stdout(&format!("{}\n", tree.path("")));
    telnet.send(b"ls\n");
    telnet.expect_stdout("a.txt\nb\nc.txt\n");
    telnet.send(b"cd b\nls\n");
    telnet.expect_stdout("inner.txt\n");
    telnet.send(b"whoami\n");
    telnet.expect_stdout("error: unknown input type\n");
    telnet.send(b"quit\n");
    telnet.expect_stderr("Connection closed by foreign host.");
}

#[test]
fn the_course_client() {
    let tree = Tree::new("client");
    let server = tree.server();
    let port = server.port().to_string();
    let mut client = Process::start(CLIENT, &["127.0.0.1", "--port", &port]);
    client.send(b"pwd\ncd b\nls\nfoo\nquit\n");
    assert!(client.wait().success());
    let expected = format!(
        "{}\ninner.txt\nerror: unknown input type\nserver closed\n",
        tree.path("")
    );
    assert_eq!(String::from_utf8_lossy(&client.stdout()), expected);
}
