//! The host protocol's module (`abi/`, core behind version 1 of `abi/PROTOCOL.md`) run under
//! wasmtime must behave exactly like the core compiled natively: the same bytes for every
//! shared vector, and a working login flow when its host functions are real (loopback HTTP to
//! the reference server, the system clock and random source, an in-memory store).
//!
//! The first test that needs them builds the module (`cargo build -p choreo-auth-abi
//! --target wasm32-unknown-unknown --release`) and the server (`cargo build -p
//! choreo-reference-server`, then `target/debug/choreo-reference-server` is started per test):
//! both are no-ops when fresh, and `cargo test` has released its build lock by the time tests
//! run, so the nested builds do not deadlock.

use base64::Engine as _;
use choreo_auth_core::vectors::{self, Vector};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasmtime::{Caller, Engine, Extern, Instance, Linker, Memory, Module, Store, format_err};

#[path = "../vector_files.rs"]
mod vector_files;
use zeroize::Zeroizing;

const FOREIGN_TOKEN: &str = "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";

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

/// Runs `cargo build` with `args` in the workspace (a no-op when everything is fresh).
fn cargo_build(args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .current_dir(workspace_root())
        .arg("build")
        .args(args)
        .status()
        .expect("cargo runs");
    assert!(built.success(), "cargo build {} failed", args.join(" "));
}

/// Builds the protocol's module once per test process and compiles it.
fn abi_module() -> &'static (Engine, Module) {
    static MODULE: OnceLock<(Engine, Module)> = OnceLock::new();
    MODULE.get_or_init(|| {
        cargo_build(&[
            "-p",
            "choreo-auth-abi",
            "--target",
            "wasm32-unknown-unknown",
            "--release",
        ]);
        let path = target_dir().join("wasm32-unknown-unknown/release/choreo_auth_abi.wasm");
        let bytes = std::fs::read(&path).expect("the protocol's module was built");
        // The module is compiled once per run and runs for microseconds: compile time wins.
        let mut config = wasmtime::Config::new();
        config.cranelift_opt_level(wasmtime::OptLevel::None);
        let engine = Engine::new(&config).expect("engine");
        let module = Module::from_binary(&engine, &bytes).expect("the module compiles");
        (engine, module)
    })
}

/// What the test supplies behind the module's imports.
struct HostState {
    /// The in-memory key-value store: the account index and each account's credential.
    credentials: BTreeMap<String, Zeroizing<String>>,
    /// `METHOD url` of every request the module asked for.
    requests: Vec<String>,
    agent: ureq::Agent,
}

fn memory_of(caller: &mut Caller<'_, HostState>) -> wasmtime::Result<Memory> {
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| format_err!("the module exports no memory"))
}

fn read_guest(caller: &mut Caller<'_, HostState>, ptr: u32, len: u32) -> wasmtime::Result<Vec<u8>> {
    let memory = memory_of(caller)?;
    let (start, end) = (ptr as usize, ptr as usize + len as usize);
    memory
        .data(&caller)
        .get(start..end)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| format_err!("the module passed a buffer outside its memory"))
}

/// Copies an answer into a buffer from the module's `alloc`; the module owns it afterwards.
fn give_guest(caller: &mut Caller<'_, HostState>, bytes: &[u8]) -> wasmtime::Result<u64> {
    let alloc = caller
        .get_export("alloc")
        .and_then(Extern::into_func)
        .ok_or_else(|| format_err!("the module exports no alloc"))?
        .typed::<u32, u32>(&caller)?;
    let len = u32::try_from(bytes.len())?;
    let ptr = alloc.call(&mut *caller, len)?;
    memory_of(caller)?.write(&mut *caller, ptr as usize, bytes)?;
    Ok((u64::from(ptr) << 32) | u64::from(len))
}

fn give_json(caller: &mut Caller<'_, HostState>, answer: &Value) -> wasmtime::Result<u64> {
    give_guest(caller, answer.to_string().as_bytes())
}

