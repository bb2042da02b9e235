//! wasm-bindgen bindings of choreo-auth-core, published as the npm package `@choreo/auth`.
//! Each export converts its input, calls core and converts the output: no rule lives here.
//!
//! | JS name (package) | Rust | what it does |
//! |---|---|---|
//! | `inspectToken`, `inspectTokenAt` | `inspect_input` (`__inspect`) | `js/boundary.js` writes the input into `INPUT`, calls it, and reads the report from its tape (crate `choreo_auth_tape`) |
//! | the same, any other argument | `inspect_token`, `inspect_token_at` | throw the argument error; their signatures type the package |
//! | `inspectTokenJson`, `inspectTokenJsonAt` | `inspect_token_json`, `inspect_token_json_at` | core's canonical JSON text of the report |
//! | `scanText` | `scan_text` | core's `finder` over the text, fed through the input buffer a piece at a time, and its places in UTF-16 code units (`finder::Utf16Places`) |
//! | `new ChoreoAuth(options)` | `ChoreoAuth::new` | checks the options; core's host traits over `fetch`, `Date.now()`, `crypto` and a storage object (`host`) |
//! | `loginWithToken`, `status`, `logout`, `accessToken`, `accounts`, `switch` | `ChoreoAuth` methods | core's flows and accounts over a storage object (core's `KvStore`); values, and core's `Failure` for errors, cross as serde_json text through `JSON.parse` (`to_js`) |
//! | `useEnvironment`, `useStsToken`, `environmentToken` | `ChoreoAuth` methods | core's `env`: the token variables, in memory (nothing stored) |
//! | `logout({ all })`, `fetch`, the queue of changes per storage, the storage object's one shape | `js/boundary.js` | a subclass of the glue's `ChoreoAuth` |
//! | (internal) `__errors` | `set_error_class` | the `ChoreoAuthError` class of `js/boundary.js`, given by each entry |
//! | `runVector` (test build, feature `vectors`) | `run_vector` | core's shared vector runner |
//! | (internal) `__input` | `input_buffer` | the module's memory and input buffer, for `js/boundary.js` |
//!
//! Arguments are read by `TextEncoder.encodeInto` straight into one kept input buffer, which is
//! wiped after each call: a token is copied into wasm memory once, and a pasted megabyte is cut
//! at intake's limit rather than copied whole. The TypeScript types are generated from core's
//! Rust types (tsify).

mod host;

use choreo_auth_core::api::DEFAULT_API_BASE;
use choreo_auth_core::host::Clock as _;
use choreo_auth_core::kv::{KvStore, MemoryKv, StoredAccount};
use choreo_auth_core::login::{self, Host, Policy};
use choreo_auth_core::{AccountRef, ApiBase, Code, Failure, Session, env, finder, intake, report};
use host::{DateNow, Fetch, Storage, WebCrypto};
use js_sys::{Object, Promise, Reflect, Uint8Array};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** What `inspectToken` returns: core's report. */
export type TokenReport = Report;

/**
 * Where a client keeps its credential. VS Code's `context.secrets` fits as is: its setter is
 * named `store`, which is used when there is no `set`.
 */
export type SecretStore = {
  get(key: string): PromiseLike<string | undefined | null> | string | undefined | null;
  delete(key: string): PromiseLike<void> | void;
} & (
  | { set(key: string, value: string): PromiseLike<void> | void }
  | { store(key: string, value: string): PromiseLike<void> | void }
);

export interface ChoreoAuthOptions {
  /** Default `https://apis.choreo.dev`; `http://` only on loopback. */
  apiBase?: string;
  /** Default: memory, gone with the page or process. */
  storage?: SecretStore;
  /** Scopes the token must carry. */
  requiredScopes?: string[];
  /** Time limit of the whole exchange with the API (every request and answer of one login or
   * online status), in milliseconds (default 30000). */
  timeoutMs?: number;
}

/** Which account: an organization's handle or uuid (default: the active account). */
export interface AccountOptions {
  org?: string;
}

export interface StatusOptions extends AccountOptions {
  /** Check the token against the API again (default false: the stored session only). */
  online?: boolean;
}

/** Every rejected promise and thrown error of this package, with core's `Failure` fields. */
export class ChoreoAuthError extends Error {
  private constructor();
  /** What failed underneath: `fetch`'s error when the API could not be reached. */
  readonly cause?: unknown;
}
export interface ChoreoAuthError extends Readonly<Omit<Failure, "message">> {}

