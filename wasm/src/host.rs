//! Core's host traits on web platform APIs: `fetch`, `Date.now()`, `crypto.getRandomValues`
//! and a JavaScript storage object. These adapt I/O only; every rule stays in core.

use choreo_auth_core::host::{Clock, Random, RandomError, StoreError};
use choreo_auth_core::http::{
    HttpClient, HttpError, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES, Method,
};
use choreo_auth_core::kv::{KeyValue, MemoryKv};
use gloo_net::http::Request;
use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, ReadableStreamDefaultReader, RequestCache, RequestCredentials, RequestRedirect,
    ResponseType,
};
use zeroize::Zeroizing;

/// HTTP through the platform's `fetch` (browsers, Node 20, VS Code's extension host). It
/// reports what happened; core decides what it means.
#[derive(Debug)]
pub struct Fetch;

impl HttpClient for Fetch {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        // Aborts the request and the body stream alike once core's time for it is up; the body
        // is also read against the deadline itself, as not every fetch (VS Code's extension
        // host) ends a dripping body when its signal aborts.
        let signal = AbortSignal::timeout_with_u32(request.timeout_ms);
        let deadline = js_sys::Date::now() + f64::from(request.timeout_ms);
        let token = request.bearer.expose();
        // A JavaScript error message is not ours: drop it if it could echo the token.
        let detail = |e: &dyn std::fmt::Display| {
            let detail = e.to_string();
            if detail.contains(token) {
                String::new()
            } else {
                detail
            }
        };
        let authorization = Zeroizing::new(format!("Bearer {token}"));
        let builder = match request.method {
            Method::Get => Request::get(&request.url),
            Method::Post => Request::post(&request.url),
        }
        .header("Authorization", &authorization)
        .header("Accept", "application/json")
        // Never followed, so the Authorization header is never replayed elsewhere: Node hands
        // the redirect itself back, a browser an opaque answer without its status.
        .redirect(RequestRedirect::Manual)
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
        let built = built.map_err(|e| HttpError::Failed { detail: detail(&e) })?;
        let response = match send(built).await {
            Ok(response) => response,
            Err(_) if signal.aborted() => return Err(HttpError::Timeout),
            // fetch rejects only when no answer came: a network error.
            Err(e) => return Err(HttpError::Connect { detail: detail(&e) }),
        };
        if response.type_() == ResponseType::Opaqueredirect {
            return Err(HttpError::RedirectRefused);
        }
        let headers = response
            .headers()
            .get("www-authenticate")
            .map(|v| vec![("www-authenticate".to_owned(), v)])
            .unwrap_or_default();
        let declared = response
            .headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<usize>().ok());
        let (body, truncated) = match response.body() {
            _ if declared.is_some_and(|n| n > MAX_RESPONSE_BYTES) => (Vec::new(), true),
            Some(stream) => {
                let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
                match read_bounded(&reader, deadline).await {
                    Ok(read) => read,
                    Err(None) => return Err(HttpError::Timeout),
                    Err(Some(_)) if signal.aborted() => return Err(HttpError::Timeout),
                    Err(Some(e)) => {
                        return Err(HttpError::Failed {
                            detail: detail(&JsText(e)),
                        });
                    }
                }
            }
            None => (Vec::new(), false),
        };
        Ok(HttpResponse {
            status: response.status(),
            headers,
            body,
            truncated,
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

/// Reads a body stream to the end, or up to the size limit (then it is cancelled and the body
/// is reported truncated). `Err(None)`: the deadline (`Date.now()` milliseconds) passed first.
async fn read_bounded(
    reader: &ReadableStreamDefaultReader,
    deadline: f64,
) -> Result<(Vec<u8>, bool), Option<JsValue>> {
    let mut body = Vec::new();
    loop {
        let left = deadline - js_sys::Date::now();
        let chunk = if left > 0.0 {
            within(reader.read(), left).await?
        } else {
            None
        };
        let Some(chunk) = chunk else {
            let _ = reader.cancel();
            return Err(None);
        };
        if Reflect::get(&chunk, &"done".into())?.is_truthy() {
            return Ok((body, false));
        }
        let bytes: Uint8Array = Reflect::get(&chunk, &"value".into())?.unchecked_into();
        let len = bytes.length() as usize;
        if body.len() + len > MAX_RESPONSE_BYTES {
            // Cancelling is best effort: the caller already has its answer.
            let _ = reader.cancel();
            return Ok((body, true));
        }
        let start = body.len();
        body.resize(start + len, 0);
        bytes.copy_to(&mut body[start..]);
    }
}

/// `promise`'s value, or `None` if `ms` pass first. The timer is cleared either way, so it never
/// keeps a Node process alive.
async fn within(promise: Promise, ms: f64) -> Result<Option<JsValue>, JsValue> {
    let global = js_sys::global();
    let timer: Function = Reflect::get(&global, &"setTimeout".into())?.dyn_into()?;
    let clear: Function = Reflect::get(&global, &"clearTimeout".into())?.dyn_into()?;
    let mut id = JsValue::UNDEFINED;
    // The timer resolves to a value no read result is.
    let marker = js_sys::Symbol::for_("choreo.timeout");
    let expired = Promise::new(&mut |resolve, _| {
        id = timer
            .call2(
                &JsValue::UNDEFINED,
                &resolve.bind1(&JsValue::UNDEFINED, &marker),
                &ms.into(),
            )
            .unwrap_or(JsValue::UNDEFINED);
    });
    let raced = JsFuture::from(Promise::race(&js_sys::Array::of2(&promise, &expired))).await;
    let _ = clear.call1(&JsValue::UNDEFINED, &id);
    let value = raced?;
    Ok((value != JsValue::from(marker)).then_some(value))
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