/// Sends the module's request to loopback and reports what happened in the protocol's JSON,
/// as every host adapter must: no redirect followed, `timeoutMs` for the whole request, reading
/// stopped past `maxResponseBytes`.
fn forward(agent: &ureq::Agent, request: &Value) -> Value {
    let (Some(method), Some(url), Some(authorization), Some(timeout_ms), Some(cap)) = (
        request["method"].as_str(),
        request["url"].as_str(),
        request["authorization"].as_str(),
        request["timeoutMs"].as_u64(),
        request["maxResponseBytes"].as_u64(),
    ) else {
        return json!({ "failure": "failed", "detail": "the request lacks method, url, authorization, timeoutMs or maxResponseBytes" });
    };
    // The tests reach the local reference server and nothing else.
    if !url.starts_with("http://127.0.0.1:") {
        return json!({ "failure": "failed", "detail": "this test host only reaches 127.0.0.1" });
    }
    let timeout = Some(Duration::from_millis(timeout_ms));
    let sent = match (method, request["body"].as_str()) {
        ("GET", _) => agent
            .get(url)
            .config()
            .timeout_global(timeout)
            .build()
            .header("authorization", authorization)
            .call(),
        ("POST", body) => {
            let post = agent
                .post(url)
                .config()
                .timeout_global(timeout)
                .build()
                .header("authorization", authorization);
            match body {
                Some(body) => post.header("content-type", "application/json").send(body),
                None => post.send_empty(),
            }
        }
        _ => return json!({ "failure": "failed", "detail": "unsupported method" }),
    };
    let mut response = match sent {
        Ok(r) => r,
        Err(ureq::Error::Timeout(_)) => return json!({ "failure": "timeout" }),
        Err(e @ (ureq::Error::ConnectionFailed | ureq::Error::HostNotFound)) => {
            return json!({ "failure": "connect", "detail": e.to_string() });
        }
        Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return json!({ "failure": "connect", "detail": e.to_string() });
        }
        Err(e) => return json!({ "failure": "failed", "detail": e.to_string() }),
    };
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let mut body = Vec::new();
    let read = std::io::Read::read_to_end(
        &mut std::io::Read::take(response.body_mut().as_reader(), cap + 1),
        &mut body,
    );
    match read {
        Ok(_) => {
            let cap = usize::try_from(cap).unwrap_or(usize::MAX);
            let truncated = body.len() > cap;
            body.truncate(cap);
            json!({
                "status": response.status().as_u16(),
                "headers": headers,
                "bodyBase64": base64::engine::general_purpose::STANDARD.encode(body),
                "truncated": truncated,
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => json!({ "failure": "timeout" }),
        Err(e) => json!({ "failure": "failed", "detail": format!("reading the body failed: {e}") }),
    }
}

fn key_of(caller: &mut Caller<'_, HostState>, ptr: u32, len: u32) -> wasmtime::Result<String> {
    Ok(String::from_utf8(read_guest(caller, ptr, len)?)?)
}

fn linker(engine: &Engine) -> Linker<HostState> {
    let mut linker = Linker::new(engine);
    linker
        .func_wrap(
            "host",
            "http_send",
            |mut caller: Caller<'_, HostState>, ptr: u32, len: u32| {
                let request = Zeroizing::new(read_guest(&mut caller, ptr, len)?);
                let request: Value = serde_json::from_slice(&request)?;
                let answer = forward(&caller.data().agent, &request);
                let line = format!("{} {}", request["method"], request["url"]).replace('"', "");
                caller.data_mut().requests.push(line);
                give_json(&mut caller, &answer)
            },
        )
        .expect("http_send links");
    linker
        .func_wrap("host", "now_unix_ms", || -> i64 {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
        })
        .expect("now_unix_ms links");
    linker
        .func_wrap(
            "host",
            "random_fill",
            |mut caller: Caller<'_, HostState>, ptr: u32, len: u32| -> wasmtime::Result<i32> {
                let mut bytes = vec![0u8; len as usize];
                if getrandom::fill(&mut bytes).is_err() {
                    return Ok(1);
                }
                memory_of(&mut caller)?.write(&mut caller, ptr as usize, &bytes)?;
                Ok(0)
            },
        )
        .expect("random_fill links");
    linker
        .func_wrap(
            "host",
            "store_load",
            |mut caller: Caller<'_, HostState>, ptr: u32, len: u32| {
                let key = key_of(&mut caller, ptr, len)?;
                let value = caller.data().credentials.get(&key).cloned();
                let answer = Zeroizing::new(json!({ "value": value.as_deref() }).to_string());
                give_guest(&mut caller, answer.as_bytes())
            },
        )
        .expect("store_load links");
    linker
        .func_wrap(
            "host",
            "store_save",
            |mut caller: Caller<'_, HostState>, kp: u32, kl: u32, vp: u32, vl: u32| {
                let key = key_of(&mut caller, kp, kl)?;
                let value = Zeroizing::new(String::from_utf8(read_guest(&mut caller, vp, vl)?)?);
                caller.data_mut().credentials.insert(key, value);
                give_json(&mut caller, &json!({}))
            },
        )
        .expect("store_save links");
    linker
        .func_wrap(
            "host",
            "store_delete",
            |mut caller: Caller<'_, HostState>, ptr: u32, len: u32| {
                let key = key_of(&mut caller, ptr, len)?;
                caller.data_mut().credentials.remove(&key);
                give_json(&mut caller, &json!({}))
            },
        )
        .expect("store_delete links");
    linker
}

