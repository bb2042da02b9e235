//! The admin surface tests and the demo drive: mint, expire and revoke tokens, inject faults,
//! read the request log. Refused unless the TCP peer is a loopback address.

use crate::faults::FaultRequest;
use crate::orgs;
use crate::pats::{DEFAULT_SCOPES, DEFAULT_TTL_SECS, PatSpec};
use crate::{AppState, json_error, now_unix};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use choreo_auth_core::ApiBase;
use choreo_auth_core::time::parse_rfc3339;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};

/// Whether a peer may use the admin surface: loopback, including IPv4-mapped IPv6 loopback.
pub fn is_loopback_peer(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// Guards `/admin/`: the peer must be on loopback, and a browser page may drive it only from an
/// allowed origin (a loopback peer is also any web page open in a local browser).
pub async fn loopback_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if !peer.is_some_and(is_loopback_peer) {
        return json_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the admin surface answers loopback peers only",
        );
    }
    // A Host that is not loopback means a rebound DNS name: a remote page talking through the
    // local browser.
    let host_is_loopback = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| ApiBase::parse(&format!("http://{h}")).ok())
        .is_some_and(|base| base.is_loopback());
    if !host_is_loopback {
        return json_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the admin surface answers loopback host names only",
        );
    }
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .map(|o| o.to_str().map(|o| state.origin_allowed(o)));
    if matches!(origin, Some(Ok(false) | Err(_))) {
        return json_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the admin surface refuses this origin",
        );
    }
    next.run(request).await
}

pub(crate) fn bad_request(description: &str) -> Response {
    json_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// Reads an optional JSON body: empty means all defaults.
pub(crate) fn body<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| format!("the body is not valid: {e}"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MintRequest {
    pub org: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub ttl_seconds: Option<i64>,
    pub valid_until: Option<String>,
    pub status: Option<String>,
    pub user_id: Option<String>,
}

impl MintRequest {
    pub fn into_spec(self, now: i64) -> Result<PatSpec, &'static str> {
        let organization_uuid = match self.org.as_deref() {
            None => orgs::ACME.uuid,
            Some(name) => orgs::uuid_for(name).ok_or("org must be acme, globex or nowhere")?,
        };
        let valid_until = match (self.ttl_seconds, self.valid_until.as_deref()) {
            (Some(_), Some(_)) => return Err("give ttlSeconds or validUntil, not both"),
            (Some(ttl), None) => now.saturating_add(ttl),
            (None, Some(at)) => parse_rfc3339(at).ok_or("validUntil must be rfc 3339")?,
            (None, None) => now.saturating_add(DEFAULT_TTL_SECS),
        };
        let mut spec = PatSpec::demo(now);
        spec.organization_uuid = organization_uuid.to_owned();
        spec.valid_until = valid_until;
        spec.scopes = self
            .scopes
            .unwrap_or_else(|| DEFAULT_SCOPES.map(str::to_owned).to_vec());
        if let Some(status) = self.status {
            spec.status = status;
        }
        if let Some(user_id) = self.user_id {
            spec.user_id = user_id;
        }
        Ok(spec)
    }
}

/// `POST /admin/pats` → 201 with the new token (the only answer that ever carries one).
pub async fn mint(State(state): State<AppState>, bytes: Bytes) -> Response {
    let request: MintRequest = match body(&bytes) {
        Ok(r) => r,
        Err(why) => return bad_request(&why),
    };
    let spec = match request.into_spec(now_unix()) {
        Ok(spec) => spec,
        Err(why) => return bad_request(why),
    };
    let minted = state.pats().mint(spec);
    match minted {
        Ok((token, pat)) => {
            let mut view = pat.admin_view();
            view["token"] = json!(token.expose());
            (StatusCode::CREATED, Json(view)).into_response()
        }
        Err(e) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            &e.to_string(),
        ),
    }
}

fn update(state: &AppState, id: &str, change: impl FnOnce(&mut crate::pats::Pat)) -> Response {
    let mut pats = state.pats();
    match pats.get_mut(id) {
        Some(pat) => {
            change(pat);
            Json(pat.admin_view()).into_response()
        }
        None => json_error(StatusCode::NOT_FOUND, "not_found", "no token has this id"),
    }
}

/// `POST /admin/pats/{id}/expire`: validUntil one minute in the past.
pub async fn expire(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let past = now_unix() - 60;
    update(&state, &id, |pat| pat.valid_until = past)
}

/// `POST /admin/pats/{id}/revoke`: status `revoked`.
pub async fn revoke(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    update(&state, &id, |pat| pat.status = "revoked".to_owned())
}

/// `POST /admin/faults`: replaces the active fault.
pub async fn set_fault(State(state): State<AppState>, bytes: Bytes) -> Response {
    let request: FaultRequest = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => return bad_request(&format!("the body is not valid: {e}")),
    };
    match request.into_fault() {
        Ok(fault) => {
            let view = Json(&fault).into_response();
            *state.fault() = Some(fault);
            (StatusCode::CREATED, view).into_response()
        }
        Err(why) => bad_request(why),
    }
}

/// `DELETE /admin/faults`.
pub async fn clear_fault(State(state): State<AppState>) -> StatusCode {
    *state.fault() = None;
    StatusCode::NO_CONTENT
}

/// `GET /admin/requests`: the Choreo API requests seen, oldest first.
pub async fn requests(State(state): State<AppState>) -> Response {
    Json(state.requests()).into_response()
}

/// `DELETE /admin/requests`: forget them (for tests sharing one server).
pub async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.clear_requests();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn only_loopback_peers_reach_the_admin_surface() {
        assert!(is_loopback_peer(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(is_loopback_peer(IpAddr::V4(Ipv4Addr::new(127, 9, 9, 9))));
        assert!(is_loopback_peer(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert!(is_loopback_peer(IpAddr::V6(
            Ipv4Addr::LOCALHOST.to_ipv6_mapped()
        )));
        assert!(!is_loopback_peer(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))));
        assert!(!is_loopback_peer(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
        assert!(!is_loopback_peer(IpAddr::V6(
            Ipv4Addr::new(192, 168, 1, 2).to_ipv6_mapped()
        )));
    }

    #[test]
    fn mint_requests_fill_defaults_and_refuse_nonsense() {
        let spec = MintRequest::default().into_spec(100).unwrap();
        assert_eq!(spec.organization_uuid, orgs::ACME.uuid);
        assert_eq!(spec.valid_until, 100 + DEFAULT_TTL_SECS);
        assert_eq!(spec.scopes.len(), 3);
        let both = MintRequest {
            ttl_seconds: Some(1),
            valid_until: Some("2030-01-01T00:00:00Z".into()),
            ..MintRequest::default()
        };
        assert!(both.into_spec(0).is_err());
        let elsewhere = MintRequest {
            org: Some("initech".into()),
            ..MintRequest::default()
        };
        assert!(elsewhere.into_spec(0).is_err());
    }
}
