//! A Secret Service that stops answering (a locked keyring waiting for an unlock prompt
//! nobody sees) must not hang the CLI: each keyring call is bounded, then fails closed.

mod common;

use common::{Cli, Server, keyring_required};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private D-Bus session bus with its own gnome-keyring, both children of this test.
struct Session {
    bus: Child,
    keyring: Child,
    address: String,
    _data: tempfile::TempDir,
}

impl Session {
    fn start() -> Self {
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon is installed");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_owned();
        let data = tempfile::tempdir().unwrap();
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("XDG_DATA_HOME", data.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon is installed");
        keyring.stdin.take().unwrap().write_all(b"test").unwrap();
        Self {
            bus,
            keyring,
            address,
            _data: data,
        }
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.keyring.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.signal("-CONT");
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

#[test]
fn a_keyring_that_stops_answering_fails_closed_within_the_timeout() {
    if !keyring_required() {
        eprintln!("skipped: needs gnome-keyring; `bash native/test.sh` requires it");
        return;
    }
    let session = Session::start();
    let server = Server::start();
    let cli = Cli::new().with_env("DBUS_SESSION_BUS_ADDRESS", Some(&session.address));
    cli.secret(&server.token);
    let login = &["login", "--with-token", "--api", server.api.as_str()];
    let stdin = format!("{}\n", server.token);
    // The daemon may take a moment to claim its bus name.
    let deadline = Instant::now() + Duration::from_secs(20);
    while cli.run(login, stdin.as_bytes()).code != 0 {
        assert!(
            Instant::now() < deadline,
            "the private keyring never worked"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    session.signal("-STOP");
    let started = Instant::now();
    let run = cli.run(&["auth", "status", "--offline", "--api", &server.api], b"");
    let took = started.elapsed();
    session.signal("-CONT");
    run.expect(1);
    assert!(
        run.stderr.contains("did not answer within 10 s"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("CHOREO_TOKEN"), "{}", run.stderr);
    assert!(run.stderr.contains("--insecure-storage"), "{}", run.stderr);
    assert!(took < Duration::from_secs(30), "the cli hung for {took:?}");
    // Answering again, the keyring still holds the credential.
    cli.run(&["logout", "--api", &server.api], b"").expect(0);
}