/// One instance of the protocol's module with its host state.
struct Guest {
    store: Store<HostState>,
    instance: Instance,
}

impl Guest {
    fn new() -> Self {
        let (engine, module) = abi_module();
        // Each request's time limit is core's (timeoutMs); redirects are answers, never followed.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let mut store = Store::new(
            engine,
            HostState {
                credentials: BTreeMap::new(),
                requests: Vec::new(),
                agent,
            },
        );
        let instance = linker(engine)
            .instantiate(&mut store, module)
            .expect("the module instantiates");
        Self { store, instance }
    }

    /// Calls a JSON export: copies `input` in, returns the answer and frees both buffers.
    fn call(&mut self, export: &str, input: &[u8]) -> String {
        let alloc = self
            .instance
            .get_typed_func::<u32, u32>(&mut self.store, "alloc")
            .expect("alloc is exported");
        let dealloc = self
            .instance
            .get_typed_func::<(u32, u32), ()>(&mut self.store, "dealloc")
            .expect("dealloc is exported");
        let func = self
            .instance
            .get_typed_func::<(u32, u32), u64>(&mut self.store, export)
            .expect("the export exists");
        let memory = self
            .instance
            .get_memory(&mut self.store, "memory")
            .expect("memory is exported");
        let len = u32::try_from(input.len()).expect("input fits in wasm32");
        let ptr = alloc.call(&mut self.store, len).expect("alloc runs");
        memory
            .write(&mut self.store, ptr as usize, input)
            .expect("the input fits");
        let packed = func
            .call(&mut self.store, (ptr, len))
            .expect("the export runs");
        let (out_ptr, out_len) = ((packed >> 32) as u32, packed as u32);
        let start = out_ptr as usize;
        let out = memory.data(&self.store)[start..start + out_len as usize].to_vec();
        dealloc
            .call(&mut self.store, (out_ptr, out_len))
            .expect("dealloc runs");
        String::from_utf8(out).expect("answers are utf-8")
    }

    /// One request of the protocol, in version 1; its answer, checked to be in version 1.
    fn request(&mut self, op: &str, fields: &Value) -> Value {
        let mut request = json!({ "version": 1, "op": op });
        for (name, value) in fields.as_object().expect("fields are an object") {
            request[name] = value.clone();
        }
        let input = Zeroizing::new(request.to_string());
        let answer: Value =
            serde_json::from_str(&self.call("call", input.as_bytes())).expect("answers are json");
        assert_eq!(answer["version"], 1, "{answer}");
        answer
    }

    fn requests(&mut self) -> Vec<String> {
        std::mem::take(&mut self.store.data_mut().requests)
    }

    fn stored(&self) -> BTreeMap<String, Zeroizing<String>> {
        self.store.data().credentials.clone()
    }
}

