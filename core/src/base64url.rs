//! base64url without padding, decoded strictly: the alphabet of RFC 4648 §5, no `=`, and zero
//! trailing bits, so each byte string has exactly one encoding (what RFC 7515 §2 asks of a JWS
//! segment). The same rules as the `base64` crate's `URL_SAFE_NO_PAD` engine, checked against it
//! in the tests below. Own code because it is small, one table, and core's only use of base64
//! (the crate's general engine is about as fast here and larger in wasm).

/// A character's 6-bit value, or `BAD`.
const SEXTET: [u8; 256] = {
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
const BAD: u8 = 0xFF;

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
    for (q, group) in text.chunks_exact(4).zip(body.chunks_exact_mut(3)) {
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
