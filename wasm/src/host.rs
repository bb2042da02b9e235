//! Core's host traits on web platform APIs: `fetch`, `Date.now()`, `crypto.getRandomValues`
//! and a JavaScript storage object. These adapt I/O only; every rule stays in core.

use choreo_auth_core::host::{
    Clock, HttpClient, HttpError, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES, Method, Random,
    RandomError, StoreError,
};
use choreo_auth_core::kv::{KeyValue, MemoryKv};
use gloo_net::http::Request;
use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, ReadableStreamDefaultReader, RequestCache, RequestCredentials, RequestRedirect,
};
use zeroize::Zeroizing;

/// Default bound on one request, answer body included: fetch itself never gives up.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// HTTP through the platform's `fetch` (browsers, Node 20, VS Code's extension host).
#[derive(Debug)]
pub struct Fetch {
    pub timeout_ms: u32,
}

impl HttpClient for Fetch {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        // Aborts the request and the body stream alike once the time is up.
        let signal = AbortSignal::timeout_with_u32(self.timeout_ms);
        let timed_out = || HttpError {
            message: format!("no answer within {} ms", self.timeout_ms),
        };
        let token = request.bearer.expose();
        // A JavaScript error message is not ours: drop it if it could echo the token.
        let fail = |what: &str, e: &dyn std::fmt::Display| {
            let detail = e.to_string();
            let message = if detail.is_empty() || detail.contains(token) {
                what.to_owned()
            } else {
                format!("{what}: {detail}")
            };
            HttpError { message }
        };
        let authorization = Zeroizing::new(format!("Bearer {token}"));
        let builder = match request.method {
            Method::Get => Request::get(&request.url),
            Method::Post => Request::post(&request.url),
        }
        .header("Authorization", &authorization)
        .header("Accept", "application/json")
        // A redirect would replay the Authorization header elsewhere: refuse it.
        .redirect(RequestRedirect::Error)
        // The bearer token is the only credential; never send or keep cookies.
        .credentials(RequestCredentials::Omit)
        .cache(RequestCache::NoStore)
        .abort_signal(Some(&signal));
        let built = match request.body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body),
            None => builder.build(),
        };
        let built = built.map_err(|e| fail("the request could not be built", &e))?;
        let response = match send(built).await {
            Ok(response) => response,
            Err(_) if signal.aborted() => return Err(timed_out()),
            Err(e) => return Err(fail("the request failed", &e)),
        };
        let headers = response
            .headers()
            .get("www-authenticate")
            .map(|v| vec![("www-authenticate".to_owned(), v)])
            .unwrap_or_default();
        let declared = response
            .headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<usize>().ok());
        if declared.is_some_and(|n| n > MAX_RESPONSE_BYTES) {
            return Err(too_large());
        }
        let body = match response.body() {
            Some(stream) => {
                let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
                match read_bounded(&reader).await {
                    Ok(Some(body)) => body,
                    Ok(None) => return Err(too_large()),
                    Err(_) if signal.aborted() => return Err(timed_out()),
                    Err(e) => return Err(fail("the response could not be read", &JsText(e))),
                }
            }
            None => Vec::new(),
        };
        Ok(HttpResponse {
            status: response.status(),
            headers,
            body,
        })
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The global `fetch` (browsers, Node, VS Code's extension host).
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_request(request: &web_sys::Request) -> Promise;
}

thread_local! {
    /// What `fetch` last rejected with: the `cause` of the package's network errors.
    pub static FETCH_FAILURE: std::cell::Cell<JsValue> = const { std::cell::Cell::new(JsValue::UNDEFINED) };
}

/// gloo's `send`, keeping what `fetch` rejects with (gloo keeps only its text).
async fn send(request: gloo_net::http::Request) -> Result<gloo_net::http::Response, JsText> {
    FETCH_FAILURE.set(JsValue::UNDEFINED);
    let raw: web_sys::Request = request.into();
    match JsFuture::from(fetch_request(&raw)).await {
        Ok(response) => Ok(response.unchecked_into::<web_sys::Response>().into()),
        Err(e) => {
            FETCH_FAILURE.set(e.clone());
            Err(JsText(e))
        }
    }
}

fn too_large() -> HttpError {
    HttpError {
        message: format!("the response is larger than {MAX_RESPONSE_BYTES} bytes"),
    }
}