/** The platform's `fetch` where the TypeScript libraries declare one (DOM, Node's types). */
type Fetch = typeof globalThis extends { fetch: infer F } ? F : (input: any, init?: any) => Promise<any>;

export interface ChoreoAuth {
  /** Removes the account's credential and resolves to its session. */
  logout(options?: AccountOptions): Promise<Session>;
  /** Removes every account of the API base and resolves to their sessions. */
  logout(options: { all: true }): Promise<Session[]>;
  /**
   * `fetch` with the active account's token as bearer, for requests to the API base's own
   * origin only (any other origin gets the request as is). A redirect is never followed with
   * the token: it fails the request, as `redirect: "error"` does.
   */
  fetch: Fetch;
}
"#;

/// `value` as `JSON.parse` makes it of serde_json's text: for values that wait on HTTP, where
/// speed does not matter.
pub fn to_js(value: &impl Serialize) -> JsValue {
    serde_json::to_string(value)
        .ok()
        .and_then(|json| js_sys::JSON::parse(&json).ok())
        .unwrap_or(JsValue::NULL)
}

thread_local! {
    /// The package's `ChoreoAuthError` class (`js/boundary.js`), given by each entry.
    static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Takes the package's error class, which every thrown error is an instance of.
#[wasm_bindgen(js_name = __errors, skip_typescript)]
pub fn set_error_class(class: js_sys::Function) {
    ERROR_CLASS.set(Some(class));
}

/// A `ChoreoAuthError` with the failure's fields: core's stable `code`, and the offline
/// `problems` or the stored `session`.
fn error(failure: impl Into<Failure>) -> JsValue {
    thrown(failure.into())
}

/// `error`'s body, compiled once rather than once per error type.
fn thrown(failure: Failure) -> JsValue {
    let args = js_sys::Array::of1(&failure.message.as_str().into());
    // A network error's cause: what `fetch` rejected with, as `new Error(m, { cause })` has it.
    if failure.code == Code::NetworkError {
        let cause = host::FETCH_FAILURE.take();
        if !cause.is_undefined() {
            let options = Object::new();
            let _ = Reflect::set(&options, &"cause".into(), &cause);
            args.push(&options);
        }
    }
    let e = ERROR_CLASS
        .with_borrow(|class| Reflect::construct(class.as_ref()?, &args).ok())
        .unwrap_or_else(|| js_sys::Error::new(&failure.message).into());
    Object::assign(
        e.unchecked_ref::<Object>(),
        to_js(&failure).unchecked_ref::<Object>(),
    );
    e
}

fn argument_error(message: &str) -> JsValue {
    error(Failure::new(Code::InvalidArgument, message))
}

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    /// The global `TextEncoder`'s `encodeInto`, with the string left a JavaScript string.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, text: &JsValue, into: &Uint8Array) -> EncodeInto;
    type EncodeInto;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeInto) -> u32;
}

/// Room for the longest input intake reads, plus one character so a longer one shows.
const INPUT_ROOM: usize = intake::MAX_INPUT_BYTES + 4;

thread_local! {
    /// Every argument's bytes pass through this one buffer, wiped after each use.
    static INPUT: RefCell<Box<[u8]>> = RefCell::new(vec![0; INPUT_ROOM].into_boxed_slice());
    static ENCODER: TextEncoder = TextEncoder::new();
    /// The last report's tape, read by the tape crate's `js/tape.js` after `__inspect` returns.
    static TAPE: RefCell<choreo_auth_tape::Tape> = RefCell::default();
}

/// Calls `f` with the bytes of a `string | Uint8Array` argument (strings as UTF-8, lone
/// surrogates as U+FFFD, as `TextEncoder` makes them), then wipes them. At most `INPUT_ROOM`
/// bytes are taken: when the text did not fit, more than `MAX_INPUT_BYTES` were written, so
/// intake refuses it as too long, as it would the whole of it.
fn with_input<T>(input: &JsValue, f: impl FnOnce(&[u8]) -> T) -> Result<T, JsValue> {
    INPUT.with_borrow_mut(|room| {
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
        let view = Uint8Array::new_with_byte_offset_and_length(
            &memory.buffer(),
            room.as_ptr() as u32,
            room.len() as u32,
        );
        let len = if input.is_string() {
            ENCODER.with(|e| e.encode_into(input, &view).written())
        } else if let Some(bytes) = input.dyn_ref::<Uint8Array>() {
            let n = bytes.length().min(view.length());
            view.set(&bytes.subarray(0, n), 0);
            n
        } else {
            return Err(argument_error("the input must be a string or a Uint8Array"));
        };
        let len = (len as usize).min(room.len());
        let out = f(&room[..len]);
        // A kept buffer outlives the call, so these writes cannot be optimised away.
        room[..len].fill(0);
        Ok(out)
    })
}

