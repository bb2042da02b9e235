//! The browser-only paths in headless Chromium (wasm-bindgen-test): `fetch` across origins
//! under the reference server's CORS allow-list, and `crypto.getRandomValues`.
//!
//! wasm/test.sh starts the server with `--cors-origin` set to this runner's origin and passes
//! its address as `CHOREO_TEST_API` at build time.
#![cfg(target_arch = "wasm32")]

use choreo_auth_wasm::ChoreoAuth;
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn api() -> &'static str {
    match option_env!("CHOREO_TEST_API") {
        Some(api) => api,
        None => panic!("build with CHOREO_TEST_API set (wasm/test.sh does)"),
    }
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        Reflect::get(&v, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

fn text(value: &JsValue, path: &str) -> String {
    get(value, path).as_string().unwrap_or_default()
}

/// A fresh PAT from the server's admin API, over CORS like every other request here.
async fn mint() -> String {
    let answer = gloo_net::http::Request::post(&format!("{}/admin/pats", api()))
        .header("Content-Type", "application/json")
        .body(r#"{"org":"acme","scopes":["apim:api_view"]}"#)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let minted: serde_json::Value = answer.json().await.unwrap();
    minted["token"].as_str().unwrap().to_owned()
}

fn client() -> ChoreoAuth {
    let options = Object::new();
    Reflect::set(&options, &"apiBase".into(), &api().into()).unwrap();
    ChoreoAuth::new(Some(options.unchecked_into())).unwrap()
}

#[wasm_bindgen_test]
async fn a_cross_origin_login_goes_through_fetch_and_the_cors_allow_list() {
    let token = mint().await;
    let auth = client();
    let result =
        JsFuture::from(auth.login_with_token(JsValue::from(token.clone()).unchecked_into()))
            .await
            .unwrap();
    assert_eq!(text(&result, "session.organization.handle"), "acme");
    assert_eq!(text(&result, "session.kind"), "choreo-pat");
    assert_eq!(text(&result, "session.apiBase"), api());
    let status = JsFuture::from(auth.status(None)).await.unwrap();
    assert_eq!(
        text(&status, "session.userId"),
        text(&result, "session.userId")
    );
    JsFuture::from(auth.logout(None)).await.unwrap();
}

#[wasm_bindgen_test]
async fn session_ids_come_from_the_browser_crypto_and_differ() {
    let token = mint().await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let result = JsFuture::from(
            client().login_with_token(JsValue::from(token.clone()).unchecked_into()),
        )
        .await
        .unwrap();
        ids.push(text(&result, "session.id"));
    }
    for id in &ids {
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    assert_ne!(ids[0], ids[1]);
}

#[wasm_bindgen_test]
async fn the_bearer_challenge_is_readable_across_origins() {
    // The detail comes from WWW-Authenticate, which the server exposes to allowed origins.
    let token = "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox";
    let error = JsFuture::from(client().login_with_token(JsValue::from(token).unchecked_into()))
        .await
        .unwrap_err();
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(text(&error, "code"), "unauthorized");
    let message = String::from(error.unchecked_ref::<js_sys::Error>().message());
    assert!(
        message.ends_with("(invalid_token: the access token is not recognised)"),
        "{message}"
    );
}
