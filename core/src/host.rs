//! The host boundary: every piece of I/O the login flow needs, as small traits named by
//! capability. Adapters live in `native/` (reqwest, OS keyring, files) and `wasm/` (fetch,
//! `crypto.getRandomValues`, JavaScript storage objects).
//!
//! The async methods carry no `Send` bound on purpose: wasm hosts are single-threaded and their
//! futures hold JavaScript values.
#![allow(async_fn_in_trait)]

use crate::api::ApiBase;
use crate::credential::Credential;
use std::fmt;

// The HTTP types live in `http`, with the policy that reads them; named here too, as one of
// the capabilities a host brings.
pub use crate::http::{
    HttpClient, HttpError, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES, Method,
};

/// Wall-clock time.
pub trait Clock {
    fn now_unix_ms(&self) -> i64;
}

/// Cryptographically secure random bytes.
pub trait Random {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomError;

/// Why the credential store failed. Stores fail closed: none of these falls back to anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No keyring or storage backend is reachable.
    Unavailable { message: String },
    /// Stored data could not be read back.
    Corrupt { message: String },
    /// Reading or writing failed.
    Failed { message: String },
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable { .. } => "storage-unavailable",
            StoreError::Corrupt { .. } => "storage-corrupt",
            StoreError::Failed { .. } => "storage-failed",
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable { message } => {
                write!(f, "credential storage is unavailable: {message}")
            }
            StoreError::Corrupt { message } => {
                write!(f, "stored credentials are unreadable: {message}")
            }
            StoreError::Failed { message } => write!(f, "credential storage failed: {message}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Where credentials live, one per API base.
pub trait CredentialStore {
    async fn load(&self, api_base: &ApiBase) -> Result<Option<Credential>, StoreError>;
    /// Replaces any credential for the same API base, atomically: after a failure the old
    /// credential is still there.
    async fn save(&self, credential: &Credential) -> Result<(), StoreError>;
    /// Removes and returns the credential for `api_base`, if there was one.
    async fn delete(&self, api_base: &ApiBase) -> Result<Option<Credential>, StoreError>;
}