/// `[memory, address, length]` of the input buffer, for `js/boundary.js`.
#[wasm_bindgen(js_name = __input, skip_typescript)]
pub fn input_buffer() -> js_sys::Array {
    INPUT.with_borrow_mut(|room| {
        [
            wasm_bindgen::memory(),
            (room.as_mut_ptr() as u32).into(),
            (room.len() as u32).into(),
        ]
        .into_iter()
        .collect()
    })
}

/// Inspects the `len` bytes `js/boundary.js` wrote into the input buffer, at `now` (Unix seconds)
/// or, when it is NaN, at `Date.now()`, read only if a rule needs it. Wipes them, and returns the
/// address of the report's tape header (`choreo_auth_tape::Tape::write`).
#[wasm_bindgen(js_name = __inspect, skip_typescript)]
pub fn inspect_input(len: usize, now: f64) -> *const u32 {
    INPUT.with_borrow_mut(|room| {
        let bytes = &room[..len.min(room.len())];
        let report = if now.is_nan() {
            report::inspect_with_clock(bytes, &DateNow)
        } else {
            report::inspect(bytes, now.floor() as i64)
        };
        let len = bytes.len();
        room[..len].fill(0);
        // A report always has a JSON form, so the tape takes it.
        TAPE.with_borrow_mut(|tape| tape.write(&report).unwrap_or(std::ptr::null()))
    })
}

/// Recognises a token and lists its problems, offline, at the current time.
#[wasm_bindgen(js_name = inspectToken, unchecked_return_type = "TokenReport")]
pub fn inspect_token(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
) -> Result<JsValue, JsValue> {
    with_input(&input, |bytes| {
        to_js(&report::inspect_with_clock(bytes, &DateNow))
    })
}

/// `inspectToken` at a given time (Unix seconds), for tests and reproducible output.
#[wasm_bindgen(js_name = inspectTokenAt, unchecked_return_type = "TokenReport")]
pub fn inspect_token_at(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
    now_unix_seconds: f64,
) -> Result<JsValue, JsValue> {
    let now = unix_seconds(now_unix_seconds)?;
    with_input(&input, |bytes| to_js(&report::inspect(bytes, now)))
}

fn unix_seconds(now: f64) -> Result<i64, JsValue> {
    if now.is_finite() {
        Ok(now.floor() as i64)
    } else {
        Err(argument_error(
            "the time must be a finite number of seconds",
        ))
    }
}

/// The report as core's canonical JSON text, byte for byte what every host prints.
#[wasm_bindgen(js_name = inspectTokenJson)]
pub fn inspect_token_json(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
) -> Result<String, JsValue> {
    with_input(&input, |bytes| {
        report::to_json(&report::inspect_with_clock(bytes, &DateNow))
    })
}

/// `inspectTokenJson` at a given time (Unix seconds).
#[wasm_bindgen(js_name = inspectTokenJsonAt)]
pub fn inspect_token_json_at(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
    now_unix_seconds: f64,
) -> Result<String, JsValue> {
    let now = unix_seconds(now_unix_seconds)?;
    with_input(&input, |bytes| report::inspect_json(bytes, now))
}

#[wasm_bindgen(typescript_custom_section)]
const SCAN_TYPES: &str = r#"
export interface ScanOptions {
  /** Also list checksummed tokens whose checksum fails, with `checksum: "invalid"` (default false). */
  nearMisses?: boolean;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The UTF-16 code units `encodeInto` consumed.
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeInto) -> u32;
}

