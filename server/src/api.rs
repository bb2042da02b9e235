//! The three Choreo endpoints the CLI calls, and the middleware that logs each request and
//! applies injected faults.

use crate::faults::Action;
use crate::orgs::{Org, SEEDED};
use crate::pats::{Pat, Unusable};
use crate::sts::StsClaims;
use crate::{AppState, RequestRecord, json_error, now_unix};
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use choreo_auth_core::checksum;
use serde_json::Value;

/// 401 with an RFC 6750 challenge and the same reason as JSON. `description` is static text,
/// so no request data (let alone a token) can end up in it.
pub fn invalid_token(description: &'static str) -> Response {
    let mut response = json_error(StatusCode::UNAUTHORIZED, "invalid_token", description);
    let challenge = format!(
        r#"Bearer realm="choreo", error="invalid_token", error_description="{description}""#
    );
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The token of an `Authorization: Bearer <token>` header, if one was sent.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// `path` as it may be logged: segments that look like tokens (a checksummed `xxx_` token, 16
/// or more characters a token may hold, as core accepts an opaque PAT, or anything long) are
/// replaced, in case a client misplaces its token into the URL.
pub fn loggable_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let checksummed = segment
                .split_once('_')
                .is_some_and(|(_, rest)| checksum::verify(rest));
            let token_shaped = segment.len() >= 16
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=%".contains(&b));
            if checksummed || token_shaped || segment.len() > 64 {
                "<redacted>"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Logs every Choreo API request (never the token), then applies the active fault, if any.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    state.record(RequestRecord {
        method: request.method().as_str().to_owned(),
        path: loggable_path(request.uri().path()),
        authorization: if headers.contains_key(header::AUTHORIZATION) {
            "present"
        } else {
            "absent"
        },
        origin: headers
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .map(str::to_owned),
    });
    let action = {
        let mut slot = state.fault();
        let action = slot
            .as_ref()
            .map(|f| f.action(request.uri().path(), bearer(headers)));
        if slot.as_mut().is_some_and(|f| f.consume()) {
            *slot = None;
        }
        action
    };
    match action {
        Some(Action::Replace(response)) => response,
        Some(Action::Delay(wait)) => {
            tokio::time::sleep(wait).await;
            next.run(request).await
        }
        None => next.run(request).await,
    }
}

/// The stored token the request carries, or why there is none (a 401 description).
fn lookup(state: &AppState, headers: &HeaderMap) -> Result<Pat, &'static str> {
    let token = bearer(headers).ok_or("no bearer token was sent")?;
    state
        .pats()
        .find(token)
        .cloned()
        .ok_or(Unusable::Unknown.description())
}

/// Who may call the organization endpoints: a usable PAT, or an STS token this server signed
/// that has not expired.
enum Caller {
    Pat(Pat),
    Sts(StsClaims),
}

impl Caller {
    /// Whether `org` is the caller's own organization (a PAT or STS token is pinned to one).
    fn belongs_to(&self, org: &Org) -> bool {
        match self {
            Caller::Pat(pat) => org.uuid == pat.organization_uuid,
            Caller::Sts(claims) => {
                org.uuid == claims.organization.uuid && org.handle == claims.organization.handle
            }
        }
    }
}

async fn usable(state: &AppState, headers: &HeaderMap) -> Result<Caller, &'static str> {
    if let Some(token) = bearer(headers).filter(|t| t.matches('.').count() == 2) {
        // Right after start the key may still be in the making: wait for it, so the answer
        // never depends on timing.
        let key = state
            .sts_key()
            .await
            .map_err(|_| Unusable::Unknown.description())?;
        return key.verify(token, now_unix()).map(Caller::Sts);
    }
    let pat = lookup(state, headers)?;
    pat.usable(now_unix()).map_err(Unusable::description)?;
    Ok(Caller::Pat(pat))
}

/// `POST /api-key-service/v1.0/pat/introspect`: known tokens are described whatever their
/// state (revoked, expired), so clients apply their own policy; unknown ones get 401.
pub async fn introspect(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match lookup(&state, &headers) {
        Ok(pat) => Json(pat.introspection()).into_response(),
        Err(why) => invalid_token(why),
    }
}

/// `GET /orgs/1.0.0/orgs`: every seeded org (the demo user belongs to both), so a client
/// must match the introspected uuid rather than take the first entry.
pub async fn orgs(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match usable(&state, &headers).await {
        Ok(_) => Json(SEEDED.iter().map(Org::to_json).collect::<Value>()).into_response(),
        Err(why) => invalid_token(why),
    }
}

/// `GET /orgs/1.0.0/orgs/{handle}`: 404 for an unknown handle, 403 for another org than the
/// token's (a PAT or an STS token is pinned to one org).
pub async fn org(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    headers: HeaderMap,
) -> Response {
    let caller = match usable(&state, &headers).await {
        Ok(caller) => caller,
        Err(why) => return invalid_token(why),
    };
    let Some(org) = Org::by_handle(&handle) else {
        return json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no organization has this handle",
        );
    };
    if !caller.belongs_to(&org) {
        return json_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the access token belongs to another organization",
        );
    }
    Json(serde_json::json!({ "organization": org.to_json() })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn token_shaped_path_segments_are_not_logged() {
        let token = crate::pats::mint_token().unwrap();
        let path = format!("/orgs/1.0.0/orgs/{}", token.expose());
        assert_eq!(loggable_path(&path), "/orgs/1.0.0/orgs/<redacted>");
        assert_eq!(
            loggable_path("/orgs/1.0.0/orgs/acme"),
            "/orgs/1.0.0/orgs/acme"
        );
        // An opaque token core would accept as a PAT, misplaced as a handle.
        assert_eq!(
            loggable_path("/orgs/1.0.0/orgs/abcdefghijklmnopqrstuvwxyz012345"),
            "/orgs/1.0.0/orgs/<redacted>"
        );
        assert_eq!(
            loggable_path("/api-key-service/v1.0/pat/introspect"),
            "/api-key-service/v1.0/pat/introspect"
        );
    }
}
