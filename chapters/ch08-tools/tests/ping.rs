//! `icmp_ping` against loopback. Needs root or a permissive net.ipv4.ping_group_range,
//! as ping itself does; the error otherwise says which.

use testkit::Process;

const PING: &str = env!("CARGO_BIN_EXE_icmp_ping");

/// Checks `line` is `PREFIX checksum 0xHHHH id ID seq SEQ` and returns `(ID, rest)`.
fn fields<'a>(line: &'a str, prefix: &str, seq: u16) -> (u16, &'a str) {
    let rest = line
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix(" checksum 0x"))
        .unwrap_or_else(|| panic!("{line:?} does not start with {prefix:?}"));
    let (hex, rest) = rest.split_at(4);
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{line}");
    let rest = rest.strip_prefix(" id ").unwrap();
    let (id, rest) = rest.split_once(' ').unwrap();
    let rest = rest
        .strip_prefix(&format!("seq {seq}"))
        .unwrap_or_else(|| panic!("{line}: wrong seq"));
    (id.parse().unwrap(), rest)
}

#[test]
fn loopback_answers_every_request_with_a_matching_reply() {
    let mut p = Process::start(PING, &["127.0.0.1", "--count", "3", "--interval-ms", "0"]);
    assert!(
        p.wait().success(),
        "{}",
        String::from_utf8_lossy(&p.stderr())
    );
    let out = String::from_utf8(p.stdout()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 8, "{out}");
    assert!(
        lines[0] == "PING 127.0.0.1: 56 data bytes, SOCK_RAW ICMP socket"
            || lines[0] == "PING 127.0.0.1: 56 data bytes, SOCK_DGRAM ICMP socket",
        "{out}"
    );
    let mut ids = Vec::new();
    for seq in 1..=3u16 {
        let i = 1 + 2 * usize::from(seq - 1);
        let (sent_id, rest) = fields(lines[i], "sent type 8 (echo request) code 0", seq);
        assert_eq!(rest, "");
        let (reply_id, rest) = fields(
            lines[i + 1],
            "64 bytes from 127.0.0.1: type 0 (echo reply) code 0",
            seq,
        );
        assert_eq!(sent_id, reply_id);
        assert!(rest.ends_with(" ms") && rest.contains(", time "), "{rest}");
        ids.push(sent_id);
    }
    assert!(ids.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(lines[7], "--- 127.0.0.1: 3 sent, 3 received");
}

#[test]
fn payload_size_sets_the_message_length() {
    let mut p = Process::start(PING, &["127.0.0.1", "--count", "1", "--size", "0"]);
    assert!(
        p.wait().success(),
        "{}",
        String::from_utf8_lossy(&p.stderr())
    );
    p.expect_stdout("PING 127.0.0.1: 0 data bytes");
    p.expect_stdout("\n8 bytes from 127.0.0.1: type 0 (echo reply)");
}

#[test]
fn bad_arguments_are_refused_clearly() {
    let mut p = Process::start(PING, &["::1"]);
    assert!(!p.wait().success());
    p.expect_stderr("invalid value '::1' for '<HOST>'");
    let mut p = Process::start(PING, &["127.0.0.1", "--size", "5000"]);
    assert!(!p.wait().success());
    p.expect_stderr("5000 is not in 0..=1472");
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(PING, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--interval-ms");
}
