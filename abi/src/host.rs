//! Core's host traits over the imported host functions. The imports are synchronous, so every
//! future here is ready on its first poll.

use crate::abi;
use crate::ops::ModuleHost;
use crate::protocol::{HttpAnswer, HttpCall, StoreAnswer};
use choreo_auth_core::host::{Clock, Random, RandomError, StoreError};
use choreo_auth_core::http::{HttpClient, HttpError, HttpRequest, HttpResponse};
use choreo_auth_core::kv::{KeyValue, KvStore};
use choreo_auth_core::vectors;
use zeroize::Zeroizing;

#[derive(Debug)]
pub struct ImportedHttp;

#[derive(Debug)]
pub struct ImportedClock;

#[derive(Debug)]
pub struct ImportedRandom;

#[derive(Debug)]
pub struct ImportedKv;

pub const HOST: ModuleHost<ImportedHttp, ImportedClock, ImportedRandom, ImportedKv> = ModuleHost {
    http: ImportedHttp,
    clock: ImportedClock,
    random: ImportedRandom,
    store: KvStore {
        storage: ImportedKv,
    },
};

impl HttpClient for ImportedHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let answer =
            abi::http_send(&HttpCall::json(&request)).ok_or_else(|| HttpError::Failed {
                detail: "the host gave no answer".into(),
            })?;
        HttpAnswer::read(&answer)
    }
}

impl Clock for ImportedClock {
    fn now_unix_ms(&self) -> i64 {
        abi::now_unix_ms()
    }
}

impl Random for ImportedRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        abi::random_fill(dest).then_some(()).ok_or(RandomError)
    }
}

fn store_answer(
    answer: Option<Zeroizing<Vec<u8>>>,
) -> Result<Option<Zeroizing<String>>, StoreError> {
    let answer = answer.ok_or_else(|| StoreError::Failed {
        message: "the host gave no answer".into(),
    })?;
    StoreAnswer::read(&answer)
}

impl KeyValue for ImportedKv {
    async fn get(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        store_answer(abi::store_load(key))
    }

    async fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        store_answer(abi::store_save(key, value.as_bytes())).map(drop)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        store_answer(abi::store_delete(key)).map(drop)
    }
}

/// Core's shared vector runner, for the parity tests.
pub fn run_vector(bytes: &[u8]) -> Vec<u8> {
    let answer = match std::str::from_utf8(bytes)
        .map_err(|e| e.to_string())
        .and_then(vectors::run_json)
    {
        Ok(output) => serde_json::json!({ "output": output }),
        Err(error) => serde_json::json!({ "error": error }),
    };
    answer.to_string().into_bytes()
}
