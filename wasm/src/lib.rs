//! wasm-bindgen bindings of choreo-auth-core, the npm package `@choreo/auth`: each export converts
//! its input, calls core and converts the output; no rule lives here.
//!
//! | JS name | here | what it does |
//! |---|---|---|
//! | `inspectToken`, `inspectTokenJson`, their `…At` | `__inspect`, `__inspectJson` | `js/boundary.js` writes the input into `INPUT` and reads the tape (`choreo_auth_tape`) or core's JSON text |
//! | `scanText` | `scan_text` | core's `finder` fed through `INPUT` a piece at a time |
//! | `ChoreoAuth` | `ChoreoAuth`, `Run` | core's flows over `host`'s adapters; values and `Failure` cross as serde_json text and `JSON.parse` |
//! | the methods' promises, `logout({ all })`, `fetch` | `js/boundary.js` | a subclass of the glue's `ChoreoAuth` that steps each method's `Run`, doing the HTTP and storage calls it asks for, in order per storage |
//! | `runVector` (feature `vectors`) | `run_vector` | core's shared vector runner, for tests |
//! | `__input`, `__errors`, `__invalid` | `input_buffer`, `set_error_class`, `invalid_argument` | the input buffer, the error class and argument errors, for `js/boundary.js` and the entries |
//!
//! Arguments reach core through one kept input buffer, wiped after each call: a token is copied
//! into wasm memory once, and a pasted megabyte is cut at intake's limit. TypeScript types are
//! generated from core's Rust types (tsify).

mod host;

use choreo_auth_core::api::DEFAULT_API_BASE;
use choreo_auth_core::host::Clock as _;
use choreo_auth_core::kv::{KvStore, MemoryKv};
use choreo_auth_core::login::{self, Host, Policy};
use choreo_auth_core::{AccountRef, ApiBase, Code, Failure, Session, env, finder, intake, report};
use host::{DateNow, Fetch, Storage, WebCrypto};
use js_sys::{Object, Reflect, Uint8Array};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use std::task::Poll;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** What `inspectToken` returns: core's report. */
export type TokenReport = Report;

/** Recognises a token and lists its problems, offline, at the current time. */
export function inspectToken(input: string | Uint8Array): TokenReport;
/** `inspectToken` at a given time (Unix seconds), for tests and reproducible output. */
export function inspectTokenAt(input: string | Uint8Array, nowUnixSeconds: number): TokenReport;
/** The report as core's canonical JSON text, byte for byte what every host prints. */
export function inspectTokenJson(input: string | Uint8Array): string;
/** `inspectTokenJson` at a given time (Unix seconds). */
export function inspectTokenJsonAt(input: string | Uint8Array, nowUnixSeconds: number): string;

export interface ScanOptions {
  /** Also list checksummed tokens whose checksum fails, with `checksum: "invalid"` (default false). */
  nearMisses?: boolean;
}

/** Token variables, as `process.env` holds them: unset or empty ones are ignored. */
export type TokenVariables = {
  CHOREO_TOKEN?: string;
  WSO2IP_PAT?: string;
  CLOUD_STS_TOKEN?: string;
  [name: string]: string | undefined;
};

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

#[wasm_bindgen]
extern "C" {
    /// A token argument: its text, or its bytes as UTF-8.
    #[wasm_bindgen(typescript_type = "string | Uint8Array")]
    pub type TokenInput;
    #[wasm_bindgen(typescript_type = "ChoreoAuthOptions")]
    pub type ChoreoAuthOptions;
    #[wasm_bindgen(typescript_type = "AccountOptions")]
    pub type AccountOptions;
    #[wasm_bindgen(typescript_type = "StatusOptions")]
    pub type StatusOptions;
    #[wasm_bindgen(typescript_type = "ScanOptions")]
    pub type ScanOptions;
    #[wasm_bindgen(typescript_type = "TokenVariables")]
    pub type TokenVariables;
}

/// `value` as `JSON.parse` makes it of serde_json's text, for values that wait on HTTP anyway.
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

#[wasm_bindgen(js_name = __errors, skip_typescript)]
pub fn set_error_class(class: js_sys::Function) {
    ERROR_CLASS.set(Some(class));
}

