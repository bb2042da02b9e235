//! The only unsafe code: raw buffers crossing the module boundary, the exported symbols and the
//! imported host functions. Everything else works on owned `Vec<u8>`s.
// A plain wasm ABI is pointers and lengths: reading a buffer the host filled, exporting
// unmangled symbols and calling imports all need `unsafe`. It is kept to the few lines below.
#![allow(unsafe_code)]

use choreo_auth_core::vectors::block_on_ready;
use zeroize::Zeroizing;

/// Allocates `len` zeroed bytes for the caller to fill.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    Box::into_raw(vec![0u8; len].into_boxed_slice()).cast::<u8>()
}

/// Frees a buffer from [`alloc`] or a result, zeroing it first (it may hold a token).
#[unsafe(no_mangle)]
pub extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    drop(take(ptr, len));
}

/// Takes ownership of a buffer made by [`alloc`]; zeroed when dropped.
fn take(ptr: *mut u8, len: usize) -> Zeroizing<Vec<u8>> {
    // SAFETY: by the ABI, (ptr, len) came from `alloc(len)` (a boxed slice of exactly `len`
    // bytes) and its owner handed it over, so nobody else frees it.
    let boxed = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) };
    Zeroizing::new(boxed.into_vec())
}

/// Hands a buffer to the host as `ptr << 32 | len`; the host frees it with [`dealloc`]. The
/// host gets an exact-size copy, and `bytes` are zeroed: shrinking them in place could free the
/// part cut off, or move them, with a token in it.
fn give(bytes: Vec<u8>) -> u64 {
    let bytes = Zeroizing::new(bytes);
    let len = bytes.len();
    let ptr = Box::into_raw(Box::<[u8]>::from(&bytes[..])).cast::<u8>();
    ((ptr as usize as u64) << 32) | len as u64
}

/// Takes ownership of a packed buffer the host returned; `None` if it returned none (0).
fn take_packed(packed: u64) -> Option<Zeroizing<Vec<u8>>> {
    let ptr = (packed >> 32) as usize as *mut u8;
    let len = (packed & 0xffff_ffff) as usize;
    (!ptr.is_null()).then(|| take(ptr, len))
}

/// The protocol's one entry point: a request (JSON) in, its answer (JSON) out. The imports
/// are synchronous, so the operation's future is ready on its first poll.
#[unsafe(no_mangle)]
pub extern "C" fn call(ptr: *mut u8, len: usize) -> u64 {
    let request = take(ptr, len);
    let answer = block_on_ready(crate::ops::call(&crate::host::HOST, &request, None));
    give(answer)
}

/// Test support outside the protocol: a `tests/vectors` vector → `{"output": "..."}` or
/// `{"error": "..."}`; `output` is byte for byte what `vectors::run` gives natively.
#[unsafe(no_mangle)]
pub extern "C" fn run_vector(ptr: *mut u8, len: usize) -> u64 {
    give(crate::host::run_vector(&take(ptr, len)))
}

mod imports {
    #[link(wasm_import_module = "host")]
    unsafe extern "C" {
        pub fn http_send(req_ptr: *const u8, req_len: usize) -> u64;
        pub fn now_unix_ms() -> i64;
        pub fn random_fill(ptr: *mut u8, len: usize) -> i32;
        pub fn store_load(key_ptr: *const u8, key_len: usize) -> u64;
        pub fn store_save(
            key_ptr: *const u8,
            key_len: usize,
            value_ptr: *const u8,
            value_len: usize,
        ) -> u64;
        pub fn store_delete(key_ptr: *const u8, key_len: usize) -> u64;
    }
}

// SAFETY (all wrappers below): the host only reads the buffers it is given for the duration
// of the call, writes only within `dest`, and returns 0 or a buffer made with `alloc`.

/// Sends an HTTP request (JSON); the host's answer (JSON), if any.
pub fn http_send(request: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    take_packed(unsafe { imports::http_send(request.as_ptr(), request.len()) })
}

pub fn now_unix_ms() -> i64 {
    unsafe { imports::now_unix_ms() }
}

/// Fills `dest` with secure random bytes; false if the host could not.
pub fn random_fill(dest: &mut [u8]) -> bool {
    unsafe { imports::random_fill(dest.as_mut_ptr(), dest.len()) == 0 }
}

pub fn store_load(key: &str) -> Option<Zeroizing<Vec<u8>>> {
    take_packed(unsafe { imports::store_load(key.as_ptr(), key.len()) })
}

pub fn store_save(key: &str, value: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    take_packed(unsafe {
        imports::store_save(key.as_ptr(), key.len(), value.as_ptr(), value.len())
    })
}

pub fn store_delete(key: &str) -> Option<Zeroizing<Vec<u8>>> {
    take_packed(unsafe { imports::store_delete(key.as_ptr(), key.len()) })
}
