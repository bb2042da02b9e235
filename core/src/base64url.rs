//! base64url without padding, decoded strictly: the alphabet of RFC 4648 §5, no `=`, and zero
//! trailing bits, so each byte string has exactly one encoding (what RFC 7515 §2 asks of a JWS
//! segment). The same rules as the `base64` crate's `URL_SAFE_NO_PAD` engine, checked against it
//! in the tests below. Own code because it is small, one table, and core's only use of base64
//! (the crate's general engine is about as fast here and larger in wasm).
//!
//! In the wasm package (built with `simd128`) decoding runs 16 characters a step over
//! the `chars` module's nibble tables. Every other build uses the portable loop; `tests/simd.rs`,
//! run on wasm32 with simd128 by `wasm/test.sh`, checks the SIMD path against its reference.

use crate::chars::{BAD, SEXTET};

/// Not canonical base64url without padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

/// Appends the bytes `text` encodes to `out`. On error `out` holds some undefined bytes.
pub fn decode_into(text: &[u8], out: &mut Vec<u8>) -> Result<(), Invalid> {
    let tail = text.len() % 4;
    if tail == 1 {
        return Err(Invalid);
    }
    let quads = text.len() / 4;
    let start = out.len();
    out.resize(start + quads * 3 + tail.saturating_sub(1), 0);
    let (body, rest) = out[start..].split_at_mut(quads * 3);
    let s = |c: u8| u32::from(SEXTET[usize::from(c)]);
    // Branch-free over the body: bad characters are collected and judged once at the end.
    let mut seen = 0;
    let done = blocks(&text[..quads * 4], body);
    let (text_done, body_done) = (done.chars, done.chars / 4 * 3);
    if done.bad {
        seen = u32::from(BAD);
    }
    let (text_rest, body_rest) = (&text[text_done..quads * 4], &mut body[body_done..]);
    for (q, group) in text_rest.chunks_exact(4).zip(body_rest.chunks_exact_mut(3)) {
        let (a, b, c, d) = (s(q[0]), s(q[1]), s(q[2]), s(q[3]));
        seen |= a | b | c | d;
        let n = (a << 18) | (b << 12) | (c << 6) | d;
        group[0] = (n >> 16) as u8;
        group[1] = (n >> 8) as u8;
        group[2] = n as u8;
    }
    let last = &text[quads * 4..];
    // The bits past the last whole byte must be zero.
    let spare = match *last {
        [] => 0,
        [a, b] => {
            let n = (s(a) << 18) | (s(b) << 12);
            seen |= s(a) | s(b);
            rest[0] = (n >> 16) as u8;
            n & 0xFFFF
        }
        [a, b, c] => {
            let n = (s(a) << 18) | (s(b) << 12) | (s(c) << 6);
            seen |= s(a) | s(b) | s(c);
            rest[0] = (n >> 16) as u8;
            rest[1] = (n >> 8) as u8;
            n & 0xFF
        }
        _ => unreachable!("a tail of one character was refused above"),
    };
    if seen & 0xC0 != 0 || spare != 0 {
        return Err(Invalid);
    }
    Ok(())
}

/// What [`blocks`] decoded: a multiple of 16 characters, and whether any was not base64url.
struct Blocks {
    chars: usize,
    bad: bool,
}

/// Without wasm's SIMD, the quads are left to the scalar loop.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn blocks(_: &[u8], _: &mut [u8]) -> Blocks {
    Blocks {
        chars: 0,
        bad: false,
    }
}

/// 16 characters into 12 bytes at a time with wasm's 128-bit SIMD (the package is built with
/// `simd128`): a JWT's header and payload are most of what `inspectToken` reads, and this took
/// core's inspection of one from 1.89 to 1.71 µs in wasm (wasm/bench, interleaved runs).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn blocks(text: &[u8], out: &mut [u8]) -> Blocks {
    use crate::chars::nibbles::{self, BASE64URL, HI_OFFSET};
    use core::arch::wasm32::*;
    let mut bad = u8x16_splat(0);
    let mut chars = 0;
    for (chunk, group) in text.chunks_exact(16).zip(out.chunks_exact_mut(12)) {
        let x = nibbles::load(chunk);
        bad = v128_or(bad, nibbles::outside(x, BASE64URL));
        // The sextet is the character plus an offset set by the high nibble, except for `_`.
        let offset = u8x16_swizzle(HI_OFFSET, u8x16_shr(x, 4));
        let offset = v128_bitselect(
            u8x16_splat(32u8.wrapping_neg()),
            offset,
            i8x16_eq(x, u8x16_splat(b'_')),
        );
        let sextets = i8x16_add(x, offset);
        // Pairs of sextets into 12 bits per 16-bit lane, pairs of those into 24 bits per 32-bit
        // lane, then the three bytes of each lane in big-endian order.
        let pairs = v128_or(
            i16x8_shl(v128_and(sextets, u16x8_splat(0x00FF)), 6),
            u16x8_shr(sextets, 8),
        );
        let quads = v128_or(
            i32x4_shl(v128_and(pairs, u32x4_splat(0xFFFF)), 12),
            u32x4_shr(pairs, 16),
        );
        let bytes =
            i8x16_shuffle::<2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 0, 0, 0, 0>(quads, quads);
        group[..8].copy_from_slice(&u64x2_extract_lane::<0>(bytes).to_le_bytes());
        group[8..].copy_from_slice(&u32x4_extract_lane::<2>(bytes).to_le_bytes());
        chars += 16;
    }
    Blocks {
        chars,
        bad: v128_any_true(bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    fn decode(text: &[u8]) -> Result<Vec<u8>, Invalid> {
        let mut out = b"kept".to_vec();
        decode_into(text, &mut out)?;
        assert_eq!(&out[..4], b"kept", "bytes already in the buffer stay");
        Ok(out.split_off(4))
    }

    #[test]
    fn every_length_of_every_byte_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        for n in 0..bytes.len() {
            let text = URL_SAFE_NO_PAD.encode(&bytes[..n]);
            assert_eq!(
                decode(text.as_bytes()),
                Ok(bytes[..n].to_vec()),
                "{n} bytes"
            );
        }
    }

    #[test]
    fn padding_other_alphabets_and_stray_bits_are_refused() {
        for bad in [
            "e30=", "e3==", "e", "e3+/", "ab/c", "a b=", "e31", "e30.", "AB", "ABC",
        ] {
            assert_eq!(decode(bad.as_bytes()), Err(Invalid), "{bad}");
        }
        // The canonical spellings of the last two.
        assert_eq!(decode(b"AA"), Ok(vec![0]));
        assert_eq!(decode(b"AAA"), Ok(vec![0, 0]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// Anything, from base64url-ish text to noise: the base64 crate's verdict and bytes.
        #[test]
        fn agrees_with_the_base64_crate(
            text in prop_oneof![
                "[A-Za-z0-9_-]{0,64}",
                "[A-Za-z0-9_=+/.-]{0,16}",
                proptest::collection::vec(any::<u8>(), 0..24)
                    .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            ]
        ) {
            let want = URL_SAFE_NO_PAD.decode(&text).map_err(|_| Invalid);
            prop_assert_eq!(decode(text.as_bytes()), want);
        }
    }
}
