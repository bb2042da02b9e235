//! Core's host traits for the package. The clock and random bytes come from the platform; HTTP
//! and a JavaScript storage object are asked of `js/boundary.js`, which steps each method's run
//! (`Run`) and does what it asks for. These adapt I/O only; every rule stays in core.

use choreo_auth_core::host::{Clock, Random, RandomError, StoreError};
use choreo_auth_core::http::{
    HttpClient, HttpError, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES,
};
use choreo_auth_core::kv::{KeyValue, MemoryKv};
use js_sys::{Array, Uint8Array};
use std::cell::Cell;
use std::task::Poll;
use wasm_bindgen::{JsCast, JsValue};
use zeroize::Zeroizing;

thread_local! {
    /// What the run being stepped asks for, and then what came of it.
    pub static ASKED: Cell<JsValue> = const { Cell::new(JsValue::UNDEFINED) };
    pub static ANSWER: Cell<Option<Result<JsValue, JsValue>>> = const { Cell::new(None) };
}

/// Asks `js/boundary.js` to do `what` (`["fetch", …]`, `["get", key]`, …): pending until the
/// run's next step brings what came of it, a value or a rejection.
fn ask<const N: usize>(what: [JsValue; N]) -> impl Future<Output = Result<JsValue, JsValue>> {
    let mut what = Some(what);
    std::future::poll_fn(move |_| match what.take() {
        Some(what) => {
            ASKED.set(Array::from_iter(what).into());
            Poll::Pending
        }
        None => Poll::Ready(ANSWER.take().unwrap_or(Err(JsValue::UNDEFINED))),
    })
}

/// HTTP through the platform's `fetch` (browsers, Node 20, VS Code's extension host), by
/// `js/fetch.js`. It reports what happened; core decides what it means.
#[derive(Debug)]
pub struct Fetch;

impl HttpClient for Fetch {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let authorization = Zeroizing::new(format!("Bearer {}", request.bearer.expose()));
        let asked = ask([
            "fetch".into(),
            request.method.as_str().into(),
            request.url.into(),
            authorization.as_str().into(),
            request.body.into(),
            request.timeout_ms.into(),
            MAX_RESPONSE_BYTES.into(),
        ]);
        // `[status, wwwAuthenticate, body, truncated]`, or a rejection `[kind, error?]`.
        let answer: Array = match asked.await {
            Ok(answer) => answer.unchecked_into(),
            Err(refused) => {
                let refused = Array::from(&refused);
                let detail = message(&refused.get(1));
                return Err(match refused.get(0).as_string().as_deref() {
                    Some("timeout") => HttpError::Timeout,
                    Some("redirect") => HttpError::RedirectRefused,
                    Some("connect") => HttpError::Connect { detail },
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

/// A rejection of the storage object's method, which `js/boundary.js` words.
fn failed(e: JsValue) -> StoreError {
    let message = message(&e);
    StoreError::Failed { message }
}

/// The storage a client uses: wasm memory, or the JavaScript object it was given, whose async
/// `get(key)`, `set(key, value)` and `delete(key)` are asked for. Core's `KvStore` decides what
/// goes under which key.
#[derive(Debug)]
pub enum Storage {
    Memory(MemoryKv),
    Js,
}

impl KeyValue for Storage {
    async fn get(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        if let Storage::Memory(memory) = self {
            return memory.get(key).await;
        }
        let value = ask(["get".into(), key.into()]).await.map_err(failed)?;
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
        if let Storage::Memory(memory) = self {
            return memory.set(key, value).await;
        }
        let asked = ask(["set".into(), key.into(), value.into()]);
        asked.await.map(drop).map_err(failed)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if let Storage::Memory(memory) = self {
            return memory.delete(key).await;
        }
        ask(["delete".into(), key.into()])
            .await
            .map(drop)
            .map_err(failed)
    }
}
