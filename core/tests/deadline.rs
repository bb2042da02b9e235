//! One time limit for the whole exchange with the API: each request is given what is left of
//! it (the host enforces that part), and none is sent once it has passed.

use choreo_auth_core::Code;
use choreo_auth_core::host::{Clock, Random, RandomError};
use choreo_auth_core::http::{HttpClient, HttpError, HttpRequest, HttpResponse};
use choreo_auth_core::login::{self, Policy};
use choreo_auth_core::vectors::block_on_ready;
use choreo_auth_core::{ApiBase, DEFAULT_API_BASE};
use std::cell::{Cell, RefCell};

const TOKEN: &str = "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox";
const ORG: &str = r#"{"id":1,"uuid":"o-1","handle":"acme","name":"Acme"}"#;

/// A server whose every answer takes `each_ms` of the shared clock; it records the time each
/// request was given.
struct Slow<'c> {
    now: &'c Cell<i64>,
    each_ms: i64,
    given: RefCell<Vec<u32>>,
}

impl HttpClient for Slow<'_> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        self.given.borrow_mut().push(request.timeout_ms);
        self.now.set(self.now.get() + self.each_ms);
        let body = match self.given.borrow().len() {
            1 => r#"{"organizationUuid":"o-1","userId":"u","status":"active"}"#.to_owned(),
            2 => format!("[{ORG}]"),
            _ => format!(r#"{{"organization":{ORG}}}"#),
        };
        Ok(HttpResponse {
            status: 200,
            body: body.into_bytes(),
            ..HttpResponse::default()
        })
    }
}

struct Shared<'c>(&'c Cell<i64>);

impl Clock for Shared<'_> {
    fn now_unix_ms(&self) -> i64 {
        self.0.get()
    }
}

struct Zeros;

impl Random for Zeros {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        dest.fill(0);
        Ok(())
    }
}

fn login_with(each_ms: i64, timeout_ms: Option<u32>) -> (Result<(), Code>, Vec<u32>) {
    let now = Cell::new(1_800_000_000_000);
    let http = Slow {
        now: &now,
        each_ms,
        given: RefCell::default(),
    };
    let api = ApiBase::parse(DEFAULT_API_BASE).unwrap();
    let policy = Policy {
        timeout_ms,
        ..Policy::default()
    };
    let result = block_on_ready(login::authenticate(
        &http,
        &Shared(&now),
        &Zeros,
        &api,
        TOKEN.as_bytes(),
        &policy,
    ));
    (result.map(drop).map_err(|e| e.code()), http.given.take())
}

#[test]
fn each_request_gets_what_is_left_of_the_one_time_limit() {
    let (result, given) = login_with(9_000, None);
    assert_eq!(result, Ok(()));
    assert_eq!(given, [30_000, 21_000, 12_000]);
}

#[test]
fn no_request_is_sent_once_the_time_limit_has_passed() {
    // Three answers of 16 s each: the third request would start past 30 s.
    let (result, given) = login_with(16_000, None);
    assert_eq!(result, Err(Code::NetworkError));
    assert_eq!(given, [30_000, 14_000]);
    // The limit is the caller's to set.
    let (result, given) = login_with(16_000, Some(60_000));
    assert_eq!(result, Ok(()));
    assert_eq!(given, [60_000, 44_000, 28_000]);
}
