//! `http_server02`: the exercise's `/photo` route, next to the course's routes.

use ch34::{NETWORK_TEXT, PHOTO_PNG};
use testkit::{Client, Server, tools};

const EXE: &str = env!("CARGO_BIN_EXE_http_server02");

#[test]
fn photo_is_the_png_with_its_length_and_type() {
    let server = Server::start(EXE, &["--port", "0"]);
    let mut client = Client::connect(server.addr());
    client.send(b"GET /photo HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut expected = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: image/png\r\n\
         Connection: Keep-Alive\r\n\r\n",
        PHOTO_PNG.len()
    )
    .into_bytes();
    expected.extend_from_slice(PHOTO_PNG);
    client.expect(&expected);
    assert!(
        PHOTO_PNG.starts_with(b"\x89PNG\r\n\x1a\n"),
        "a PNG signature"
    );
}

#[test]
fn curl_saves_the_photo_and_the_course_routes_still_answer() {
    let server = Server::start(EXE, &["--port", "0"]);
    let base = format!("http://{}", server.listening());
    let photo = tools::curl(&["-sS", &format!("{base}/photo")]);
    assert!(photo.status.success());
    assert!(
        photo.stdout == PHOTO_PNG,
        "curl got other bytes than the PNG"
    );
    let text = tools::curl(&["-sS", &format!("{base}/network")]);
    assert_eq!(text.stdout, NETWORK_TEXT.as_bytes());
    let missing = tools::curl(&[
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &format!("{base}/photos"),
    ]);
    assert_eq!(missing.stdout, b"404");
}