fn first_difference(a: &str, b: &str) -> usize {
    a.bytes()
        .zip(b.bytes())
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

fn write_parity(host: &str, outputs: &BTreeMap<String, String>) {
    let dir = target_dir().join("parity");
    std::fs::create_dir_all(&dir).expect("target/parity can be created");
    let json = serde_json::to_string_pretty(outputs).expect("outputs serialise");
    std::fs::write(dir.join(format!("{host}.json")), json + "\n").expect("parity file written");
}

#[test]
fn every_vector_gives_the_same_bytes_natively_and_under_wasmtime() {
    let files = vector_files::all();

    let mut guest = Guest::new();
    let (mut native, mut wasm) = (BTreeMap::new(), BTreeMap::new());
    let mut failures = Vec::new();
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).expect("vector readable");
        let vector: Vector = serde_json::from_str(&text).expect("vector parses");
        let here = vectors::run(&vector).unwrap_or_else(|e| panic!("{file}: {e}"));
        let answer: Value =
            serde_json::from_str(&guest.call("run_vector", text.as_bytes())).expect("json");
        let there = match answer["output"].as_str() {
            Some(out) => out.to_owned(),
            None => panic!("{file}: the module failed: {}", answer["error"]),
        };
        if here != there {
            failures.push(format!(
                "{file} ({}): outputs differ at byte {}\n  native:   {here}\n  wasmtime: {there}",
                vector.name,
                first_difference(&here, &there)
            ));
        }
        let output: Value = serde_json::from_str(&here).expect("outputs are json");
        if output != vector.expect {
            failures.push(format!(
                "{file}: output is not `expect`\n  got:    {here}\n  expect: {}",
                vector.expect
            ));
        }
        let codes = vectors::codes_of(&here).expect("codes readable");
        if codes != vector.codes {
            failures.push(format!(
                "{file}: codes {codes:?}, expected {:?}",
                vector.codes
            ));
        }
        native.insert(file.clone(), here);
        wasm.insert(file, there);
    }
    write_parity("native", &native);
    write_parity("wasmtime", &wasm);
    assert_eq!(
        guest.requests(),
        Vec::<String>::new(),
        "vectors script their own answers"
    );
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    println!("{} vectors: native and wasmtime agree", files.len());
}

#[test]
fn the_module_needs_only_the_host_imports_no_glue_and_no_wasi() {
    let (_, module) = abi_module();
    let mut imports: Vec<String> = module
        .imports()
        .map(|i| format!("{}.{}", i.module(), i.name()))
        .collect();
    imports.sort();
    assert_eq!(
        imports,
        [
            "host.http_send",
            "host.now_unix_ms",
            "host.random_fill",
            "host.store_delete",
            "host.store_load",
            "host.store_save",
        ]
    );
    // Functions and memory: the linker's own globals (`__heap_base`, ...) are no interface.
    let mut exports: Vec<&str> = module
        .exports()
        .filter(|e| !matches!(e.ty(), wasmtime::ExternType::Global(_)))
        .map(|e| e.name())
        .collect();
    exports.sort_unstable();
    // `call` is the protocol; `run_vector` is test support beside it.
    assert_eq!(
        exports,
        ["alloc", "call", "dealloc", "memory", "run_vector"],
        "a new export is a change to abi/PROTOCOL.md"
    );
}

#[test]
fn a_foreign_token_is_rejected_without_any_http_call() {
    let mut guest = Guest::new();
    let answer = guest.request(
        "login",
        &json!({ "apiBase": "http://127.0.0.1:9", "input": FOREIGN_TOKEN }),
    );
    assert_eq!(answer["ok"], false);
    assert_eq!(answer["error"]["code"], "foreign-token");
    assert_eq!(answer["error"]["problems"][0]["code"], "foreign-token");
    assert_eq!(guest.requests(), Vec::<String>::new());
    assert!(guest.stored().is_empty());
}

#[test]
fn an_insecure_api_base_is_refused_before_any_request() {
    let mut guest = Guest::new();
    let answer = guest.request(
        "login",
        &json!({ "apiBase": "http://apis.choreo.dev", "input": "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox" }),
    );
    assert_eq!(answer["error"]["code"], "insecure-api-base");
    assert_eq!(guest.requests(), Vec::<String>::new());
}

