//! Version 1 of the host protocol (`abi/PROTOCOL.md`): the JSON a host sends to the module's
//! `call` export and gets back, and the JSON the module's imports exchange with the host. These
//! serde types are the contract; `tests/protocol.rs` runs the document's examples through
//! them, so the document cannot drift from the code.

use choreo_auth_core::credential::Session;
use choreo_auth_core::host::StoreError;
use choreo_auth_core::http::{HttpError, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES};
use choreo_auth_core::{Code, Failure, Problem, Report};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// The first version of the protocol, and the only one this module speaks.
pub const PROTOCOL_VERSION_1: u32 = 1;

/// Every version this module speaks, oldest first.
pub const VERSIONS: &[u32] = &[PROTOCOL_VERSION_1];

/// A string that may hold a token: zeroed when dropped, never shown by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: String) -> Self {
        Self(text)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The text, still zeroed when dropped.
    pub fn into_zeroizing(mut self) -> Zeroizing<String> {
        Zeroizing::new(std::mem::take(&mut self.0))
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What the module reads of every request first: the version it is in and the operation.
/// Other fields are read once the version is known to be one the module speaks.
#[derive(Debug, Deserialize)]
pub struct Head {
    #[serde(default)]
    pub version: Option<u32>,
    #[serde(default)]
    pub op: Option<String>,
}

/// The operations of version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Op {
    Inspect,
    Login,
    Status,
    Logout,
    Accounts,
    Switch,
    Token,
    Environment,
    EnvironmentToken,
    Sts,
}

impl Op {
    pub const ALL: &'static [Op] = &[
        Op::Inspect,
        Op::Login,
        Op::Status,
        Op::Logout,
        Op::Accounts,
        Op::Switch,
        Op::Token,
        Op::Environment,
        Op::EnvironmentToken,
        Op::Sts,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Inspect => "inspect",
            Op::Login => "login",
            Op::Status => "status",
            Op::Logout => "logout",
            Op::Accounts => "accounts",
            Op::Switch => "switch",
            Op::Token => "token",
            Op::Environment => "environment",
            Op::EnvironmentToken => "environmentToken",
            Op::Sts => "sts",
        }
    }
}

/// `inspect`: what the input is and what is wrong with it, offline.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InspectRequest {
    pub version: u32,
    pub op: Op,
    /// The input as text; or `inputBase64`, its bytes (exactly one of the two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_base64: Option<Secret>,
    /// Unix seconds the rules run at (a JWT's `exp` and `nbf`); the host's clock if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<i64>,
}

/// `login`: check the input offline and against the API, then store it as the active account
/// of its organization on `apiBase`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    pub version: u32,
    pub op: Op,
    pub api_base: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_base64: Option<Secret>,
    /// Scopes the token must carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_scopes: Vec<String>,
    /// The whole exchange's time limit in milliseconds; core's default (30000) if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u32>,
}

/// `status`: the stored session of an account, checked against the API again when `online`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusRequest {
    pub version: u32,
    pub op: Op,
    pub api_base: String,
    /// The organization (handle or uuid); the active account of `apiBase` if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u32>,
    /// Ask the API again (default false: the stored session only, no request).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub online: bool,
}

/// `logout`: remove an account's credential; another account of the base becomes active.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogoutRequest {
    pub version: u32,
    pub op: Op,
    pub api_base: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

/// `accounts`: every stored account, by API base, in the order they were added.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountsRequest {
    pub version: u32,
    pub op: Op,
}

/// `switch`: make the account of `org` the active one of `apiBase`; without `org`, toggle
/// between exactly two accounts.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SwitchRequest {
    pub version: u32,
    pub op: Op,
    pub api_base: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

/// `token`: the stored token of an account, for hosts that must hand it on (like
/// `choreo auth token`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenRequest {
    pub version: u32,
    pub op: Op,
    pub api_base: String,
    /// The organization (handle or uuid); the active account of `apiBase` if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

/// `environment`: check the token of the first token variable set in `variables`
/// (`CHOREO_TOKEN`, `WSO2IP_PAT`, `CLOUD_STS_TOKEN`, in that order) with the flow of its kind,
/// offline and against the API. Nothing is stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvironmentRequest {
    pub version: u32,
    pub op: Op,
    pub api_base: String,
    /// The token variables the host's environment sets: an empty value counts as unset. Other
    /// names are ignored, but hosts send none: each value is copied into the module's memory.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Secret>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u32>,
}

/// `environmentToken`: the token `environment` would use, checked offline only.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvironmentTokenRequest {
    pub version: u32,
    pub op: Op,
    pub api_base: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Secret>,
    /// Unix seconds the rules run at; the host's clock if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<i64>,
}

