//! The host boundary: every piece of I/O the login flow needs, as small traits named by
//! capability. Adapters live in `native/` (reqwest, OS keyring, files) and `wasm/` (fetch,
//! `crypto.getRandomValues`, JavaScript storage objects).
//!
//! The async methods carry no `Send` bound on purpose: wasm hosts are single-threaded and their
//! futures hold JavaScript values.
#![allow(async_fn_in_trait)]

use crate::account::AccountRef;
use crate::credential::Credential;
use crate::problem::Code;
use std::fmt;

// The HTTP types live in `http`, with the policy that reads them; named here too, as one of
// the capabilities a host brings.
pub use crate::http::{
    HttpClient, HttpError, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES, Method,
};

// The clock lives in `time`, where the deadline of `http` reads it too; named here as one of
// the capabilities.
pub use crate::time::Clock;

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
    pub fn code(&self) -> Code {
        match self {
            StoreError::Unavailable { .. } => Code::StorageUnavailable,
            StoreError::Corrupt { .. } => Code::StorageCorrupt,
            StoreError::Failed { .. } => Code::StorageFailed,
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

/// Where credentials live: one per account, an organization on an API base
/// ([`crate::account`]).
pub trait CredentialStore {
    /// The credential of the account `which` names: its organization's, else the active one
    /// of its API base.
    async fn load(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError>;
    /// Adds the credential's account, or replaces the credential of the same organization, and
    /// makes it the active account of its API base; atomically: after a failure the old state
    /// is still there.
    async fn save(&self, credential: &Credential) -> Result<(), StoreError>;
    /// Removes and returns the credential of the account `which` names, if there was one.
    /// When it was active, another account of its base becomes active.
    async fn delete(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError>;
}