/// `choreo-reference-server` on an ephemeral loopback port; it exits when its stdin closes.
struct ReferenceServer {
    child: Child,
    stdin: Option<ChildStdin>,
    api: String,
    token: Zeroizing<String>,
}

impl ReferenceServer {
    fn start() -> Self {
        static BUILT: OnceLock<()> = OnceLock::new();
        BUILT.get_or_init(|| cargo_build(&["-p", "choreo-reference-server"]));
        let exe = target_dir().join("debug/choreo-reference-server");
        let mut child = Command::new(&exe)
            .arg("--exit-on-stdin-eof")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the reference server starts");
        let stdin = child.stdin.take();
        let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let (mut api, mut token) = (None, None);
        for line in lines.by_ref() {
            let line = Zeroizing::new(line.expect("server stdout readable"));
            if let Some(a) = line.strip_prefix("api: ") {
                api = Some(a.trim().to_owned());
            } else if let Some(t) = line.strip_prefix("token: ") {
                token = Some(Zeroizing::new(t.trim().to_owned()));
            } else if line.trim() == "ready" {
                break;
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            stdin,
            api: api.expect("the server printed its api base"),
            token: token.expect("the server printed a token"),
        }
    }

    fn admin(&self, path: &str, body: &Value) -> Value {
        let mut response = ureq::post(&format!("{}{path}", self.api))
            .header("content-type", "application/json")
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("POST {path} failed: {e}"));
        serde_json::from_slice(&response.body_mut().read_to_vec().expect("admin body"))
            .expect("admin answers are json")
    }

