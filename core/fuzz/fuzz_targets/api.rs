//! The Choreo API's answers from arbitrary bytes: the introspection answer, the organization
//! list and answer, and an error answer's detail. Whatever a server sends, what core hands a
//! host holds no control or bidi character and no run of the token longer than its mask shows.
#![no_main]

use choreo_auth_core::SecretToken;
use choreo_auth_core::api;
use choreo_auth_core::host::HttpResponse;
use choreo_auth_core::untrusted::{MASK_SHOWS, is_unsafe};
use libfuzzer_sys::fuzz_target;

const TOKEN: &str = "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox";

fn check(shown: &str) {
    assert!(!shown.chars().any(is_unsafe), "{shown:?}");
    for run in TOKEN.as_bytes().windows(MASK_SHOWS + 1) {
        let run = std::str::from_utf8(run).unwrap();
        assert!(!shown.contains(run), "{run:?} in {shown:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let token = SecretToken::new(TOKEN.into());
    // The first byte picks the status; a second part after a NUL is a WWW-Authenticate value.
    let (status, rest) = match data.split_first() {
        Some((&b, rest)) => (if b < 128 { 200 } else { 401 }, rest),
        None => (200, data),
    };
    let (body, header) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], std::str::from_utf8(&rest[at + 1..]).ok()),
        None => (rest, None),
    };
    let response = HttpResponse {
        status,
        headers: header
            .map(|h| vec![("www-authenticate".to_owned(), h.to_owned())])
            .unwrap_or_default(),
        body: body.to_vec(),
        ..HttpResponse::default()
    };
    if let Ok(i) = api::read_introspection(&response, &token) {
        for s in [&i.id, &i.organization_uuid, &i.user_id, &i.status] {
            check(s);
        }
        i.allowed_scopes.iter().for_each(|s| check(s));
    }
    if let Ok(orgs) = api::read_orgs(&response, &token) {
        for o in orgs {
            [&o.id, &o.uuid, &o.handle, &o.name].into_iter().for_each(|s| check(s));
        }
    }
    if let Ok(o) = api::read_org(&response, &token) {
        [&o.id, &o.uuid, &o.handle, &o.name].into_iter().for_each(|s| check(s));
    }
    if let Some(detail) = api::error_detail(&response, &token) {
        check(&detail);
        assert!(detail.chars().count() <= 200);
    }
});
