//! CORS for an explicit allow-list of origins. Preflights are answered here, before routing,
//! so they never count as API requests nor consume faults.

use crate::{AppState, json_error};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub const ALLOW_METHODS: &str = "GET, POST";
// Listed by name: a `*` does not cover Authorization.
pub const ALLOW_HEADERS: &str = "Authorization, Content-Type";
pub const MAX_AGE_SECS: &str = "600";
// Lets a browser client read the RFC 6750 challenge, which core turns into the error detail.
pub const EXPOSE_HEADERS: &str = "WWW-Authenticate";

pub async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let allowed = request
        .headers()
        .get(header::ORIGIN)
        .filter(|o| o.to_str().is_ok_and(|o| state.origin_allowed(o)))
        .cloned();
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        match &allowed {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => json_error(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "this origin may not call the api",
            ),
        }
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    // The answer depends on Origin whenever an allow-list exists, so caches must key on it.
    if !state.config().cors_origins.is_empty() {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    if let Some(origin) = allowed {
        allow(headers, origin, preflight);
    }
    response
}

fn allow(headers: &mut HeaderMap, origin: HeaderValue, preflight: bool) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    if preflight {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECS),
        );
    } else {
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
}
