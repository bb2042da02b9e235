//! A small, real Choreo API server for the demo and the tests: the three endpoints the CLI
//! calls, an admin surface to mint tokens and inject faults, CORS for an allow-list of
//! origins, and the web demo's static files. It listens on loopback only.
//!
//! Tokens are kept as SHA-256 digests and compared in constant time; the admin surface is
//! refused to any TCP peer that is not a loopback address.

pub mod admin;
pub mod api;
pub mod cors;
pub mod faults;
pub mod orgs;
pub mod pats;
pub mod statics;
pub mod sts;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use choreo_auth_core::api::{INTROSPECT_PATH, ORGS_PATH};
use faults::Fault;
use pats::PatStore;
use serde::Serialize;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use sts::StsKey;
use tokio::net::TcpListener;

/// Request bodies above this are refused with 413; no endpoint needs more.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// The request log keeps this many entries, newest last.
pub const MAX_LOGGED_REQUESTS: usize = 1000;

/// What the command line configures.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Exact origins (`scheme://host[:port]`) allowed to call the API from a browser.
    pub cors_origins: Vec<String>,
    /// Folder served at `/`; canonicalized by [`AppState::new`].
    pub web_root: Option<PathBuf>,
}

/// One Choreo API request as `GET /admin/requests` reports it. Never holds token material.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    /// `present` or `absent`: whether an `Authorization` header was sent.
    pub authorization: &'static str,
    pub origin: Option<String>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    pats: Mutex<PatStore>,
    fault: Mutex<Option<Fault>>,
    requests: Mutex<Vec<RequestRecord>>,
    /// The STS signing key, generated once, at start ([`serve`]) or on first use.
    sts: tokio::sync::OnceCell<Arc<StsKey>>,
}

/// Shared server state; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

// A poisoned lock only means a handler panicked; the data is still consistent for a test server.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl AppState {
    pub fn new(mut config: Config) -> std::io::Result<Self> {
        if let Some(root) = &config.web_root {
            config.web_root = Some(root.canonicalize()?);
        }
        Ok(Self(Arc::new(Inner {
            config,
            pats: Mutex::new(PatStore::default()),
            fault: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
            sts: tokio::sync::OnceCell::new(),
        })))
    }

    /// The STS signing key, generated off the runtime thread by the first caller (the others
    /// wait for it).
    pub async fn sts_key(&self) -> Result<Arc<StsKey>, pats::RandomUnavailable> {
        let key = self
            .0
            .sts
            .get_or_try_init(|| async {
                match tokio::task::spawn_blocking(StsKey::generate).await {
                    Ok(generated) => generated.map(Arc::new),
                    Err(_) => Err(pats::RandomUnavailable),
                }
            })
            .await?;
        Ok(Arc::clone(key))
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn pats(&self) -> MutexGuard<'_, PatStore> {
        lock(&self.0.pats)
    }

    pub(crate) fn fault(&self) -> MutexGuard<'_, Option<Fault>> {
        lock(&self.0.fault)
    }

    pub(crate) fn record(&self, record: RequestRecord) {
        let mut log = lock(&self.0.requests);
        if log.len() >= MAX_LOGGED_REQUESTS {
            log.remove(0);
        }
        log.push(record);
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.0.requests).clone()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.0.requests).clear();
    }

    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.0.config.cors_origins.iter().any(|o| o == origin)
    }
}

/// The whole application: Choreo API, admin surface, static files, CORS.
pub fn router(state: AppState) -> Router {
    let choreo = Router::new()
        .route(INTROSPECT_PATH, post(api::introspect))
        .route(ORGS_PATH, get(api::orgs))
        .route(&format!("{ORGS_PATH}/{{handle}}"), get(api::org))
        .route_layer(middleware::from_fn_with_state(state.clone(), api::observe));
    let admin = Router::new()
        .route("/admin/pats", post(admin::mint))
        .route("/admin/pats/{id}/expire", post(admin::expire))
        .route("/admin/pats/{id}/revoke", post(admin::revoke))
        .route("/admin/sts", post(sts::mint))
        .route(
            "/admin/faults",
            post(admin::set_fault).delete(admin::clear_fault),
        )
        .route(
            "/admin/requests",
            get(admin::requests).delete(admin::clear_requests),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            admin::loopback_only,
        ));
    Router::new()
        .merge(choreo)
        .merge(admin)
        .fallback(statics::serve)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), cors::cors))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes. The peer address is made
/// available to the admin guard.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The STS key is made while the server waits for its first requests.
    tokio::spawn({
        let state = state.clone();
        async move { drop(state.sts_key().await) }
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// A JSON error body in the RFC 6749 style the core reads: `{"error","error_description"}`.
pub fn json_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// The unknown-route answer.
pub fn not_found() -> Response {
    json_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "nothing is served at this path",
    )
}

async fn method_not_allowed() -> Response {
    json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this path does not accept this method",
    )
}

/// Current Unix time in seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