/// Reads a body stream to the end, or `None` (and cancels it) once it passes the size limit.
async fn read_bounded(reader: &ReadableStreamDefaultReader) -> Result<Option<Vec<u8>>, JsValue> {
    let mut body = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if Reflect::get(&chunk, &"done".into())?.is_truthy() {
            return Ok(Some(body));
        }
        let bytes: Uint8Array = Reflect::get(&chunk, &"value".into())?.unchecked_into();
        let len = bytes.length() as usize;
        if body.len() + len > MAX_RESPONSE_BYTES {
            // Cancelling is best effort: the caller already has its answer.
            let _ = reader.cancel();
            return Ok(None);
        }
        let start = body.len();
        body.resize(start + len, 0);
        bytes.copy_to(&mut body[start..]);
    }
}

/// The message of a thrown JavaScript value, for error text.
struct JsText(JsValue);

impl std::fmt::Display for JsText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self.0.dyn_ref::<js_sys::Error>() {
            Some(e) => String::from(e.message()),
            None => self.0.as_string().unwrap_or_default(),
        };
        f.write_str(&text)
    }
}

/// `Date.now()`.
#[derive(Debug, Default)]
pub struct DateNow;

impl Clock for DateNow {
    fn now_unix_ms(&self) -> i64 {
        js_sys::Date::now() as i64
    }
}

/// `crypto.getRandomValues` through getrandom's `wasm_js` backend.
#[derive(Debug, Default)]
pub struct WebCrypto;

impl Random for WebCrypto {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        getrandom::fill(dest).map_err(|_| RandomError)
    }
}

/// A JavaScript object with async `get(key)`, `set(key, value)` and `delete(key)`. VS Code's
/// `context.secrets` names its setter `store(key, value)`: it is accepted as is. Core's
/// `KvStore` decides what goes under which key.
#[derive(Debug)]
pub struct JsStore {
    target: JsValue,
    setter: &'static str,
}

impl JsStore {
    /// Checks that the methods exist, so a wrong object fails at construction.
    pub fn new(target: JsValue) -> Result<Self, String> {
        let has = |name: &str| Reflect::get(&target, &name.into()).is_ok_and(|m| m.is_function());
        let setter = if has("set") { "set" } else { "store" };
        for name in ["get", setter, "delete"] {
            if !has(name) {
                let name = if name == "store" {
                    "set() or store"
                } else {
                    name
                };
                return Err(format!("the storage object has no {name}() method"));
            }
        }
        Ok(Self { target, setter })
    }

    /// Calls `target[name](...args)`, and settles as its result (a promise, a thenable such as
    /// VS Code's, or a plain value).
    fn call(&self, name: &str, args: &[JsValue]) -> JsFuture {
        let called = Reflect::get(&self.target, &name.into()).and_then(|method| {
            let args: js_sys::Array = args.iter().collect();
            method
                .unchecked_into::<Function>()
                .apply(&self.target, &args)
        });
        JsFuture::from(match called {
            Ok(value) => Promise::resolve(&value),
            Err(e) => Promise::reject(&e),
        })
    }
}

fn failed(name: &str) -> impl FnOnce(JsValue) -> StoreError + '_ {
    move |e| StoreError::Failed {
        message: format!("{name}() threw: {}", JsText(e)),
    }
}

impl KeyValue for JsStore {
    async fn get(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        let value = self
            .call("get", &[key.into()])
            .await
            .map_err(failed("get"))?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        match value.as_string() {
            Some(text) => Ok(Some(Zeroizing::new(text))),
            None => Err(StoreError::Corrupt {
                message: "get() returned something other than a string".into(),
            }),
        }
    }

    async fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let done = self.call(self.setter, &[key.into(), value.into()]).await;
        done.map(drop).map_err(failed(self.setter))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let done = self.call("delete", &[key.into()]).await;
        done.map(drop).map_err(failed("delete"))
    }
}

/// The storage a client uses: JavaScript's if one was given, else wasm memory.
#[derive(Debug)]
pub enum Storage {
    Memory(MemoryKv),
    Js(JsStore),
}

impl KeyValue for Storage {
    async fn get(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        match self {
            Storage::Memory(s) => s.get(key).await,
            Storage::Js(s) => s.get(key).await,
        }
    }

    async fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        match self {
            Storage::Memory(s) => s.set(key, value).await,
            Storage::Js(s) => s.set(key, value).await,
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self {
            Storage::Memory(s) => s.delete(key).await,
            Storage::Js(s) => s.delete(key).await,
        }
    }
}
