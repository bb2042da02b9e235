//! Character classes (letters, RFC 6750's b64token, base64url's alphabet) and the scans over
//! whole inputs that use them. A leaf module: intake, base64url, jwt and json read from it and
//! it reads from none of them.
//!
//! The wasm package (built with `simd128`) runs the scans 16 bytes a step; every other build
//! uses std's and the portable loops. In wasm, `usize` is 4 bytes, so std's word-at-a-time loops
//! take 4 bytes a step where a native build takes 8 or 16: for a JWT these scans took about 2,500
//! of 27,200 instructions off `inspectToken` (BENCHMARKS.md). `tests/simd.rs`, run on wasm32
//! with simd128 by `wasm/test.sh`, checks the SIMD paths against references: serde_json's
//! reading of the same JSON, the base64 crate's decoding, the plain split of a JWS, and
//! `str::from_utf8`'s verdict and error offset.

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

/// `A-Za-z` without branches: setting bit 5 folds `A-Z` onto `a-z`, and nothing else onto them.
#[inline(always)]
pub(crate) const fn is_letter(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26
}

/// A b64token character before the `=` padding. Few comparisons, because this runs over every
/// byte of a token: `-./0-9` are one range (0x2D to 0x39).
#[inline(always)]
pub(crate) const fn is_body_byte(b: u8) -> bool {
    is_letter(b) | (b.wrapping_sub(b'-') < 13) | (b == b'_') | (b == b'~') | (b == b'+')
}

/// A character's 6-bit value, or `BAD`.
pub(crate) const SEXTET: [u8; 256] = {
    let mut table = [BAD; 256];
    let mut c = 0;
    while c < 64 {
        let ch = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[c];
        table[ch as usize] = c as u8;
        c += 1;
    }
    table
};
/// Any value with bit 6 or 7 set is not a sextet.
pub(crate) const BAD: u8 = 0xFF;

/// Whether every byte is a b64token character: branch-free, so it vectorises.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(crate) fn all_b64token_body(token: &[u8]) -> bool {
    token
        .iter()
        .fold(0u8, |acc, &b| acc | u8::from(!is_body_byte(b)))
        == 0
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) mod nibbles {
    use core::arch::wasm32::*;

    // Validity by nibbles (Muła and Lemire's method): a byte is in a class exactly when the set
    // of high nibbles its low nibble is invalid with misses its own high nibble's bit.

    /// High nibbles 2 to 7 each have a bit; any other is invalid whatever the low nibble (every
    /// class below is printable ASCII).
    pub const HI_CLASS: v128 = u8x16(
        0xFF, 0xFF, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, //
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    );

    /// The bytes each table describes.
    #[derive(Clone, Copy)]
    pub enum Class {
        Base64url,
        /// base64url and `.`: the bytes of a compact JWS.
        Jws,
        /// RFC 6750's b64token characters before the padding: base64url's and `.~+/`.
        B64tokenBody,
    }

    const fn admits(class: Class, b: u8) -> bool {
        let url = super::SEXTET[b as usize] != super::BAD;
        match class {
            Class::Base64url => url,
            Class::Jws => url || b == b'.',
            Class::B64tokenBody => super::is_body_byte(b),
        }
    }

    /// Per low nibble, the high nibbles (2 to 7) it is invalid with. Bit 6 is always set, so a
    /// high nibble outside 2 to 7 (all bits) fails with any low nibble.
    pub const fn invalid(class: Class) -> v128 {
        let mut t = [0x40u8; 16];
        let mut lo = 0;
        while lo < 16 {
            let mut hi = 2;
            while hi < 8 {
                if !admits(class, (hi << 4 | lo) as u8) {
                    t[lo] |= 1 << (hi - 2);
                }
                hi += 1;
            }
            let mut other = 0;
            while other < 16 {
                assert!(other >= 2 && other < 8 || !admits(class, (other << 4 | lo) as u8));
                other += 1;
            }
            lo += 1;
        }
        u8x16(
            t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11], t[12], t[13],
            t[14], t[15],
        )
    }

    pub const BASE64URL: v128 = invalid(Class::Base64url);
    pub const JWS: v128 = invalid(Class::Jws);
    pub const B64TOKEN_BODY: v128 = invalid(Class::B64tokenBody);
    /// Added to a character of each high nibble to make its sextet (`_` is set apart).
    pub const HI_OFFSET: v128 = i8x16(0, 0, 17, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);

    /// Bytes outside the class an [`invalid`] table describes, as non-zero lanes.
    pub fn outside(x: v128, lo_invalid: v128) -> v128 {
        let lo = v128_and(x, u8x16_splat(0x0F));
        v128_and(
            u8x16_swizzle(lo_invalid, lo),
            u8x16_swizzle(HI_CLASS, u8x16_shr(x, 4)),
        )
    }

    pub(crate) use super::load16 as load;
}

/// Whether every byte is a b64token character (intake's check of every token), 16 at a time.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) fn all_b64token_body(text: &[u8]) -> bool {
    use core::arch::wasm32::*;
    let chunks = text.chunks_exact(16);
    let rest = chunks.remainder();
    let mut bad = u8x16_splat(0);
    for chunk in chunks {
        bad = v128_or(
            bad,
            nibbles::outside(nibbles::load(chunk), nibbles::B64TOKEN_BODY),
        );
    }
    !v128_any_true(bad) && rest.iter().all(|&b| is_body_byte(b))
}

/// Where the two dots of a compact JWS are: `Some` when the text has exactly two and every other
/// byte is base64url. One SIMD pass that finds the dots while it checks the bytes.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) fn jws_dots(text: &[u8]) -> Option<(usize, usize)> {
    use core::arch::wasm32::*;
    let mut bad = u8x16_splat(0);
    let (mut dots, mut found) = (0, [0; 2]);
    let mut note = |at: usize| {
        if dots < 2 {
            found[dots] = at;
        }
        dots += 1;
    };
    let chunks = text.chunks_exact(16);
    let rest = chunks.remainder();
    for (i, chunk) in chunks.enumerate() {
        let x = nibbles::load(chunk);
        bad = v128_or(bad, nibbles::outside(x, nibbles::JWS));
        let mut mask = i8x16_bitmask(i8x16_eq(x, u8x16_splat(b'.')));
        while mask != 0 {
            note(i * 16 + mask.trailing_zeros() as usize);
            mask &= mask - 1;
        }
    }
    let base = text.len() - rest.len();
    let mut odd = false;
    for (i, &b) in rest.iter().enumerate() {
        if b == b'.' {
            note(base + i);
        } else {
            odd |= SEXTET[usize::from(b)] == BAD;
        }
    }
    (dots == 2 && !odd && !v128_any_true(bad)).then_some((found[0], found[1]))
}
