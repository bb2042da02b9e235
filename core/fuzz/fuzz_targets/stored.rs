//! A stored credential from arbitrary text: never a panic; what is read back is cleaned like an
//! API answer (an older version stored what the API said as it said it), and an array is never
//! read as a credential or a session.
#![no_main]

use choreo_auth_core::Credential;
use choreo_auth_core::untrusted::is_unsafe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(credential) = Credential::from_stored_json(text) {
        assert!(text.trim_start().starts_with('{'), "{text:?}");
        let s = &credential.session;
        for field in [&s.id, &s.kind, &s.masked, &s.user_id, &s.pat_id, &s.organization.handle, &s.organization.name] {
            assert!(!field.chars().any(is_unsafe), "{field:?}");
        }
        assert!(!s.scopes.iter().any(|x| x.chars().any(is_unsafe)));
        // What is read back can be stored and read again.
        assert!(Credential::from_stored_json(&credential.to_stored_json()).is_some());
    }
});
