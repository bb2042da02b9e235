//! wasm-bindgen bindings of choreo-auth-core.