/// A `ChoreoAuthError` with the failure's fields (`code`, `problems`, `session`).
fn thrown(failure: Failure) -> JsValue {
    let args = js_sys::Array::of1(&failure.message.as_str().into());
    let e = ERROR_CLASS
        .with_borrow(|class| Reflect::construct(class.as_ref()?, &args).ok())
        .unwrap_or_else(|| js_sys::Error::new(&failure.message).into());
    Object::assign(e.unchecked_ref::<Object>(), to_js(&failure).unchecked_ref());
    e
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(Code::InvalidArgument, message)
}

/// The argument errors `js/boundary.js` throws, with core's code.
#[wasm_bindgen(js_name = __invalid, skip_typescript)]
pub fn invalid_argument(message: String) -> JsValue {
    thrown(invalid(message))
}

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    /// Encodes a string that stays a JavaScript string, so no unwiped copy of it is made.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, text: &JsValue, into: &Uint8Array) -> EncodeInto;
    type EncodeInto;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeInto) -> u32;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeInto) -> u32;
}

/// Room for the longest input intake reads, plus one character so a longer one shows.
const INPUT_ROOM: usize = intake::MAX_INPUT_BYTES + 4;

thread_local! {
    static INPUT: RefCell<Box<[u8]>> = RefCell::new(vec![0; INPUT_ROOM].into_boxed_slice());
    static ENCODER: TextEncoder = TextEncoder::new();
    /// The last report's tape, which the tape crate's `js/tape.js` reads.
    static TAPE: RefCell<choreo_auth_tape::Tape> = RefCell::default();
}

/// A view of `room` from `from` on, made anew for each use: memory may have grown since the last.
fn view(room: &[u8], from: usize) -> Uint8Array {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let (at, len) = (room.as_ptr() as usize + from, room.len() - from);
    Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), at as u32, len as u32)
}

/// The bytes of a `string | Uint8Array` argument (as `TextEncoder` makes them), wiped when
/// dropped. At most `INPUT_ROOM` are taken: intake refuses those as too long, as the whole.
fn copy_input(input: &JsValue) -> Result<Zeroizing<Vec<u8>>, Failure> {
    INPUT.with_borrow_mut(|room| {
        let view = view(room, 0);
        let len = if input.is_string() {
            ENCODER.with(|e| e.encode_into(input, &view).written())
        } else if let Some(bytes) = input.dyn_ref::<Uint8Array>() {
            let n = bytes.length().min(view.length());
            view.set(&bytes.subarray(0, n), 0);
            n
        } else {
            return Err(invalid("the input must be a string or a Uint8Array"));
        };
        let bytes = &mut room[..(len as usize).min(INPUT_ROOM)];
        let copy = Zeroizing::new(bytes.to_vec());
        // A kept buffer outlives the call, so these writes cannot be optimised away.
        bytes.fill(0);
        Ok(copy)
    })
}

/// `[memory, address, length]` of the input buffer, for `js/boundary.js`.
#[wasm_bindgen(js_name = __input, skip_typescript)]
pub fn input_buffer() -> js_sys::Array {
    INPUT.with_borrow_mut(|room| {
        let (at, len) = (room.as_mut_ptr() as u32, room.len() as u32);
        js_sys::Array::of3(&wasm_bindgen::memory(), &at.into(), &len.into())
    })
}

/// Inspects and wipes the `len` bytes `js/boundary.js` wrote into the input buffer, at `now`
/// (Unix seconds; NaN: `Date.now()`, read only if a rule needs it).
fn inspect_written(len: usize, now: f64) -> report::Report {
    INPUT.with_borrow_mut(|room| {
        let bytes = &mut room[..len.min(INPUT_ROOM)];
        let report = if now.is_nan() {
            report::inspect_with_clock(bytes, &DateNow)
        } else {
            report::inspect(bytes, now.floor() as i64)
        };
        bytes.fill(0);
        report
    })
}

