//! Core's `HttpClient` over reqwest + rustls: each request bounded by the time core gives it
//! and by core's size cap, no redirects. It reports what happened; core decides what it means.

use choreo_auth_core::ApiBase;
use choreo_auth_core::http::{
    HttpClient, HttpError, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES, Method,
};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use std::cell::OnceCell;
use std::time::Duration;
use tracing::debug;
use zeroize::Zeroizing;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Built on first use: offline commands never pay for loading the platform's root certificates.
#[derive(Debug)]
pub struct ReqwestClient {
    api: ApiBase,
    client: OnceCell<reqwest::Client>,
}

impl ReqwestClient {
    pub fn new(api: &ApiBase) -> Self {
        Self {
            api: api.clone(),
            client: OnceCell::new(),
        }
    }

    fn client(&self) -> Result<&reqwest::Client, HttpError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client = build(&self.api)?;
        Ok(self.client.get_or_init(|| client))
    }
}

/// Redirects are never followed, so the bearer token cannot be carried to another origin;
/// off loopback only https is spoken, even if a caller erred.
fn build(api: &ApiBase) -> Result<reqwest::Client, HttpError> {
    // reqwest is built without a crypto provider; ring is ours. Err means one is set.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("choreo-cli/", env!("CARGO_PKG_VERSION")));
    if api.is_loopback() {
        // A proxy must never see loopback traffic (and could not reach it).
        builder = builder.no_proxy();
    } else {
        builder = builder.https_only(true);
    }
    if api.as_str().starts_with("http://") {
        // Plain http on loopback never does TLS (no redirects), so trust no roots rather
        // than load the platform's.
        builder = builder.tls_certs_only(std::iter::empty());
    }
    builder.build().map_err(|e| describe(&e))
}

impl HttpClient for ReqwestClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let bearer = Zeroizing::new(format!("Bearer {}", request.bearer.expose()));
        let mut auth = HeaderValue::from_str(&bearer).map_err(|_| HttpError::Failed {
            detail: "the token cannot be sent in an http header".into(),
        })?;
        auth.set_sensitive(true);
        debug!(method = method.as_str(), url = %request.url, "http request");
        let mut builder = self
            .client()?
            .request(method, &request.url)
            .header(AUTHORIZATION, auth)
            .header(ACCEPT, "application/json")
            // Sending, waiting and reading the whole answer: what is left of core's time limit.
            .timeout(Duration::from_millis(u64::from(request.timeout_ms)));
        if let Some(body) = request.body {
            builder = builder.header(CONTENT_TYPE, "application/json").body(body);
        }
        let mut response = builder.send().await.map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| ("www-authenticate".to_owned(), v.to_owned()))
            .collect();
        let mut body = Vec::new();
        let mut truncated = response
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64);
        while !truncated && let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
            let room = MAX_RESPONSE_BYTES - body.len();
            truncated = chunk.len() > room;
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        if truncated {
            debug!("the answer exceeds the size cap; stopped reading");
        }
        debug!(status, bytes = body.len(), "http response");
        Ok(HttpResponse {
            status,
            headers,
            body,
            truncated,
        })
    }
}

/// What reqwest's error says happened, in core's terms, with its innermost cause as the
/// detail. Requests carry the token only in a header, which errors never print; URLs are left
/// out anyway.
fn describe(e: &reqwest::Error) -> HttpError {
    if e.is_timeout() {
        return HttpError::Timeout;
    }
    let mut innermost = None;
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        innermost = Some(c);
        cause = c.source();
    }
    let detail = innermost.map(ToString::to_string).unwrap_or_default();
    if e.is_connect() {
        HttpError::Connect { detail }
    } else if e.is_builder() {
        HttpError::Failed {
            detail: "the request could not be built".into(),
        }
    } else {
        HttpError::Failed { detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_build_for_https_and_loopback_http_bases() {
        for base in [
            "https://apis.choreo.dev",
            "http://127.0.0.1:9",
            "https://localhost:9",
        ] {
            let api = ApiBase::parse(base).unwrap();
            assert!(build(&api).is_ok(), "{base}");
        }
    }

    #[test]
    fn a_closed_port_is_a_connect_error_without_the_url() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let api = ApiBase::parse(&format!("http://127.0.0.1:{port}")).unwrap();
        let request = choreo_auth_core::api::introspect_request(
            &api,
            &choreo_auth_core::SecretToken::new("chp_secretvalue".into()),
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let error = runtime
            .block_on(ReqwestClient::new(&api).send(request))
            .unwrap_err();
        assert!(matches!(error, HttpError::Connect { .. }), "{error}");
        assert!(!error.to_string().contains("127.0.0.1"), "{error}");
        assert!(!error.to_string().contains("secretvalue"), "{error}");
    }
}
