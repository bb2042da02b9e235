//! JWT decoding on JWT-shaped input built from arbitrary header and payload bytes.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len().saturating_sub(1));
    let (header, payload) = data.get(1..).unwrap_or_default().split_at(split.min(data.len().saturating_sub(1)));
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let token = format!("{}.{}.sig", b64.encode(header), b64.encode(payload));
    let _ = choreo_auth_core::jwt::decode_claims(&token);
    let report = choreo_auth_core::inspect(token.as_bytes(), 1_800_000_000);
    assert_eq!(report.ok, report.first_error().is_none());
});