    /// Mints a PAT through the admin surface: its id and the token.
    fn mint(&self, spec: &Value) -> (String, Zeroizing<String>) {
        let created = self.admin("/admin/pats", spec);
        let id = created["id"].as_str().expect("a minted pat has an id");
        let token = created["token"].as_str().expect("a minted pat has a token");
        (id.to_owned(), Zeroizing::new(token.to_owned()))
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn login_request(server: &ReferenceServer, token: &str) -> Value {
    json!({ "apiBase": server.api, "input": format!("{token}\n") })
}

/// The store's keys: the account index and one credential per account.
fn keys(guest: &Guest) -> Vec<String> {
    guest.stored().into_keys().collect()
}

#[test]
fn login_status_and_logout_run_under_wasmtime_against_the_reference_server() {
    let server = ReferenceServer::start();
    let mut guest = Guest::new();
    let api = json!({ "apiBase": server.api });

    let login = guest.request("login", &login_request(&server, &server.token));
    assert_eq!(login["ok"], true, "login failed: {login}");
    assert_eq!(login["session"]["apiBase"], server.api.as_str());
    assert_eq!(login["session"]["id"].as_str().map(str::len), Some(32));
    let requests = guest.requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert!(requests[0].starts_with("POST ") && requests[0].ends_with("/pat/introspect"));
    let uuid = login["session"]["organization"]["uuid"].as_str().unwrap();
    // Core's key-value layout (core/src/kv.rs), the npm package's storage's.
    let credential_key = format!("choreo:{}#{uuid}", server.api);
    assert_eq!(
        keys(&guest),
        ["choreo:accounts".to_owned(), credential_key.clone()]
    );
    let stored = guest.stored();
    assert!(stored[&credential_key].contains(server.token.as_str()));
    assert!(!stored["choreo:accounts"].contains(server.token.as_str()));

    let online = guest.request("status", &json!({ "apiBase": server.api, "online": true }));
    assert_eq!(online["ok"], true, "status failed: {online}");
    assert_eq!(online["checkedOnline"], true);
    assert_eq!(online["session"]["id"], login["session"]["id"]);
    assert_eq!(guest.requests().len(), 3);

    let offline = guest.request("status", &api);
    assert_eq!(offline["checkedOnline"], false);
    assert_eq!(guest.requests(), Vec::<String>::new());

    let logout = guest.request("logout", &api);
    assert_eq!(logout["ok"], true);
    assert_eq!(logout["session"]["id"], login["session"]["id"]);
    assert!(guest.stored().is_empty());
    assert_eq!(
        guest.request("status", &api)["error"]["code"],
        "not-logged-in"
    );
    assert_eq!(
        guest.request("logout", &api)["error"]["code"],
        "not-logged-in"
    );

    for answer in [&login, &online, &offline, &logout] {
        assert!(
            !answer.to_string().contains(server.token.as_str()),
            "an answer carries the token"
        );
    }
}

#[test]
fn two_organizations_are_two_accounts_and_switch_changes_the_active_one() {
    let server = ReferenceServer::start();
    let mut guest = Guest::new();
    let (_, acme) = server.mint(&json!({ "org": "acme" }));
    let (_, globex) = server.mint(&json!({ "org": "globex" }));
    for token in [&acme, &globex] {
        let login = guest.request("login", &login_request(&server, token));
        assert_eq!(login["ok"], true, "login failed: {login}");
    }
    let rows = |guest: &mut Guest| -> Vec<(String, bool)> {
        let answer = guest.request("accounts", &json!({}));
        answer["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .map(|a| (a["org"].as_str().unwrap().to_owned(), a["active"] == true))
            .collect()
    };
    let org = |answer: &Value| answer["session"]["organization"]["handle"].clone();
    assert_eq!(
        rows(&mut guest),
        [("acme".to_owned(), false), ("globex".to_owned(), true)]
    );
    let api = json!({ "apiBase": server.api });
    assert_eq!(org(&guest.request("status", &api)), "globex");

    let switched = guest.request("switch", &api);
    assert_eq!(switched["account"]["org"], "acme", "{switched}");
    assert_eq!(switched["changed"], true);
    assert_eq!(org(&guest.request("status", &api)), "acme");
    let named = json!({ "apiBase": server.api, "org": "globex" });
    assert_eq!(org(&guest.request("status", &named)), "globex");

    assert_eq!(org(&guest.request("logout", &api)), "acme");
    assert_eq!(rows(&mut guest), [("globex".to_owned(), true)]);
    let missing = guest.request("switch", &json!({ "apiBase": server.api, "org": "acme" }));
    assert_eq!(missing["error"]["code"], "not-logged-in", "{missing}");
}

#[test]
fn raw_input_bytes_cross_as_base64_and_a_bom_is_stripped_with_a_notice() {
    let server = ReferenceServer::start();
    let mut guest = Guest::new();
    let mut raw = Zeroizing::new("\u{feff}".as_bytes().to_vec());
    raw.extend_from_slice(server.token.as_bytes());
    raw.extend_from_slice(b"\r\n");
    let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&raw));
    let answer = guest.request(
        "login",
        &json!({ "apiBase": server.api, "inputBase64": encoded.as_str() }),
    );
    assert_eq!(answer["ok"], true, "login failed: {answer}");
    assert_eq!(answer["warnings"][0]["code"], "stripped-bom");
    assert_eq!(guest.stored().len(), 2, "the index and the credential");
}

#[test]
fn status_of_a_token_revoked_after_login_is_pat_inactive_and_keeps_the_credential() {
    let server = ReferenceServer::start();
    let mut guest = Guest::new();
    let (id, token) = server.mint(&json!({ "org": "acme", "ttlSeconds": 3600 }));
    let login = guest.request("login", &login_request(&server, &token));
    assert_eq!(login["ok"], true, "login failed: {login}");
    let before = guest.stored();
    server.admin(&format!("/admin/pats/{id}/revoke"), &json!({}));

    let status = guest.request("status", &json!({ "apiBase": server.api, "online": true }));
    assert_eq!(status["ok"], false);
    assert_eq!(status["error"]["code"], "pat-inactive", "{status}");
    assert_eq!(status["session"]["id"], login["session"]["id"]);
    assert!(
        same_store(&before, &guest.stored()),
        "status changed the store"
    );
}

fn same_store(
    a: &BTreeMap<String, Zeroizing<String>>,
    b: &BTreeMap<String, Zeroizing<String>>,
) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.0 == y.0 && x.1.as_str() == y.1.as_str())
}

