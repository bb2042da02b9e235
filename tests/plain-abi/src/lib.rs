//! The core as a plain WebAssembly module: no wasm-bindgen, no JavaScript glue, no WASI. Any
//! runtime that can call exports and supply a few imports runs it (the parity tests use
//! wasmtime). Build: `cargo build -p choreo-auth-plain-abi --target wasm32-unknown-unknown
//! --release`. On other targets this crate is empty.
//!
//! # ABI
//!
//! Buffers live in the module's memory and are allocated with its `alloc`. A buffer handed to
//! a call changes owner; results come back as one `u64`, `ptr << 32 | len`.
//!
//! Exports:
//! - `alloc(len) -> ptr` and `dealloc(ptr, len)` (which zeroes the buffer first).
//! - `run_vector(ptr, len) -> u64`: a `tests/vectors` vector → `{"output": "..."}` or
//!   `{"error": "..."}`; `output` is byte for byte what `vectors::run` gives natively.
//! - `login(ptr, len) -> u64`: `{"apiBase", "input" | "inputBase64", "requiredScopes"?,
//!   "timeoutMs"?}`.
//! - `status(ptr, len) -> u64`: `{"apiBase", "requiredScopes"?, "timeoutMs"?, "online"?}`.
//! - `logout(ptr, len) -> u64`: `{"apiBase"}`.
//!
//!   These three answer `{"ok", "code", "message", "session", "problems", ...}`.
//!
//! The input buffer of an export is owned (and freed) by the module; the result is owned by
//! the caller, who frees it with `dealloc`.
//!
//! Imports (module `host`), all synchronous:
//! - `http_send(ptr, len) -> u64`: `{"method", "url", "authorization", "body", "timeoutMs"}`
//!   → `{"status", "headers": [[name, value]], "body" | "bodyBase64", "truncated"?}` (the host
//!   never follows a redirect, gives up after `timeoutMs` and stops reading past 1 MiB), or
//!   `{"failure": "timeout" | "connect" | "redirect-refused" | "failed", "error": "..."}`.
//! - `now_unix_ms() -> i64`; `random_fill(ptr, len) -> i32` (0 on success).
//! - `store_load(key_ptr, key_len) -> u64`, `store_delete(key_ptr, key_len) -> u64`,
//!   `store_save(key_ptr, key_len, value_ptr, value_len) -> u64`: the key is the API base;
//!   the answer is `{"credential": "<stored json>" | null}` or
//!   `{"error": "unavailable" | "corrupt" | "failed", "message": "..."}`.
//!
//! The buffer an import reads stays the module's; the answer it returns is allocated with
//! the module's `alloc` and becomes the module's.
//!
//! The token crosses the boundary only inside `authorization` (the header value) and inside
//! the stored credential, which is what a store is for.

#[cfg(target_arch = "wasm32")]
mod abi;
#[cfg(target_arch = "wasm32")]
mod adapters;
#[cfg(target_arch = "wasm32")]
mod ops;