/// `sts`: check a Choreo STS access token (what `CLOUD_STS_TOKEN` holds), its claims offline,
/// then its organization with the API. Nothing is stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StsRequest {
    pub version: u32,
    pub op: Op,
    pub api_base: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_base64: Option<Secret>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u32>,
}

/// Every answer: the version it is in, whether the operation succeeded, and the operation's
/// fields (`T`). The envelope `{version, ok, error}` is the same in every version, so a host
/// can always read why a request was refused.
#[derive(Debug, Serialize)]
pub struct Answer<T> {
    pub version: u32,
    pub ok: bool,
    #[serde(flatten)]
    pub body: T,
}

impl<T: Serialize> Answer<T> {
    /// A successful answer in version 1.
    pub fn ok(body: T) -> Self {
        Self {
            version: PROTOCOL_VERSION_1,
            ok: true,
            body,
        }
    }

    /// The answer's JSON (`token` and `environmentToken` answers hold a token: see [`json`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        std::mem::take(&mut *json(self))
    }
}

/// `value`'s JSON in a buffer zeroed when dropped, and that leaves no copy behind: a `Vec`
/// growing as serde_json writes moves its bytes and frees the old allocation as it was, and
/// those bytes can hold a token. Here each old allocation is zeroed before it is freed.
pub fn json(value: &impl Serialize) -> Zeroizing<Vec<u8>> {
    struct Growing(Zeroizing<Vec<u8>>);
    impl std::io::Write for Growing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let need = self.0.len() + bytes.len();
            if need > self.0.capacity() {
                let mut bigger = Vec::with_capacity(need.max(2 * self.0.capacity()));
                bigger.extend_from_slice(&self.0);
                // The old buffer drops here, zeroed over its whole capacity.
                self.0 = Zeroizing::new(bigger);
            }
            self.0.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Growing(Zeroizing::new(Vec::with_capacity(256)));
    // Strings, numbers, booleans, lists and maps of strings: serialising cannot fail.
    let _ = serde_json::to_writer(&mut out, value);
    out.0
}

/// `inspect`'s answer: core's report, the same bytes on every host.
#[derive(Debug, Serialize)]
pub struct Inspected<'a> {
    pub report: &'a Report,
}

/// `logout`'s answer: the session that was removed.
#[derive(Debug, Serialize)]
pub struct LoggedOut {
    pub session: Session,
}

/// One stored account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRow {
    pub api_base: String,
    /// The organization's handle.
    pub org: String,
    pub org_uuid: String,
    /// Whether commands on `apiBase` use this account when they name no organization.
    pub active: bool,
}

/// `accounts`' answer.
#[derive(Debug, Serialize)]
pub struct AccountList {
    pub accounts: Vec<AccountRow>,
}

/// `switch`'s answer.
#[derive(Debug, Serialize)]
pub struct Switched {
    /// The account that is active now.
    pub account: AccountRow,
    /// False when it already was.
    pub changed: bool,
}

/// The answer of `token` and `environmentToken`: the token itself.
#[derive(Debug, Serialize)]
pub struct TokenFound {
    pub token: Secret,
    /// `environmentToken`: the variable that holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
}

/// Why an operation failed: a stable code of core's `Code`, a lowercase message naming the next
/// step, and the problems found offline when the input was refused before any request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorObject {
    pub code: Code,
    pub message: String,
    pub problems: Vec<Problem>,
}

/// A failed operation's answer.
#[derive(Debug, Serialize)]
pub struct Failed {
    pub error: ErrorObject,
    /// `status`: the stored session, when the check against the API failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Box<Session>>,
    /// `unsupported-version`: the versions this module speaks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<&'static [u32]>,
}

impl From<Failure> for Failed {
    fn from(f: Failure) -> Self {
        Self {
            error: ErrorObject {
                code: f.code,
                message: f.message,
                problems: f.problems,
            },
            session: f.session,
            versions: None,
        }
    }
}

impl Failed {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Failure::new(code, message).into()
    }

    /// The answer, in version 1.
    pub fn to_bytes(self) -> Vec<u8> {
        Answer {
            version: PROTOCOL_VERSION_1,
            ok: false,
            body: self,
        }
        .to_bytes()
    }
}

/// What the `http_send` import is given: one request, to send as it says. The host sends the
/// `authorization` header to `url` only and never follows a redirect; it gives up after
/// `timeoutMs` (the answer's body included) and stops reading past `maxResponseBytes`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpCall<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    pub url: &'a str,
    /// The `Authorization` header's value.
    pub authorization: &'a str,
    /// JSON to send with `content-type: application/json`; `null`: no body.
    pub body: Option<&'a str>,
    pub timeout_ms: u32,
    pub max_response_bytes: usize,
}

