//! HTTPS off the reference server: the platform trust store decides, `SSL_CERT_FILE` is
//! honoured, and an untrusted certificate is a network error. The TLS peer is a real
//! `openssl s_server` on loopback that answers one canned HTTP response.

mod common;

use common::Cli;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A self-signed certificate for `localhost` (not a CA, so only an explicit trust store
/// accepts it).
fn certificate(dir: &Path) {
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stderr(Stdio::null())
        .status()
        .expect("openssl is installed");
    assert!(status.success());
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Starts `openssl s_server` and waits until it accepts connections.
fn tls_server(dir: &Path, port: u16) -> (Child, impl Iterator<Item = String>) {
    let mut child = Command::new("openssl")
        .args(["s_server", "-naccept", "1", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(dir.join("cert.pem"))
        .arg("-key")
        .arg(dir.join("key.pem"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server");
    let mut lines = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok);
    assert!(
        lines.any(|l| l.starts_with("ACCEPT")),
        "s_server did not start"
    );
    (child, lines)
}

#[test]
fn a_certificate_trusted_through_ssl_cert_file_carries_the_request() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    certificate(dir.path());
    let port = free_port();
    let (mut server, mut lines) = tls_server(dir.path(), port);
    let api = format!("https://localhost:{port}");
    let mut login = cli
        .command(
            &["login", "--with-token", "--api", &api, "--insecure-storage"],
            &[(
                "SSL_CERT_FILE",
                Some(dir.path().join("cert.pem").to_str().unwrap()),
            )],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(login.stdin.take().unwrap(), "abcdefghijklmnopqrstuvwx").unwrap();
    // s_server prints what it receives once the handshake has passed.
    assert!(
        lines.any(|l| l.starts_with("POST /api-key-service/v1.0/pat/introspect HTTP/1.1")),
        "the request never arrived over tls"
    );
    let body = r#"{"error":"invalid_token","error_description":"answered over tls"}"#;
    let mut stdin = server.stdin.take().unwrap();
    write!(
        stdin,
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    stdin.flush().unwrap();
    let out = login.wait_with_output().unwrap();
    drop(stdin);
    let _ = server.kill();
    let _ = server.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("(invalid_token: answered over tls)"),
        "{stderr}"
    );
}

#[test]
fn an_untrusted_certificate_is_a_network_error() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    certificate(dir.path());
    let port = free_port();
    let (mut server, _lines) = tls_server(dir.path(), port);
    let api = format!("https://localhost:{port}");
    let run = cli.run(
        &["login", "--with-token", "--api", &api, "--insecure-storage"],
        b"abcdefghijklmnopqrstuvwx\n",
    );
    let _ = server.kill();
    let _ = server.wait();
    run.expect(1);
    assert!(
        run.stderr.starts_with(
            "choreo: could not reach the choreo api: could not connect: invalid peer certificate"
        ),
        "{}",
        run.stderr
    );
    assert!(cli.snapshot().is_empty());
}