/// Every token in `text` (core's `finder`), with its position in UTF-16 code units. The text is
/// encoded into the input buffer a piece at a time and fed to core's `Stream`, so it never is in
/// wasm memory whole, and the buffer is wiped before the call returns.
#[wasm_bindgen(js_name = scanText, unchecked_return_type = "TextFinding[]")]
pub fn scan_text(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ScanOptions")] options: Option<js_sys::Object>,
) -> Result<JsValue, JsValue> {
    let text: js_sys::JsString = text
        .dyn_into()
        .map_err(|_| argument_error("the text must be a string"))?;
    let near_misses = options.is_some_and(|o| {
        o.is_object() && Reflect::get(&o, &"nearMisses".into()).is_ok_and(|v| v.is_truthy())
    });
    let units = text.length();
    let mut stream = finder::Finder::builtin().stream(near_misses);
    let (mut found, mut findings) = (Vec::new(), Vec::new());
    let mut places = finder::Utf16Places::default();
    INPUT.with_borrow_mut(|room| {
        let (mut read, mut filled, mut used, mut before) = (0, 0, 0, 0);
        loop {
            // A fresh view each time: memory may have grown since the last.
            let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
            let free = Uint8Array::new_with_byte_offset_and_length(
                &memory.buffer(),
                (room.as_ptr() as usize + filled) as u32,
                (room.len() - filled) as u32,
            );
            let encoded = ENCODER.with(|e| e.encode_into(&text.substring(read, units), &free));
            read += encoded.read();
            filled += encoded.written() as usize;
            used = used.max(filled);
            let last = read >= units;
            let consumed = stream.scan(&room[..filled], last, &mut found);
            for f in found.drain(..) {
                findings.push(places.place(&room[..filled], before, f));
            }
            places.count_to(&room[..filled], before, before + consumed as u64);
            if last {
                break;
            }
            room.copy_within(consumed..filled, 0);
            filled -= consumed;
            before += consumed as u64;
        }
        room[..used].fill(0);
    });
    Ok(to_js(&findings))
}

/// Runs one shared test vector (`tests/vectors/*.json`) and returns core's output JSON.
#[cfg(feature = "vectors")]
#[wasm_bindgen(js_name = runVector)]
pub fn run_vector(vector_json: &str) -> Result<String, JsValue> {
    choreo_auth_core::vectors::run_json(vector_json)
        .map_err(|e| error(Failure::new(Code::BadVector, e)))
}

#[derive(Debug)]
struct Client {
    api: ApiBase,
    policy: Policy,
    host: Host<Fetch, DateNow, WebCrypto, KvStore<Storage>>,
}

/// `options[name]`, or `undefined`.
fn option(options: &Option<Object>, name: &str) -> JsValue {
    match options {
        Some(o) if o.is_object() => Reflect::get(o, &name.into()).unwrap_or(JsValue::UNDEFINED),
        _ => JsValue::UNDEFINED,
    }
}

/// `options[name]` read by `read`: `None` when it is absent (undefined or null), an argument
/// error saying what it `must` be when `read` refuses it.
fn option_as<T>(
    options: &Option<Object>,
    name: &str,
    must: &str,
    read: impl FnOnce(&JsValue) -> Option<T>,
) -> Result<Option<T>, JsValue> {
    let value = option(options, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    read(&value)
        .map(Some)
        .ok_or_else(|| argument_error(&format!("{name} must be {must}")))
}

/// The `org` option: an organization's handle or uuid, or `None` for the active account.
fn org_option(options: &Option<Object>) -> Result<Option<String>, JsValue> {
    option_as(options, "org", "a string", JsValue::as_string)
}

/// A method's promise: `run` with the client, its value as `JSON.parse` makes it. The future is
/// boxed, so wasm-bindgen-futures' machinery is compiled once rather than once per method.
fn promise<T: Serialize, F: Future<Output = Result<T, JsValue>>>(
    client: &Rc<Client>,
    run: impl FnOnce(Rc<Client>) -> F + 'static,
) -> Promise {
    let client = Rc::clone(client);
    let future: std::pin::Pin<Box<dyn Future<Output = _>>> =
        Box::pin(async move { run(client).await.map(|value| to_js(&value)) });
    wasm_bindgen_futures::future_to_promise(future)
}

/// A Choreo login for one API base: its accounts, one per organization, one of them active.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ChoreoAuth {
    client: Rc<Client>,
}