// No derived Debug: it holds the authorization header.
impl fmt::Debug for HttpCall<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpCall")
            .field("method", &self.method)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl HttpCall<'_> {
    /// The JSON for `request`, in a buffer zeroed when dropped (it holds the token).
    pub fn json(request: &HttpRequest) -> Zeroizing<Vec<u8>> {
        let authorization = Zeroizing::new(format!("Bearer {}", request.bearer.expose()));
        let call = HttpCall {
            method: request.method.as_str(),
            url: &request.url,
            authorization: &authorization,
            body: request.body.as_deref(),
            timeout_ms: request.timeout_ms,
            max_response_bytes: MAX_RESPONSE_BYTES,
        };
        json(&call)
    }
}

/// What the host saw when it sent a request: an answer (`status`, `headers`, the body as
/// `body` text or `bodyBase64`, `truncated`), or no answer (`failure`, with `detail` in the
/// host's words). Facts only: core decides what they mean.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `[name, value]` pairs, as received.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// The host stopped reading at `maxResponseBytes` (or the answer declared more).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<HttpFailure>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// Why there was no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HttpFailure {
    /// Nothing, or not all of the answer, within `timeoutMs`.
    Timeout,
    /// No connection: refused, unreachable, name resolution, TLS.
    Connect,
    /// A redirect the host would not follow and whose status it cannot see (a browser's
    /// `fetch`); a host that sees the status reports the answer instead.
    RedirectRefused,
    /// Anything else.
    Failed,
}

fn host_fault(detail: &str) -> HttpError {
    HttpError::Failed {
        detail: detail.to_owned(),
    }
}

impl HttpAnswer {
    /// The host's JSON as core's transport facts.
    pub fn read(json: &[u8]) -> Result<HttpResponse, HttpError> {
        serde_json::from_slice::<HttpAnswer>(json)
            .map_err(|_| {
                host_fault("the host's http answer is not the json PROTOCOL.md describes")
            })?
            .into_facts()
    }

    pub fn into_facts(self) -> Result<HttpResponse, HttpError> {
        if let Some(failure) = self.failure {
            let detail = self.detail;
            return Err(match failure {
                HttpFailure::Timeout => HttpError::Timeout,
                HttpFailure::Connect => HttpError::Connect { detail },
                HttpFailure::RedirectRefused => HttpError::RedirectRefused,
                HttpFailure::Failed => HttpError::Failed { detail },
            });
        }
        let status = self
            .status
            .ok_or_else(|| host_fault("the host's http answer has neither status nor failure"))?;
        let body = match (self.body, self.body_base64) {
            (Some(_), Some(_)) => {
                return Err(host_fault(
                    "the host's http answer gives both body and bodyBase64",
                ));
            }
            (Some(text), None) => text.into_bytes(),
            (None, Some(b64)) => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|_| {
                        host_fault("the host's http answer has a bodyBase64 that is not base64")
                    })?
            }
            (None, None) => Vec::new(),
        };
        Ok(HttpResponse {
            status,
            headers: self
                .headers
                .into_iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v))
                .collect(),
            body,
            truncated: self.truncated,
        })
    }
}

/// What the store imports answer: `store_load` the value under the key (`null` when there is
/// none), `store_save` and `store_delete` nothing; or `failure`, with `detail` in the host's
/// words. Stores fail closed: a host that cannot reach its store says so.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StoreAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<StoreFailure>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// Why the store failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreFailure {
    /// No store is reachable (no keyring, storage disabled).
    Unavailable,
    /// What is stored cannot be read back.
    Corrupt,
    /// Reading or writing failed.
    Failed,
}

impl StoreAnswer {
    /// The host's JSON as a value or a store error.
    pub fn read(json: &[u8]) -> Result<Option<Zeroizing<String>>, StoreError> {
        serde_json::from_slice::<StoreAnswer>(json)
            .map_err(|_| StoreError::Failed {
                message: "the host's store answer is not the json PROTOCOL.md describes".into(),
            })?
            .into_result()
    }

    pub fn into_result(mut self) -> Result<Option<Zeroizing<String>>, StoreError> {
        let message = std::mem::take(&mut self.detail);
        match self.failure {
            None => Ok(self.value.take().map(Secret::into_zeroizing)),
            Some(StoreFailure::Unavailable) => Err(StoreError::Unavailable { message }),
            Some(StoreFailure::Corrupt) => Err(StoreError::Corrupt { message }),
            Some(StoreFailure::Failed) => Err(StoreError::Failed { message }),
        }
    }
}
