//! Core's host traits on web platform APIs: `fetch`, `Date.now()`, `crypto.getRandomValues`
//! and a JavaScript storage object. These adapt I/O only; every rule stays in core.

use choreo_auth_core::host::{Clock, Random, RandomError, StoreError};
use choreo_auth_core::http::{
    HttpClient, HttpError, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES,
};
use choreo_auth_core::kv::{KeyValue, MemoryKv};
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use zeroize::Zeroizing;

/// HTTP through the platform's `fetch` (browsers, Node 20, VS Code's extension host), by
/// `js/fetch.js`. It reports what happened; core decides what it means.
#[derive(Debug)]
pub struct Fetch;

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/fetch.js")]
extern "C" {
    /// `[status, wwwAuthenticate, body, truncated]`, or a rejection `[kind, error?]`.
    #[wasm_bindgen(js_name = send)]
    fn fetch_send(
        method: &str,
        url: &str,
        authorization: &str,
        body: Option<String>,
        timeout_ms: u32,
        max_bytes: usize,
    ) -> Promise;
}

thread_local! {
    /// What `fetch` last rejected with: the `cause` of the package's network errors.
    pub static FETCH_FAILURE: std::cell::Cell<JsValue> = const { std::cell::Cell::new(JsValue::UNDEFINED) };
}

impl HttpClient for Fetch {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let authorization = Zeroizing::new(format!("Bearer {}", request.bearer.expose()));
        FETCH_FAILURE.set(JsValue::UNDEFINED);
        let sent = fetch_send(
            request.method.as_str(),
            &request.url,
            &authorization,
            request.body,
            request.timeout_ms,
            MAX_RESPONSE_BYTES,
        );
        let answer: Array = match JsFuture::from(sent).await {
            Ok(answer) => answer.unchecked_into(),
            Err(refused) => {
                let refused = Array::from(&refused);
                let error = refused.get(1);
                let detail = message(&error);
                return Err(match refused.get(0).as_string().as_deref() {
                    Some("timeout") => HttpError::Timeout,
                    Some("redirect") => HttpError::RedirectRefused,
                    Some("connect") => {
                        FETCH_FAILURE.set(error);
                        HttpError::Connect { detail }
                    }
                    _ => HttpError::Failed { detail },
                });
            }
        };
        let headers = answer
            .get(1)
            .as_string()
            .map(|v| vec![("www-authenticate".to_owned(), v)])
            .unwrap_or_default();
        Ok(HttpResponse {
            status: answer.get(0).as_f64().unwrap_or_default() as u16,
            headers,
            body: answer.get(2).unchecked_into::<Uint8Array>().to_vec(),
            truncated: answer.get(3).is_truthy(),
        })
    }
}

/// The message of a thrown JavaScript value, for error text.
fn message(thrown: &JsValue) -> String {
    match thrown.dyn_ref::<js_sys::Error>() {
        Some(e) => e.message().into(),
        None => thrown.as_string().unwrap_or_default(),
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

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// A storage object as `js/boundary.js` hands it over: async `get(key)`, `set(key, value)`
    /// and `delete(key)`. Core's `KvStore` decides what goes under which key.
    #[derive(Debug)]
    pub type JsStore;
    #[wasm_bindgen(method, js_name = get)]
    fn read(this: &JsStore, key: &str) -> Promise;
    #[wasm_bindgen(method, js_name = set)]
    fn write(this: &JsStore, key: &str, value: &str) -> Promise;
    #[wasm_bindgen(method, js_name = delete)]
    fn remove(this: &JsStore, key: &str) -> Promise;
}

/// A rejection of the storage object's method, which `js/boundary.js` words.
fn failed(e: JsValue) -> StoreError {
    let message = message(&e);
    StoreError::Failed { message }
}

/// The storage a client uses: the JavaScript object it was given, else wasm memory.
#[derive(Debug)]
pub enum Storage {
    Memory(MemoryKv),
    Js(JsStore),
}

impl KeyValue for Storage {
    async fn get(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        let js = match self {
            Storage::Memory(memory) => return memory.get(key).await,
            Storage::Js(js) => js,
        };
        let value = JsFuture::from(js.read(key)).await.map_err(failed)?;
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
        let js = match self {
            Storage::Memory(memory) => return memory.set(key, value).await,
            Storage::Js(js) => js,
        };
        JsFuture::from(js.write(key, value))
            .await
            .map(drop)
            .map_err(failed)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let js = match self {
            Storage::Memory(memory) => return memory.delete(key).await,
            Storage::Js(js) => js,
        };
        JsFuture::from(js.remove(key))
            .await
            .map(drop)
            .map_err(failed)
    }
}
