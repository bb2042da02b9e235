//! The host protocol, version 1: core behind one JSON-in/JSON-out entry point, as a plain
//! WebAssembly module (no wasm-bindgen, no JavaScript glue, no WASI). Any runtime that can call
//! exports and supply six imports runs it: wasmtime in Rust (`tests/`) and in Python
//! (`python/choreo_auth`). `PROTOCOL.md` beside this crate is the specification; the types of
//! [`protocol`] are its messages and `tests/protocol.rs` runs its examples.
//!
//! Build: `cargo build -p choreo-auth-abi --target wasm32-unknown-unknown --release`, giving
//! `target/wasm32-unknown-unknown/release/choreo_auth_abi.wasm`. The exports and imports exist
//! on wasm32 with feature `module` (a default) only; [`protocol`] and [`ops`] build everywhere,
//! and a crate that links them into its own module, with its own host, depends on this one
//! with `default-features = false`. Accounts are core's
//! ([`choreo_auth_core::kv`]): the host's store holds what the npm package's storage holds.

pub mod ops;
pub mod protocol;

#[cfg(all(target_arch = "wasm32", feature = "module"))]
mod abi;
#[cfg(all(target_arch = "wasm32", feature = "module"))]
mod host;
