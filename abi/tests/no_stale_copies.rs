//! JSON that holds a token leaves no copy of it in freed memory: a request for the host's
//! `http_send`, any value the protocol writes with `protocol::json` (the answers of `token`
//! and `environmentToken`), and the credential core's `KvStore` hands the host's store. A
//! global allocator looks into every block freed while it watches.
// A global allocator is `unsafe` by definition. This one only forwards to the system's and, when
// watching, reads the block it is about to free.
#![allow(unsafe_code)]

use choreo_auth_abi::protocol::{self, HttpCall, Secret};
use choreo_auth_core::api::Organization;
use choreo_auth_core::http::{HttpRequest, Method};
use choreo_auth_core::{ApiBase, Credential, SecretToken, Session};
use serde::Serialize;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

const TOKEN: &str = "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox";
/// A run of the token no other bytes of these tests contain.
const NEEDLE: &[u8] = b"Xq7Lm2Pz9Rt4Vw8N";

struct Watching;

static WATCHING: AtomicBool = AtomicBool::new(false);
static FREED_WITH_TOKEN: AtomicUsize = AtomicUsize::new(0);
/// One test watches at a time: the harness runs them on several threads.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.load(Relaxed) {
            // SAFETY: the block is ours until it is handed back below, `layout.size()` long.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if block.windows(NEEDLE.len()).any(|w| w == NEEDLE) {
                FREED_WITH_TOKEN.fetch_add(1, Relaxed);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watching = Watching;

/// How many blocks freed while `f` ran held the token.
fn freed_with_token(f: impl FnOnce()) -> usize {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    FREED_WITH_TOKEN.store(0, Relaxed);
    WATCHING.store(true, Relaxed);
    f();
    WATCHING.store(false, Relaxed);
    FREED_WITH_TOKEN.load(Relaxed)
}

#[test]
fn the_watch_sees_a_token_freed_as_it_was() {
    // Without this the other tests could pass by seeing nothing.
    assert_eq!(freed_with_token(|| drop(TOKEN.to_owned())), 1);
}

#[test]
fn a_request_for_the_host_leaves_no_copy_of_the_token_behind() {
    let freed = freed_with_token(|| {
        let request = HttpRequest {
            method: Method::Post,
            url: "https://apis.choreo.dev/api-key-service/v1.0/pat/introspect".into(),
            bearer: SecretToken::new(TOKEN.to_owned()),
            // Written after the token, so the buffer grows with the token in it.
            body: Some(format!("{{\"pad\":\"{}\"}}", "x".repeat(4096))),
            timeout_ms: 30_000,
        };
        let json = HttpCall::json(&request);
        assert!(json.windows(NEEDLE.len()).any(|w| w == NEEDLE));
    });
    assert_eq!(freed, 0);
}

#[test]
fn json_with_a_token_leaves_no_copy_of_it_behind_however_much_follows() {
    #[derive(Serialize)]
    struct Found {
        token: Secret,
        after: Vec<String>,
    }
    let freed = freed_with_token(|| {
        let found = Found {
            token: Secret::new(TOKEN.to_owned()),
            after: (0..200).map(|i| format!("value {i}")).collect(),
        };
        drop(protocol::json(&found));
    });
    assert_eq!(freed, 0);
}

#[test]
fn a_credential_for_the_store_leaves_no_copy_of_the_token_behind() {
    // Built with no buffer that holds the token and is freed unwiped: the tests run on several
    // threads, and another test may be watching.
    let credential = Credential {
        api_base: ApiBase::parse("http://127.0.0.1:9").unwrap(),
        token: SecretToken::new(TOKEN.to_owned()),
        session: Session {
            id: "s".into(),
            api_base: "http://127.0.0.1:9".into(),
            kind: "choreo-pat".into(),
            masked: "m".into(),
            user_id: "u".into(),
            pat_id: "p".into(),
            organization: Organization {
                id: "1".into(),
                uuid: "o".into(),
                handle: "h".into(),
                name: "n".into(),
            },
            // Long enough that a growing buffer would move with the token in it.
            scopes: vec!["s".repeat(4096)],
            valid_until: None,
            created_at: "2026-01-01T00:00:00Z".into(),
        },
    };
    let freed = freed_with_token(|| {
        let json = credential.to_stored_json();
        assert!(json.contains(TOKEN));
    });
    assert_eq!(freed, 0);
}
