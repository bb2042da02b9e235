//! End-to-end harness: the real `choreo` binary against the real reference server on loopback,
//! each test with its own configuration directory. Every run checks that no known token leaks
//! into stdout or stderr.
#![allow(dead_code)]

use serde_json::Value;
use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::time::Duration;

pub const CHOREO: &str = env!("CARGO_BIN_EXE_choreo");

/// The reference server binary: `CHOREO_SERVER_BIN`, else next to `choreo` in the target dir
/// (`bash native/test.sh` builds it first).
fn server_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("CHOREO_SERVER_BIN") {
        return PathBuf::from(bin);
    }
    let bin = Path::new(CHOREO)
        .parent()
        .expect("target dir")
        .join("choreo-reference-server");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p choreo-reference-server` (bash native/test.sh does)",
        bin.display()
    );
    bin
}

/// A reference server child; it exits when its stdin closes, so a crashed test leaks nothing.
pub struct Server {
    child: Child,
    _stdin: ChildStdin,
    pub api: String,
    /// The demo token the server printed at start.
    pub token: String,
}

impl Server {
    pub fn start() -> Self {
        Self::start_on("127.0.0.1")
    }

    pub fn start_on(host: &str) -> Self {
        let mut child = Command::new(server_bin())
            .args(["--exit-on-stdin-eof", "--host", host])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the reference server");
        let stdin = child.stdin.take().expect("server stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("server stdout")).lines();
        let (mut api, mut token) = (None, None);
        for line in lines.by_ref() {
            let line = line.expect("server stdout line");
            if let Some(v) = line.strip_prefix("api: ") {
                api = Some(v.trim().to_owned());
            } else if let Some(v) = line.strip_prefix("token: ") {
                token = Some(v.trim().to_owned());
            } else if line == "ready" {
                break;
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            _stdin: stdin,
            api: api.expect("server printed api:"),
            token: token.expect("server printed token:"),
        }
    }

    pub fn addr(&self) -> &str {
        self.api.strip_prefix("http://").expect("http api")
    }

    /// One admin call with a tiny HTTP/1.1 client: the admin API is plain JSON on loopback.
    pub fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(self.addr()).expect("connect to the server");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr(),
            body.len()
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8(raw).expect("utf-8 answer");
        let (head, rest) = text.split_once("\r\n\r\n").expect("http answer");
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let chunked = head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked");
        let body = if chunked {
            dechunk(rest)
        } else {
            rest.to_owned()
        };
        let value = if body.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).unwrap_or(Value::String(body))
        };
        (status, value)
    }

    /// Mints a PAT: `{"org", "scopes", "ttlSeconds", "status"}` → its token and id.
    pub fn mint(&self, spec: Value) -> (String, String) {
        let (status, body) = self.admin("POST", "/admin/pats", Some(spec));
        assert_eq!(status, 201, "mint: {body}");
        (
            body["token"].as_str().unwrap().to_owned(),
            body["id"].as_str().unwrap().to_owned(),
        )
    }

    pub fn fault(&self, fault: Value) {
        let (status, body) = self.admin("POST", "/admin/faults", Some(fault));
        assert!((200..300).contains(&status), "fault: {status} {body}");
    }

    /// Mints a Choreo STS token (`{"org", "handle", "omitOrganization", "ttlSeconds", "sub",
    /// "scopes"}`) → the token and its claims.
    pub fn mint_sts(&self, spec: Value) -> (String, Value) {
        let (status, body) = self.admin("POST", "/admin/sts", Some(spec));
        assert_eq!(status, 201, "mint sts: {body}");
        (body["token"].as_str().unwrap().to_owned(), body)
    }

    /// `METHOD path` of each Choreo API request seen since the last call, which forgets them.
    pub fn take_requests(&self) -> Vec<String> {
        let (_, body) = self.admin("GET", "/admin/requests", None);
        let (status, _) = self.admin("DELETE", "/admin/requests", None);
        assert_eq!(status, 204, "the request log is cleared");
        body.as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                )
            })
            .collect()
    }

    /// How many Choreo API requests the server has seen.
    pub fn request_count(&self) -> usize {
        let (_, body) = self.admin("GET", "/admin/requests", None);
        body.as_array().map_or(0, Vec::len)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

/// What one `choreo` run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not json ({e}): {}", self.stdout))
    }

    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit status; {self:#?}");
        self
    }
}

