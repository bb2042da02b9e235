//! The HTTP boundary and its one policy. Core builds each request (with the time it may take);
//! a host sends it and reports facts — status, headers, body, whether it stopped reading at
//! the size cap, or that there was no answer: timeout, no connection, a refused redirect, any
//! other failure. Core alone turns those facts into outcomes ([`Transport`]), so every host
//! gives the same code for the same thing.
#![allow(async_fn_in_trait)]

use crate::secret::SecretToken;
use crate::time::Clock;
use crate::untrusted::Cleaner;
use std::fmt;

/// Hosts stop reading an answer past this many bytes and report it `truncated`.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// The whole login's time limit unless the user sets another: every request of one login,
/// answers included, within it.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

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
    /// How long the host may take for this request, answer body included (what is left of
    /// the login's time limit). Past it the host gives up and reports [`HttpError::Timeout`].
    pub timeout_ms: u32,
}

#[derive(Debug, Clone, Default)]
pub struct HttpResponse {
    pub status: u16,
    /// Lower-case names. Adapters may pass only the ones core reads: `www-authenticate`.
    pub headers: Vec<(String, String)>,
    /// At most [`MAX_RESPONSE_BYTES`] (one more is fine): hosts stop reading there.
    pub body: Vec<u8>,
    /// The answer was longer than [`MAX_RESPONSE_BYTES`] (declared or read) and was cut.
    pub truncated: bool,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the answer is a redirect, which hosts never follow.
    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status)
    }

    /// Whether the answer is larger than core reads.
    pub fn is_too_large(&self) -> bool {
        self.truncated || self.body.len() > MAX_RESPONSE_BYTES
    }
}

/// Why a request got no answer, as the host saw it. Details are the host's own words:
/// [`Deadline`], which every flow sends through, cleans them (a run of the token becomes
/// `[redacted]`, control characters U+FFFD) before anything shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// Nothing (or not all of the answer) within the request's `timeout_ms`.
    Timeout,
    /// No connection: refused, unreachable, name resolution, TLS.
    Connect { detail: String },
    /// The answer was a redirect the host would not follow, without its status (a browser's
    /// `fetch` hides it). A host that sees the status reports the answer instead.
    RedirectRefused,
    /// Anything else: the request could not be built or sent, the answer could not be read.
    Failed { detail: String },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Timeout => f.write_str("no complete answer within the time limit"),
            HttpError::Connect { detail } => with_detail(f, "could not connect", detail),
            HttpError::RedirectRefused => f.write_str("the answer was a redirect"),
            HttpError::Failed { detail } => with_detail(f, "the request failed", detail),
        }
    }
}

fn with_detail(f: &mut fmt::Formatter<'_>, what: &str, detail: &str) -> fmt::Result {
    if detail.is_empty() {
        f.write_str(what)
    } else {
        write!(f, "{what}: {detail}")
    }
}

/// Sends one HTTP request (HTTPS off loopback is enforced by core before this is called).
/// Adapters must: send the bearer only to the request's URL and never follow a redirect; stop
/// reading at [`MAX_RESPONSE_BYTES`] and say so; give up after `timeout_ms`.
pub trait HttpClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError>;
}

/// What the transport facts mean, the same on every host: a redirect is refused (so the token
/// never follows it), an oversized answer is a bad response, no answer is a network error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// No answer: timeout, connection, other failure.
    Unreachable(HttpError),
    /// A redirect, refused.
    Redirected,
    /// An answer larger than [`MAX_RESPONSE_BYTES`].
    TooLarge,
}

/// The answer core reads, or what the transport facts mean.
pub fn judge(result: Result<HttpResponse, HttpError>) -> Result<HttpResponse, Transport> {
    match result {
        Ok(r) if r.is_redirect() => Err(Transport::Redirected),
        Ok(r) if r.is_too_large() => Err(Transport::TooLarge),
        Ok(r) => Ok(r),
        Err(HttpError::RedirectRefused) => Err(Transport::Redirected),
        Err(e) => Err(Transport::Unreachable(e)),
    }
}