#[wasm_bindgen]
impl ChoreoAuth {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ChoreoAuthOptions")] options: Option<Object>,
    ) -> Result<ChoreoAuth, JsValue> {
        let base = option_as(&options, "apiBase", "a string", JsValue::as_string)?;
        let api = ApiBase::parse(base.as_deref().unwrap_or(DEFAULT_API_BASE)).map_err(error)?;
        let required_scopes = option_as(&options, "requiredScopes", "an array of strings", |v| {
            let list = v.dyn_ref::<js_sys::Array>()?;
            list.iter().map(|s| s.as_string()).collect()
        })?;
        let timeout_ms = option_as(&options, "timeoutMs", "a positive whole number", |v| {
            let ms = v.as_f64()?;
            let whole = ms.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&ms);
            whole.then_some(ms as u32)
        })?;
        // `js/boundary.js` checks the storage object and gives its methods one shape.
        let storage = match option(&options, "storage") {
            none if none.is_undefined() || none.is_null() => Storage::Memory(MemoryKv::default()),
            object => Storage::Js(object.unchecked_into()),
        };
        let policy = Policy {
            required_scopes: required_scopes.unwrap_or_default(),
            timeout_ms,
        };
        let (http, clock, random, store) = (Fetch, DateNow, WebCrypto, KvStore { storage });
        let host = Host {
            http,
            clock,
            random,
            store,
        };
        Ok(ChoreoAuth {
            client: Rc::new(Client { api, policy, host }),
        })
    }

    /// The checked API base this client talks to.
    #[wasm_bindgen(getter, js_name = apiBase)]
    pub fn api_base(&self) -> String {
        self.client.api.to_string()
    }

    /// Checks the token offline, then with the API, then stores it: the account of its
    /// organization is added, or its token replaced, and becomes the active one. Storage is
    /// untouched on any failure.
    #[wasm_bindgen(js_name = loginWithToken, unchecked_return_type = "Promise<LoginResult>")]
    pub fn login_with_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] token: JsValue,
    ) -> Promise {
        // Read the argument now: the caller may reuse or clear its buffer once we return.
        let input = with_input(&token, |bytes| Zeroizing::new(bytes.to_vec()));
        promise(&self.client, |c| async move {
            let input = input?;
            login::login(&c.host, &c.api, &input, &c.policy)
                .await
                .map_err(error)
        })
    }

    /// The stored session of an account (`{ org }`, default the active one); with
    /// `{ online: true }` the token is checked with the API again.
    #[wasm_bindgen(unchecked_return_type = "Promise<StatusResult>")]
    pub fn status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StatusOptions")] options: Option<Object>,
    ) -> Promise {
        let online = option(&options, "online").is_truthy();
        let org = org_option(&options);
        promise(&self.client, move |c| async move {
            let org = org?;
            login::status(&c.host, c.account(&org), &c.policy, online)
                .await
                .map_err(error)
        })
    }

    /// Every stored account of the API base, in the order added, the active one marked.
    #[wasm_bindgen(unchecked_return_type = "Promise<Account[]>")]
    pub fn accounts(&self) -> Promise {
        promise(&self.client, |c| async move {
            let list = c.host.store.accounts(&c.api).await.map_err(error)?;
            let row = |a: StoredAccount| Account {
                active: a.active,
                session: a.credential.session,
            };
            Ok(list.into_iter().map(row).collect::<Vec<_>>())
        })
    }

    /// Makes an account active, as `choreo auth switch` does (core's `KvStore::switch`): the
    /// one of organization `org` (handle or uuid); without `org`, the other of exactly two, the
    /// only one of one, and among more a rejection naming them. Only the account index is
    /// written. Resolves to the session of the account active now.
    #[wasm_bindgen(unchecked_return_type = "Promise<Session>")]
    pub fn switch(&self, org: Option<String>) -> Promise {
        promise(&self.client, |c| async move {
            let switched = c.host.store.switch(&c.api, org.as_deref()).await;
            let to = Some(switched.map_err(error)?.to.org_uuid);
            let credential = login::stored(&c.host.store, c.account(&to)).await;
            Ok(credential.map_err(error)?.session)
        })
    }

    /// The stored token of an account (`{ org }`, default the active one), for hosts that must
    /// hand it on (VS Code's `AuthenticationSession.accessToken`, like `gh auth token`). A page
    /// has no reason to call this: the token then leaves wasm memory.
    #[wasm_bindgen(js_name = accessToken, unchecked_return_type = "Promise<string>")]
    pub fn access_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccountOptions")] options: Option<Object>,
    ) -> Promise {
        let org = org_option(&options);
        promise(&self.client, |c| async move {
            let credential = login::stored(&c.host.store, c.account(&org?)).await;
            Ok(credential.map_err(error)?.token.expose().to_owned())
        })
    }

    /// Removes an account's credential (`{ org }`, default the active one; another account
    /// becomes active) and resolves to its session. (`{ all: true }`: `js/boundary.js`.)
    #[wasm_bindgen(skip_typescript)]
    pub fn logout(&self, options: Option<Object>) -> Promise {
        let org = org_option(&options);
        promise(&self.client, |c| async move {
            login::logout(&c.host.store, c.account(&org?))
                .await
                .map_err(error)
        })
    }

    /// Checks the token of the first token variable set in `variables` (`process.env` in Node,
    /// an object of them anywhere), in the order `CHOREO_TOKEN`, `WSO2IP_PAT`,
    /// `CLOUD_STS_TOKEN`, with the flow of its kind, as the CLI does. Nothing is stored; the
    /// session is the caller's, for as long as it holds the token.
    #[wasm_bindgen(js_name = useEnvironment, unchecked_return_type = "Promise<EnvironmentResult>")]
    pub fn use_environment(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenVariables")] variables: JsValue,
    ) -> Promise {
        let chosen = env_variable(&self.client.api, &variables);
        promise(&self.client, |c| async move {
            let (chosen, value) = chosen?;
            let checked = env::check(&c.host, &c.api, &chosen, &value, &c.policy).await;
            checked.map_err(error)
        })
    }

    /// Checks a Choreo STS access token (what `CLOUD_STS_TOKEN` holds): its claims offline,
    /// then its organization with the API. Nothing is stored.
    #[wasm_bindgen(js_name = useStsToken, unchecked_return_type = "Promise<EnvironmentResult>")]
    pub fn use_sts_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] token: JsValue,
    ) -> Promise {
        let value = with_input(&token, |bytes| Zeroizing::new(bytes.to_vec()));
        promise(&self.client, |c| async move {
            let chosen = env::Chosen::sts();
            let checked = env::check(&c.host, &c.api, &chosen, &value?, &c.policy).await;
            checked.map_err(error)
        })
    }

    /// The token `useEnvironment` would use, checked offline only, for hosts that must hand it
    /// on (VS Code's `AuthenticationSession.accessToken`, like `choreo auth token`).
    #[wasm_bindgen(js_name = environmentToken)]
    pub fn environment_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenVariables")] variables: JsValue,
    ) -> Result<String, JsValue> {
        let (chosen, value) = env_variable(&self.client.api, &variables)?;
        let now = DateNow.now_unix_ms().div_euclid(1000);
        let token = env::token(&chosen, &value, now).map_err(error)?;
        Ok(token.expose().to_owned())
    }
}