#[test]
fn a_revoked_token_fails_with_pat_inactive_and_leaves_the_store_untouched() {
    let server = ReferenceServer::start();
    let mut guest = Guest::new();
    let first = guest.request("login", &login_request(&server, &server.token));
    assert_eq!(first["ok"], true, "login failed: {first}");
    let before = guest.stored();
    guest.requests();

    let (id, revoked) = server.mint(&json!({
        "org": first["session"]["organization"]["handle"],
        "scopes": first["session"]["scopes"],
        "ttlSeconds": 3600,
    }));
    server.admin(&format!("/admin/pats/{id}/revoke"), &json!({}));

    let answer = guest.request("login", &login_request(&server, &revoked));
    assert_eq!(answer["ok"], false);
    assert_eq!(answer["error"]["code"], "pat-inactive", "{answer}");
    assert_eq!(
        guest.requests().len(),
        1,
        "policy fails after introspection"
    );
    assert!(
        same_store(&before, &guest.stored()),
        "the failed login changed the store"
    );
}

/// Whether every string in `value` is safe to show: no control or bidi character, no run of
/// `token` longer than its mask shows.
fn inert(value: &Value, token: &str) -> bool {
    match value {
        Value::String(s) => {
            !s.chars().any(|c| {
                c.is_control()
                    || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            }) && !token
                .as_bytes()
                .windows(5)
                .any(|w| s.contains(std::str::from_utf8(w).unwrap_or_default()))
        }
        Value::Array(items) => items.iter().all(|v| inert(v, token)),
        Value::Object(map) => map.values().all(|v| inert(v, token)),
        _ => true,
    }
}

/// The cases of tests/faults.json through the protocol's module under wasmtime, its HTTP import
/// served by ureq: into target/parity/faults-wasmtime.json for tests/parity.mjs.
#[test]
fn every_hostile_fault_gives_the_shared_outcome_under_wasmtime() {
    let cases: Value = serde_json::from_slice(
        &std::fs::read(workspace_root().join("tests/faults.json")).expect("tests/faults.json"),
    )
    .expect("faults.json is json");
    let server = ReferenceServer::start();
    let elsewhere = ReferenceServer::start();
    let mut outcomes = BTreeMap::new();
    for case in cases["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("a case has a name");
        let (_, token) = server.mint(&json!({}));
        let fault = case["fault"]
            .to_string()
            .replace("{elsewhere}", &elsewhere.api);
        server.admin(
            "/admin/faults",
            &serde_json::from_str(&fault).expect("fault json"),
        );
        ureq::delete(&format!("{}/admin/requests", elsewhere.api))
            .call()
            .expect("clear the other origin's log");
        let mut guest = Guest::new();
        let mut request = login_request(&server, &token);
        if let Some(ms) = case["timeoutMs"].as_u64() {
            request["timeoutMs"] = ms.into();
        }
        let answer = guest.request("login", &request);
        ureq::delete(&format!("{}/admin/faults", server.api))
            .call()
            .expect("clear the fault");
        let mut outcome = answer["error"]["code"].as_str().unwrap_or("ok").to_owned();
        if !inert(&answer, &token) {
            outcome.push_str(" (unsafe text)");
        }
        let seen: Value = serde_json::from_slice(
            &ureq::get(&format!("{}/admin/requests", elsewhere.api))
                .call()
                .expect("the other origin's log")
                .body_mut()
                .read_to_vec()
                .expect("log body"),
        )
        .expect("log json");
        if seen
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["authorization"] == "present"))
        {
            outcome.push_str(" (bearer sent elsewhere)");
        }
        assert_eq!(
            outcome,
            case["expect"].as_str().unwrap_or_default(),
            "{name}: {answer}"
        );
        outcomes.insert(name.to_owned(), Value::from(outcome));
    }
    let dir = target_dir().join("parity");
    std::fs::create_dir_all(&dir).expect("parity dir");
    std::fs::write(
        dir.join("faults-wasmtime.json"),
        serde_json::to_string_pretty(&outcomes).expect("json") + "\n",
    )
    .expect("write faults-wasmtime.json");
}
