//! No page links elsewhere because of what a client requested: addresses like
//! `//evil.example/x` (scheme-relative), `/\evil.example` and encoded slashes get error pages
//! whose links and redirects stay on the gateway. Raw HTTP on loopback, so the path reaches
//! the gateway exactly as written.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::TestGateway;

/// Sends `request` as written and reads the whole answer (the request asks to close).
async fn raw(gw: &TestGateway, request: &str) -> String {
    let addr = gw.gateway.as_ref().expect("running").local_addr();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut answer))
        .await
        .expect("the gateway answers")
        .expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

/// Every link target and redirect in an answer.
fn targets(answer: &str) -> Vec<String> {
    let mut found = Vec::new();
    for marker in ["href=\"", "action=\"", "src=\""] {
        for part in answer.split(marker).skip(1) {
            found.push(part.split('"').next().unwrap_or("").to_owned());
        }
    }
    for line in answer.lines() {
        if line.to_ascii_lowercase().starts_with("location:") {
            found.push(line[9..].trim().to_owned());
        }
    }
    found
}

fn assert_stays_here(request: &str, answer: &str) {
    assert!(answer.starts_with("HTTP/1.1 "), "{request:?}: {answer}");
    for target in targets(answer) {
        let t = target.replace("&#x2f;", "/").replace("&#47;", "/");
        assert!(
            !(t.starts_with("//") || t.starts_with("/\\") || t.starts_with("\\")),
            "{request:?} led to {target:?}:\n{answer}"
        );
        assert!(
            !t.contains("evil.example"),
            "{request:?} put the requested address into {target:?}:\n{answer}"
        );
    }
}

#[tokio::test]
async fn error_pages_never_link_to_the_requested_address() {
    let (gw, _clock) = TestGateway::manual().await;
    let paths = [
        "//evil.example/x",
        "//evil.example",
        "///evil.example/x",
        "/%2F%2Fevil.example/x",
        "/%5Cevil.example/x",
        "/i/%2F%2Fevil.example",
        "/i/..%2F%2Fevil.example/register",
        "/r/%2F%2Fevil.example",
        "/j/%2F%2Fevil.example",
        "/j/status/%2F%2Fevil.example",
        "/me/%2F%2Fevil.example",
        "/static/..%2F%2Fevil.example",
    ];
    for path in paths {
        for lang in ["", "?lang=zh-CN"] {
            let request = format!(
                "GET {path}{lang} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
            );
            let answer = raw(&gw, &request).await;
            assert_stays_here(&request, &answer);
        }
    }
    // A form post to such an address, and one refused for its size before any handler ran.
    let post = "POST //evil.example/x HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\
                Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b";
    assert_stays_here(post, &raw(&gw, post).await);
    let huge = "POST //evil.example/x HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\
                Content-Type: application/x-www-form-urlencoded\r\n\
                Content-Length: 999999999\r\n\r\n";
    let answer = raw(&gw, huge).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_stays_here(huge, &answer);
    // The backslash form, as some browsers read it, if the server takes it at all.
    let backslash =
        "GET /\\evil.example/x HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
    let answer = raw(&gw, backslash).await;
    if !answer.is_empty() {
        assert_stays_here(backslash, &answer);
    }
    gw.stop().await;
}