impl Client {
    fn account<'a>(&'a self, org: &'a Option<String>) -> AccountRef<'a> {
        AccountRef {
            api_base: &self.api,
            org: org.as_deref(),
        }
    }
}

/// One stored account of the client's API base.
#[derive(Debug, Serialize, tsify::Tsify)]
pub struct Account {
    /// Whether calls use this account when they name no organization.
    pub active: bool,
    pub session: Session,
}

#[wasm_bindgen(typescript_custom_section)]
const ENV_TYPES: &str = r#"
/** Token variables, as `process.env` holds them: unset or empty ones are ignored. */
export type TokenVariables = {
  CHOREO_TOKEN?: string;
  WSO2IP_PAT?: string;
  CLOUD_STS_TOKEN?: string;
  [name: string]: string | undefined;
};
"#;

/// The variable core chooses among those `variables` sets to a non-empty string, with its
/// value's bytes (only the chosen value enters wasm memory).
fn env_variable(
    api: &ApiBase,
    variables: &JsValue,
) -> Result<(env::Chosen, Zeroizing<Vec<u8>>), JsValue> {
    if !variables.is_object() {
        return Err(argument_error("the variables must be an object"));
    }
    let mut set = Vec::new();
    for name in env::TOKEN_VARIABLES {
        let value = Reflect::get(variables, &name.into()).unwrap_or(JsValue::UNDEFINED);
        if value.is_undefined() || value.is_null() {
            continue;
        }
        let text = (value.dyn_ref::<js_sys::JsString>())
            .ok_or_else(|| argument_error("each token variable must be a string"))?;
        if text.length() > 0 {
            set.push(name);
        }
    }
    let chosen = env::choose_for(api, &set).map_err(error)?;
    let value = Reflect::get(variables, &chosen.name.into()).unwrap_or(JsValue::UNDEFINED);
    let bytes = with_input(&value, |bytes| Zeroizing::new(bytes.to_vec()))?;
    Ok((chosen, bytes))
}
