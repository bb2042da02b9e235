//! Scans over whole inputs that the wasm package (built with `simd128`) runs 16 bytes a step:
//! every other build uses std's and the portable loops. In wasm, `usize` is 4 bytes, so std's
//! word-at-a-time loops take 4 bytes a step where a native build takes 8 or 16: for a JWT this
//! module took about 2,500 of 27,200 instructions off `inspectToken` (BENCHMARKS.md).
//! `wasm/src/lib.rs`'s `simd_tests` check the SIMD paths against references: serde_json's reading
//! of the same JSON, and `str::from_utf8`'s verdict and error offset.

/// The bytes as text: `str::from_utf8`, with the all-ASCII case (every token, and the JSON of
/// nearly every JWT) checked 16 bytes a step in the wasm package.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    std::str::from_utf8(bytes)
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[expect(
    unsafe_code,
    reason = "ASCII is UTF-8: after the check, std's validation only repeats it, 4 bytes a step"
)]
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    use core::arch::wasm32::*;
    let chunks = bytes.chunks_exact(16);
    let rest = chunks.remainder();
    // OR-folded: only the sign bits matter.
    let mut high = u8x16_splat(0);
    for chunk in chunks {
        high = v128_or(high, load16(chunk));
    }
    if i8x16_bitmask(high) == 0 && rest.is_ascii() {
        // SAFETY: every byte is below 0x80, and a string of ASCII bytes is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes)
    }
}

/// Where the first `"`, `\` or control character (below 0x20) is, and which it is: the end of a
/// JSON string's plain run.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(crate) fn string_stop(bytes: &[u8]) -> Option<(usize, u8)> {
    // Eight bytes at a time while there is none (as serde_json does), then by table.
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut i = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(word);
        let special = has_zero(x ^ (ONES * u64::from(b'"')))
            | has_zero(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x & HIGH);
        if special != 0 {
            break;
        }
        i += 8;
    }
    tail_stop(bytes, i)
}

/// [`string_stop`], 16 bytes a step, where a chunk's mask gives the position at once.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) fn string_stop(bytes: &[u8]) -> Option<(usize, u8)> {
    use core::arch::wasm32::*;
    let chunks = bytes.chunks_exact(16);
    let tail = bytes.len() - chunks.remainder().len();
    for (i, chunk) in chunks.enumerate() {
        let x = load16(chunk);
        let stops = v128_or(
            v128_or(
                i8x16_eq(x, u8x16_splat(b'"')),
                i8x16_eq(x, u8x16_splat(b'\\')),
            ),
            u8x16_lt(x, u8x16_splat(0x20)),
        );
        let mask = i8x16_bitmask(stops);
        if mask != 0 {
            let at = i * 16 + mask.trailing_zeros() as usize;
            return Some((at, chunk[at % 16]));
        }
    }
    tail_stop(bytes, tail)
}

/// [`string_stop`] from `i` on, a byte at a time.
#[inline(always)]
fn tail_stop(bytes: &[u8], mut i: usize) -> Option<(usize, u8)> {
    const STOPS: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 0x20 {
            table[b] = true;
            b += 1;
        }
        table[b'"' as usize] = true;
        table[b'\\' as usize] = true;
        table
    };
    while let Some(&b) = bytes.get(i) {
        if STOPS[usize::from(b)] {
            return Some((i, b));
        }
        i += 1;
    }
    None
}

/// 16 bytes of a slice of at least 16.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub(crate) fn load16(bytes: &[u8]) -> core::arch::wasm32::v128 {
    let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or_default());
    core::arch::wasm32::u64x2(word(0), word(8))
}
