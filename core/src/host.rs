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
use crate::secret::SecretToken;
use std::fmt;

/// Responses larger than this are refused; adapters stop reading past it.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A request to the Choreo API. The bearer token is kept apart from the other headers so that
/// `Debug` stays redacted and adapters set it exactly once, on the request's own origin.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub bearer: SecretToken,
    /// Always JSON; `None` sends no body.
    pub body: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct HttpResponse {
    pub status: u16,
    /// Lower-case names. Adapters may pass only the ones core reads: `www-authenticate`.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The request never got an answer: connection, TLS, timeout, size limit.
/// Adapters must keep token material out of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    pub message: String,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Sends one HTTP request (HTTPS off loopback is enforced by core before this is called).
pub trait HttpClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError>;
}

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