/// The address of the report's tape (`choreo_auth_tape::Tape::write`), which takes any report.
#[wasm_bindgen(js_name = __inspect, skip_typescript)]
pub fn inspect_tape(len: usize, now: f64) -> *const u32 {
    let report = inspect_written(len, now);
    TAPE.with_borrow_mut(|tape| tape.write(&report).unwrap_or(std::ptr::null()))
}

/// The report as core's canonical JSON text.
#[wasm_bindgen(js_name = __inspectJson, skip_typescript)]
pub fn inspect_json(len: usize, now: f64) -> String {
    report::to_json(&inspect_written(len, now))
}

/// Every token in `text` (core's `finder`), placed in UTF-16 code units. The text enters wasm
/// memory a piece at a time, never whole, and the buffer is wiped before this returns.
#[wasm_bindgen(js_name = scanText, unchecked_return_type = "TextFinding[]")]
pub fn scan_text(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    options: Option<ScanOptions>,
) -> Result<JsValue, JsValue> {
    let Some(text) = text.dyn_ref::<js_sys::JsString>() else {
        return Err(thrown(invalid("the text must be a string")));
    };
    let near_misses = flag(options.as_deref(), "nearMisses");
    let mut stream = finder::Finder::builtin().stream(near_misses);
    let (units, mut found, mut findings) = (text.length(), Vec::new(), Vec::new());
    let mut places = finder::Utf16Places::default();
    INPUT.with_borrow_mut(|room| {
        let (mut read, mut filled, mut used, mut before) = (0, 0, 0, 0);
        loop {
            let rest = text.substring(read, units);
            let encoded = ENCODER.with(|e| e.encode_into(&rest, &view(room, filled)));
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
        .map_err(|e| thrown(Failure::new(Code::BadVector, e)))
}

/// `options[name]` read by `read`: `None` when absent (undefined or null, or `options` is no
/// object), an argument error saying what it `must` be when `read` refuses it.
fn option<T>(
    options: Option<&JsValue>,
    name: &str,
    must: &str,
    read: impl FnOnce(&JsValue) -> Option<T>,
) -> Result<Option<T>, Failure> {
    let value = match options {
        Some(o) if o.is_object() => Reflect::get(o, &name.into()).unwrap_or_default(),
        _ => return Ok(None),
    };
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    (read(&value).map(Some)).ok_or_else(|| invalid(format!("{name} must be {must}")))
}

/// `options[name]` as JavaScript's truthiness reads it.
fn flag(options: Option<&JsValue>, name: &str) -> bool {
    option(options, name, "", |v| Some(v.is_truthy())) == Ok(Some(true))
}

/// The `org` option: an organization's handle or uuid, or `None` for the active account.
fn org_option(options: Option<&JsValue>) -> Result<Option<String>, Failure> {
    option(options, "org", "a string", JsValue::as_string)
}

#[derive(Debug)]
struct Client {
    api: ApiBase,
    policy: Policy,
    host: Host<Fetch, DateNow, WebCrypto, KvStore<Storage>>,
}

impl Client {
    fn account<'a>(&'a self, org: &'a Option<String>) -> AccountRef<'a> {
        let (api_base, org) = (&self.api, org.as_deref());
        AccountRef { api_base, org }
    }
}

/// A method's run of `flow`, its value as `JSON.parse` makes it.
fn run<T: Serialize, F: Future<Output = Result<T, Failure>>>(
    client: &Rc<Client>,
    flow: impl FnOnce(Rc<Client>) -> F + 'static,
) -> Run {
    let client = Rc::clone(client);
    Run(Box::pin(
        async move { flow(client).await.map(|v| to_js(&v)) },
    ))
}

/// A method's run of core's flow, which `js/boundary.js` steps to its end, doing what it asks for
/// on the way (`host`), so the module carries no executor of futures. The glue's methods return
/// one; the `Promise` their types declare is what the package's class returns for them.
#[wasm_bindgen(skip_typescript)]
#[allow(missing_debug_implementations)]
pub struct Run(std::pin::Pin<Box<dyn Future<Output = Result<JsValue, Failure>>>>);

#[wasm_bindgen]
impl Run {
    /// Runs on with what came of the last thing asked for (`ok`: its value, else its rejection)
    /// to the next: `[false, asked]`, or `[true, value]` at the end; a failure is thrown.
    pub fn step(&mut self, ok: bool, value: JsValue) -> Result<js_sys::Array, JsValue> {
        host::ANSWER.set(Some(if ok { Ok(value) } else { Err(value) }));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let (done, out) = match self.0.as_mut().poll(&mut cx) {
            Poll::Ready(done) => (true, done.map_err(thrown)?),
            Poll::Pending => (false, host::ASKED.take()),
        };
        Ok(js_sys::Array::of2(&done.into(), &out))
    }
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
    pub fn new(options: Option<ChoreoAuthOptions>) -> Result<ChoreoAuth, JsValue> {
        Self::with(options.as_deref()).map_err(thrown)
    }

    fn with(options: Option<&JsValue>) -> Result<ChoreoAuth, Failure> {
        let base = option(options, "apiBase", "a string", JsValue::as_string)?;
        let api = ApiBase::parse(base.as_deref().unwrap_or(DEFAULT_API_BASE))?;
        let required_scopes = option(options, "requiredScopes", "an array of strings", |v| {
            let list = v.dyn_ref::<js_sys::Array>()?;
            list.iter().map(|s| s.as_string()).collect()
        })?;
        let timeout_ms = option(options, "timeoutMs", "a positive whole number", |v| {
            let ms = v.as_f64()?;
            let whole = ms.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&ms);
            whole.then_some(ms as u32)
        })?;
        // `js/boundary.js` checks the storage object and gives its methods one shape.
        let storage = match option(options, "storage", "", |v| Some(v.clone()))? {
            Some(_) => Storage::Js,
            None => Storage::Memory(MemoryKv::default()),
        };
        let policy = Policy {
            required_scopes: required_scopes.unwrap_or_default(),
            timeout_ms,
        };
        let host = Host {
            http: Fetch,
            clock: DateNow,
            random: WebCrypto,
            store: KvStore { storage },
        };
        let client = Rc::new(Client { api, policy, host });
        Ok(ChoreoAuth { client })
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
    pub fn login_with_token(&self, token: TokenInput) -> Run {
        // Read the argument now: the caller may reuse or clear its buffer once we return.
        let input = copy_input(&token);
        run(&self.client, |c| async move {
            Ok(login::login(&c.host, &c.api, &input?, &c.policy).await?)
        })
    }

    /// The stored session of an account (`{ org }`, default the active one); with
    /// `{ online: true }` the token is checked with the API again.
    #[wasm_bindgen(unchecked_return_type = "Promise<StatusResult>")]
    pub fn status(&self, options: Option<StatusOptions>) -> Run {
        let online = flag(options.as_deref(), "online");
        let org = org_option(options.as_deref());
        run(&self.client, move |c| async move {
            let org = org?;
            Ok(login::status(&c.host, c.account(&org), &c.policy, online).await?)
        })
    }

    /// Every stored account of the API base, in the order added, the active one marked.
    #[wasm_bindgen(unchecked_return_type = "Promise<Account[]>")]
    pub fn accounts(&self) -> Run {
        run(&self.client, |c| async move {
            let list = c.host.store.accounts(&c.api).await?;
            let rows = list.into_iter().map(|a| Account {
                active: a.active,
                session: a.credential.session,
            });
            Ok(rows.collect::<Vec<_>>())
        })
    }

    /// Makes an account active, as `choreo auth switch` does (core's `KvStore::switch`): the
    /// one of organization `org` (handle or uuid); without `org`, the other of exactly two, the
    /// only one of one, and among more a rejection naming them. Only the account index is
    /// written. Resolves to the session of the account active now.
    #[wasm_bindgen(unchecked_return_type = "Promise<Session>")]
    pub fn switch(&self, org: Option<String>) -> Run {
        run(&self.client, |c| async move {
            let switched = c.host.store.switch(&c.api, org.as_deref()).await?;
            let to = Some(switched.to.org_uuid);
            Ok(login::stored(&c.host.store, c.account(&to)).await?.session)
        })
    }

    /// The stored token of an account (`{ org }`, default the active one), for hosts that must
    /// hand it on (VS Code's `AuthenticationSession.accessToken`, like `gh auth token`). A page
    /// has no reason to call this: the token then leaves wasm memory.
    #[wasm_bindgen(js_name = accessToken, unchecked_return_type = "Promise<string>")]
    pub fn access_token(&self, options: Option<AccountOptions>) -> Run {
        let org = org_option(options.as_deref());
        run(&self.client, |c| async move {
            let credential = login::stored(&c.host.store, c.account(&org?)).await?;
            Ok(credential.token.expose().to_owned())
        })
    }

    /// Removes an account's credential (`{ org }`, default the active one; another account
    /// becomes active) and resolves to its session. (`{ all: true }`: `js/boundary.js`.)
    #[wasm_bindgen(skip_typescript)]
    pub fn logout(&self, options: Option<AccountOptions>) -> Run {
        let org = org_option(options.as_deref());
        run(&self.client, |c| async move {
            Ok(login::logout(&c.host.store, c.account(&org?)).await?)
        })
    }

    /// Checks the token of the first token variable set in `variables` (`process.env` in Node,
    /// an object of them anywhere), in the order `CHOREO_TOKEN`, `WSO2IP_PAT`,
    /// `CLOUD_STS_TOKEN`, with the flow of its kind, as the CLI does. Nothing is stored; the
    /// session is the caller's, for as long as it holds the token.
    #[wasm_bindgen(js_name = useEnvironment, unchecked_return_type = "Promise<EnvironmentResult>")]
    pub fn use_environment(&self, variables: TokenVariables) -> Run {
        let chosen = env_variable(&self.client.api, &variables);
        run(&self.client, |c| async move {
            let (chosen, value) = chosen?;
            Ok(env::check(&c.host, &c.api, &chosen, &value, &c.policy).await?)
        })
    }

    /// Checks a Choreo STS access token (what `CLOUD_STS_TOKEN` holds): its claims offline,
    /// then its organization with the API. Nothing is stored.
    #[wasm_bindgen(js_name = useStsToken, unchecked_return_type = "Promise<EnvironmentResult>")]
    pub fn use_sts_token(&self, token: TokenInput) -> Run {
        let value = copy_input(&token);
        run(&self.client, |c| async move {
            let sts = env::Chosen::sts();
            Ok(env::check(&c.host, &c.api, &sts, &value?, &c.policy).await?)
        })
    }

    /// The token `useEnvironment` would use, checked offline only, for hosts that must hand it
    /// on (VS Code's `AuthenticationSession.accessToken`, like `choreo auth token`).
    #[wasm_bindgen(js_name = environmentToken)]
    pub fn environment_token(&self, variables: TokenVariables) -> Result<String, JsValue> {
        let token = || -> Result<_, Failure> {
            let (chosen, value) = env_variable(&self.client.api, &variables)?;
            Ok(env::token(
                &chosen,
                &value,
                DateNow.now_unix_ms().div_euclid(1000),
            )?)
        };
        Ok(token().map_err(thrown)?.expose().to_owned())
    }
}

/// One stored account of the client's API base.
#[derive(Debug, Serialize, tsify::Tsify)]
pub struct Account {
    /// Whether calls use this account when they name no organization.
    pub active: bool,
    pub session: Session,
}

/// The variable core chooses among those set to a non-empty string, with its value's bytes:
/// only the chosen value enters wasm memory.
fn env_variable(
    api: &ApiBase,
    variables: &JsValue,
) -> Result<(env::Chosen, Zeroizing<Vec<u8>>), Failure> {
    if !variables.is_object() {
        return Err(invalid("the variables must be an object"));
    }
    let mut set = Vec::new();
    for name in env::TOKEN_VARIABLES {
        let value = option(Some(variables), name, "", |v| {
            v.dyn_ref::<js_sys::JsString>().cloned()
        });
        let text = value.map_err(|_| invalid("each token variable must be a string"))?;
        if text.is_some_and(|t| t.length() > 0) {
            set.push(name);
        }
    }
    let chosen = env::choose_for(api, &set)?;
    let value = Reflect::get(variables, &chosen.name.into()).unwrap_or_default();
    Ok((chosen, copy_input(&value)?))
}