/// Runs `command` to its end with `stdin` piped in, capturing what it printed.
pub fn run_command(mut command: Command, stdin: &[u8]) -> Run {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the command");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// One test's world: a configuration directory and the tokens that must never be printed.
pub struct Cli {
    pub config: tempfile::TempDir,
    secrets: RefCell<Vec<String>>,
    env: Vec<(String, Option<String>)>,
}

impl Cli {
    pub fn new() -> Self {
        Self {
            config: tempfile::tempdir().unwrap(),
            secrets: RefCell::new(Vec::new()),
            env: Vec::new(),
        }
    }

    /// Adds (or with `None` removes) an environment variable for every run.
    pub fn with_env(mut self, key: &str, value: Option<&str>) -> Self {
        self.env.push((key.to_owned(), value.map(str::to_owned)));
        self
    }

    /// A token that no output may contain from now on.
    pub fn secret(&self, token: &str) {
        self.secrets.borrow_mut().push(token.to_owned());
    }

    pub fn dir(&self) -> &Path {
        self.config.path()
    }

    pub fn command(&self, args: &[&str], extra_env: &[(&str, Option<&str>)]) -> Command {
        let mut cmd = Command::new(CHOREO);
        cmd.args(args);
        self.environment(&mut cmd, extra_env);
        cmd
    }

    /// This test's environment: its configuration directory, no token variable or CHOREO_API
    /// from outside, then its own variables and `extra_env`.
    fn environment(&self, cmd: &mut Command, extra_env: &[(&str, Option<&str>)]) {
        cmd.env_remove("CHOREO_TOKEN")
            .env_remove("WSO2IP_PAT")
            .env_remove("CLOUD_STS_TOKEN")
            .env_remove("CHOREO_API")
            .env("CHOREO_CONFIG_DIR", self.dir());
        for (k, v) in self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_deref()))
            .chain(extra_env.iter().copied())
        {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
    }

    /// Runs `choreo` with `stdin` and checks that no secret was printed (the stdout of
    /// `auth token` is the one exception, allowed by `stdout_may_hold_token`).
    pub fn run_with(
        &self,
        args: &[&str],
        stdin: &[u8],
        env: &[(&str, Option<&str>)],
        stdout_may_hold_token: bool,
    ) -> Run {
        let run = run_command(self.command(args, env), stdin);
        for secret in self.secrets.borrow().iter() {
            assert!(!run.stderr.contains(secret), "token in stderr: {args:?}");
            if !stdout_may_hold_token {
                assert!(!run.stdout.contains(secret), "token in stdout: {args:?}");
            }
        }
        run
    }

    /// Runs `script` with bash, `choreo` first on PATH, in this test's environment plus `env`.
    /// The script goes in a 0600 file, so tokens in it stay out of every process's argv.
    pub fn bash(&self, script: &str, env: &[(&str, Option<&str>)]) -> Run {
        use std::os::unix::fs::OpenOptionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("script.sh");
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| f.write_all(script.as_bytes()))
            .unwrap();
        let bin_dir = Path::new(CHOREO).parent().unwrap();
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let path_var = std::env::join_paths(
            std::iter::once(bin_dir.to_path_buf()).chain(std::env::split_paths(&inherited)),
        )
        .unwrap();
        let mut bash = Command::new("bash");
        bash.arg(&path).env("PATH", path_var);
        self.environment(&mut bash, env);
        let out = bash
            .stdin(Stdio::null())
            .output()
            .expect("bash is installed");
        let run = Run {
            code: out.status.code().expect("exited normally"),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        for secret in self.secrets.borrow().iter() {
            assert!(!run.stderr.contains(secret), "token in the script's stderr");
            assert!(!run.stdout.contains(secret), "token in the script's stdout");
        }
        run
    }

    /// Every file under the configuration directory, at any depth, that contains a secret.
    pub fn files_holding_a_secret(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(self.dir(), &mut files);
        files
            .into_iter()
            .filter(|path| {
                let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
                self.secrets.borrow().iter().any(|s| text.contains(s))
            })
            .collect()
    }

    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Run {
        self.run_with(args, stdin, &[], false)
    }

    /// `login --with-token --api <api> --insecure-storage` with `token` + newline on stdin.
    pub fn login_file(&self, api: &str, token: &str) -> Run {
        self.secret(token);
        self.run(
            &["login", "--with-token", "--api", api, "--insecure-storage"],
            format!("{token}\n").as_bytes(),
        )
    }

    /// `login_file` as a running child (stdout discarded), for tests that race or kill it.
    pub fn spawn_login_file(
        &self,
        api: &str,
        token: &str,
        extra_env: &[(&str, Option<&str>)],
        stderr: Stdio,
    ) -> Child {
        self.secret(token);
        let args = ["login", "--with-token", "--api", api, "--insecure-storage"];
        let mut child = self
            .command(&args, extra_env)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
        child
    }

    /// Every file of the configuration directory with its bytes, sorted by name.
    pub fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = match std::fs::read_dir(self.dir()) {
            Ok(entries) => entries
                .map(|e| {
                    let e = e.unwrap();
                    (
                        e.file_name().into_string().unwrap(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        files
    }

    /// Checks that only `credentials.json` may hold a token.
    pub fn assert_no_secret_outside_file_store(&self) {
        for (name, bytes) in self.snapshot() {
            if name == "credentials.json" {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            for secret in self.secrets.borrow().iter() {
                assert!(!text.contains(secret), "token in {name}");
            }
        }
    }
}

/// Every secret the Secret Service holds in its unlocked collections (none without one), read
/// over D-Bus as any client would: to check that a token never went there.
#[cfg(target_os = "linux")]
pub fn keyring_secrets() -> Vec<Vec<u8>> {
    use secret_service::{EncryptionType, SecretService};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let service = match SecretService::connect(EncryptionType::Dh).await {
            Ok(service) => service,
            Err(e) if !keyring_required() => {
                eprintln!("no Secret Service to read ({e})");
                return Vec::new();
            }
            Err(e) => panic!("the Secret Service is required and unreachable: {e}"),
        };
        let mut secrets = Vec::new();
        for collection in service.get_all_collections().await.unwrap() {
            if collection.is_locked().await.unwrap() {
                continue;
            }
            for item in collection.get_all_items().await.unwrap() {
                // Tests in parallel log out: an item listed a moment ago may be gone.
                if let Ok(secret) = item.get_secret().await {
                    secrets.push(secret);
                }
            }
        }
        secrets
    })
}

impl Cli {
    /// Checks that none of `tokens` is in any file of the configuration directory or in any
    /// Secret Service item.
    #[track_caller]
    pub fn assert_never_stored(&self, tokens: &[&str]) {
        let holds = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes);
            tokens.iter().any(|t| text.contains(t))
        };
        for (name, bytes) in self.snapshot() {
            assert!(!holds(&bytes), "an environment token in {name}");
        }
        #[cfg(target_os = "linux")]
        {
            let secrets = keyring_secrets();
            assert!(
                !secrets.iter().any(|s| holds(s)),
                "an environment token in the keyring"
            );
        }
    }
}

/// A loopback address where nothing listens.
pub fn closed_port_api() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Whether the run happens under `native/test.sh`, which provides a real Secret Service and
/// requires the keyring tests to pass.
pub fn keyring_required() -> bool {
    std::env::var_os("CHOREO_TEST_KEYRING").is_some_and(|v| v == "1")
}

/// False, after saying why, when no Secret Service is there to test against: keyring tests then
/// return early. Under `native/test.sh` there always is one (`keyring_required`).
pub fn keyring_available() -> bool {
    if !keyring_required() {
        eprintln!("skipped: needs a Secret Service; `bash native/test.sh` provides one");
    }
    keyring_required()
}

/// Writes one host column of tests/parity.mjs's tables: `<target>/parity/<file>`, pretty JSON.
#[allow(dead_code)]
pub fn write_parity(file: &str, value: &Value) {
    let dir = Path::new(CHOREO).ancestors().nth(2).unwrap().join("parity");
    std::fs::create_dir_all(&dir).unwrap();
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    std::fs::write(dir.join(file), text).unwrap();
}