/// An [`HttpClient`] held to one deadline: each request gets what is left of it, and none is
/// sent once it has passed. The deadline is core's; the adapter enforces each request's part.
/// The details of the host's errors come back cleaned of the token ([`Cleaner`]).
pub struct Deadline<'h, H, C> {
    http: &'h H,
    /// Unix milliseconds.
    at: i64,
    clock: &'h C,
}

impl<'h, H: HttpClient, C: Clock> Deadline<'h, H, C> {
    /// `timeout_ms` from now (the clock is read again before each request).
    pub fn new(http: &'h H, timeout_ms: u32, clock: &'h C) -> Self {
        let at = clock.now_unix_ms().saturating_add(i64::from(timeout_ms));
        Self { http, at, clock }
    }
}

impl<H: HttpClient, C: Clock> HttpClient for Deadline<'_, H, C> {
    async fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let left = self.at.saturating_sub(self.clock.now_unix_ms());
        if left <= 0 {
            return Err(HttpError::Timeout);
        }
        request.timeout_ms = u32::try_from(left).unwrap_or(u32::MAX);
        let bearer = request.bearer.clone();
        self.http.send(request).await.map_err(|mut e| {
            // The host's words can quote the request, and so the token.
            if let HttpError::Connect { detail } | HttpError::Failed { detail } = &mut e {
                Cleaner::new(Some(&bearer)).clean(detail);
            }
            e
        })
    }
}

impl<H, C> fmt::Debug for Deadline<'_, H, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deadline").field("at", &self.at).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: usize, truncated: bool) -> Result<HttpResponse, HttpError> {
        Ok(HttpResponse {
            status,
            body: vec![b' '; body],
            truncated,
            ..HttpResponse::default()
        })
    }

    #[test]
    fn transport_facts_mean_the_same_on_every_host() {
        // A host that saw the redirect's status, and a browser that could not.
        for redirect in [answer(302, 0, false), Err(HttpError::RedirectRefused)] {
            assert_eq!(judge(redirect).unwrap_err(), Transport::Redirected);
        }
        // Cut by the host, or longer than the cap however it was read.
        for large in [
            answer(200, 10, true),
            answer(200, MAX_RESPONSE_BYTES + 1, false),
        ] {
            assert_eq!(judge(large).unwrap_err(), Transport::TooLarge);
        }
        assert_eq!(
            judge(Err(HttpError::Timeout)).unwrap_err(),
            Transport::Unreachable(HttpError::Timeout)
        );
        assert!(judge(answer(401, 10, false)).is_ok());
        assert!(judge(answer(200, MAX_RESPONSE_BYTES, false)).is_ok());
    }

    /// Fails every request with a detail quoting its authorization header.
    struct Echoing;

    impl HttpClient for Echoing {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
            let header = format!("Bearer {}", request.bearer.expose());
            Err(HttpError::Connect {
                detail: format!("refused {header}\u{1b}[2J"),
            })
        }
    }

    #[test]
    fn a_host_error_that_quotes_the_token_comes_back_without_it() {
        let token = "chp_0123456789abcdefghij0123456789abcdefghij";
        let request = HttpRequest {
            method: Method::Get,
            url: "http://127.0.0.1:1/".into(),
            bearer: SecretToken::new(token.into()),
            body: None,
            timeout_ms: 1000,
        };
        struct Epoch;
        impl Clock for Epoch {
            fn now_unix_ms(&self) -> i64 {
                0
            }
        }
        let deadline = Deadline::new(&Echoing, 1000, &Epoch);
        let sent = std::pin::pin!(deadline.send(request))
            .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
        let std::task::Poll::Ready(Err(e)) = sent else {
            panic!("the host's answer is ready, and an error")
        };
        assert_eq!(
            e.to_string(),
            "could not connect: refused Bearer [redacted]\u{fffd}[2J"
        );
    }
}
