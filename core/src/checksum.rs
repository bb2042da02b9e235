//! The CRC-32 + base62 checksum shared by GitHub classic, npm and Choreo reference PATs.
//!
//! Layout: `prefix` + 30 base62 characters + 6 base62 characters encoding the CRC-32 (IEEE, as
//! zlib computes it) of those 30 characters, alphabet `0-9A-Za-z`, left-padded with `0`.

/// Characters of the random body before the checksum.
pub const BODY_LEN: usize = 30;
/// Characters of the encoded checksum.
pub const CHECKSUM_LEN: usize = 6;
/// The base62 alphabet, in the order the checksum encoding uses.
pub const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE 802.3, reflected, as zlib's `crc32`).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// The 6-character base62 encoding of `crc32(body)`.
pub fn encode(body: &[u8]) -> [u8; CHECKSUM_LEN] {
    let mut n = crc32(body);
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// Whether `rest` (the token after its prefix) is 30 base62 characters followed by their
/// checksum.
pub fn verify(rest: &str) -> bool {
    let rest = rest.as_bytes();
    if rest.len() != BODY_LEN + CHECKSUM_LEN || !rest.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (body, sum) = rest.split_at(BODY_LEN);
    encode(body) == sum
}

/// Builds `prefix` + body + checksum from 30 random bytes, each reduced to base62.
///
/// Hosts that mint tokens (the reference server) bring the randomness; the modulo bias of
/// `b % 62` is irrelevant for test tokens but rejection sampling keeps it uniform anyway.
pub fn mint(prefix: &str, random: impl FnMut() -> u8) -> String {
    let mut random = random;
    let mut body = [0u8; BODY_LEN];
    for slot in &mut body {
        let b = loop {
            let b = random();
            // 248 = 4 * 62: values above it would favour the first characters.
            if b < 248 {
                break b;
            }
        };
        *slot = BASE62[usize::from(b % 62)];
    }
    let sum = encode(&body);
    let mut out = String::with_capacity(prefix.len() + BODY_LEN + CHECKSUM_LEN);
    out.push_str(prefix);
    out.extend(body.iter().chain(sum.iter()).map(|&b| char::from(b)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_zlib_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn known_github_sample_verifies() {
        // 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, checksum `11T4V4`.
        assert_eq!(&encode(b"M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq"), b"11T4V4");
        assert!(verify("M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V4"));
    }

    #[test]
    fn one_changed_character_fails() {
        assert!(!verify("M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuQ11T4V4"));
        assert!(!verify("M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V"));
    }

    #[test]
    fn minted_tokens_verify() {
        let mut n = 0u8;
        let token = mint("chp_", || {
            n = n.wrapping_add(97);
            n
        });
        assert!(token.starts_with("chp_"));
        assert_eq!(token.len(), 4 + 36);
        assert!(verify(&token[4..]));
    }
}
