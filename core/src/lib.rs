//! Sans-I/O core of `choreo login --with-token`: every rule, no I/O.
//!
//! Like quinn-proto, this crate never touches the network, the file system, the OS clock or the
//! OS random source. Time comes in as an argument or through [`host::Clock`]; HTTP, randomness
//! and credential storage come in through the small traits of [`host`], implemented by the
//! native CLI (`native/`) and the wasm package (`wasm/`). The same source therefore judges a
//! token identically in a terminal, a browser and an editor.
//!
//! - [`intake`]: raw bytes → one checked [`SecretToken`] or precise problems.
//! - [`formats`], [`checksum`], [`jwt`]: what kind of token it is, as data-driven rules.
//! - [`report`]: [`inspect`] → [`Report`], whose JSON is the cross-host contract.
//! - [`finder`]: the same rules over a whole text (`token scan`), in chunks of any size.
//! - [`api`], [`mod@login`]: the Choreo protocol and the login, status and logout flows;
//!   [`account`]: several accounts (an organization on an API base), one active per base;
//!   [`http`]: the requests hosts send, the facts they report and the one policy reading them;
//!   [`sts`]: the Choreo STS flow; [`env`](mod@env): which token variable commands use, and its check.
//! - [`credential`]: what a login stores; [`source`]: where a command's token comes from and
//!   what a login stores beside `CHOREO_TOKEN`; [`problem`]: the stable codes.
//! - [`failure`]: one shape for every failed operation, for the hosts that hand out values (the
//!   npm package, the host protocol).
//! - [`untrusted`]: every string from the API, cleaned before a host sees it.
//! - [`json`]: JSON into serde types, without serde_json's error formatting; [`base64url`]: a
//!   JWT segment's bytes.
//!
//! One verb per contract: *inspect* gives a [`Report`] and keeps nothing; *examine* (in
//! [`report`], [`sts`], [`env`](mod@env)) gives an [`report::Inspection`], the report and the token a
//! flow goes on with; *recognise* names a token's format from its prefix; *judge* (in [`http`])
//! turns the facts a host reports about a request into its outcome; *clean* (in [`untrusted`])
//! makes API text safe to show.

pub mod account;
pub mod api;
pub mod base64url;
mod chars;
pub mod checksum;
pub mod credential;
pub mod env;
pub mod failure;
pub mod finder;
pub mod formats;
pub mod host;
pub mod http;
pub mod intake;
pub mod json;
pub mod jwt;
pub mod kv;
pub mod login;
pub mod memory;
pub mod problem;
pub mod report;
pub mod secret;
pub mod source;
pub mod sts;
pub mod time;
pub mod untrusted;
#[cfg(feature = "vectors")]
pub mod vectors;

pub use account::AccountRef;
pub use api::{ApiBase, DEFAULT_API_BASE};
pub use credential::{Credential, Session};
pub use failure::Failure;
pub use login::{Host, LoginError, LoginResult, Policy, login, logout, status};
pub use problem::{Code, Problem, Severity};
pub use report::{Report, inspect, inspect_json};
pub use secret::SecretToken;
