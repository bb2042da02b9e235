//! Core's scans 16 bytes a step (`chars`, `base64url`, `jwt`, `json`, `intake`) against plain
//! references, over generated inputs that put every kind of byte at every place of a chunk.
//!
//! Built for wasm32 with simd128, as the npm package is (`wasm/build.sh`), these check the SIMD
//! paths, which exist only in that build: `wasm/test.sh` runs this file under wasm-bindgen-test
//! in Node. Everywhere else they check the portable twins (`cargo test -p choreo-auth-core`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use choreo_auth_core::base64url::decode_into;
use choreo_auth_core::jwt::segments;
// On wasm32 the tests run under wasm-bindgen-test-runner, which runs only its own tests.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn xorshift() -> impl FnMut() -> u64 {
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// How many generated cases went each way, so that a test shows it tried both.
#[derive(Default)]
struct Tally(u32, u32);

impl Tally {
    fn add(&mut self, first: bool) {
        if first { self.0 += 1 } else { self.1 += 1 }
    }

    fn at_least(&self, first: (&str, u32), second: (&str, u32)) {
        let Tally(a, b) = *self;
        assert!(
            a > first.1 && b > second.1,
            "{a} {}, {b} {}",
            first.0,
            second.0
        );
    }
}

/// The rule `segments` implements, written the plain way.
fn three_parts(token: &str) -> Option<(&str, &str, &str)> {
    let parts: Vec<&str> = token.split('.').collect();
    let url = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    match parts[..] {
        [h, p, s] if !h.is_empty() && !p.is_empty() && [h, p, s].into_iter().all(url) => {
            Some((h, p, s))
        }
        _ => None,
    }
}

#[test]
fn intake_checks_b64token_characters_16_at_a_time_as_the_plain_rule() {
    let mut next = xorshift();
    let body = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
    let odd = b"=!#$%&*,:;<>?@[]^`{|}\x7f\x80\xc3\xa9";
    // RFC 6750: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    let b64token = |t: &[u8]| {
        let n = t.iter().take_while(|b| body.contains(b)).count();
        n > 0 && t[n..].iter().all(|&b| b == b'=')
    };
    let mut tally = Tally::default();
    for case in 0..20_000 {
        let len = 1 + (next() % 80) as usize;
        let mut input: Vec<u8> = (0..len)
            .map(|_| body[(next() % body.len() as u64) as usize])
            .collect();
        match case % 4 {
            0 => {}
            1 => input.extend(std::iter::repeat_n(b'=', (next() % 3) as usize)),
            _ => input[(next() % len as u64) as usize] = odd[(next() % odd.len() as u64) as usize],
        }
        let got = choreo_auth_core::intake::read_token(&input).token.is_some();
        assert_eq!(
            got,
            b64token(&input),
            "{:?}",
            String::from_utf8_lossy(&input)
        );
        tally.add(got);
    }
    tally.at_least(("tokens", 8_000), ("refused", 5_000));
}

#[test]
fn jwt_segments_found_16_bytes_at_a_time_are_the_plain_rule() {
    let mut next = xorshift();
    let pick = |n: u64, set: &[u8]| set[(n % set.len() as u64) as usize];
    let url = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut tally = Tally::default();
    for case in 0..20_000 {
        let len = (next() % 90) as usize;
        let mut token: Vec<u8> = (0..len).map(|_| pick(next(), url)).collect();
        // Dots at random places (0 to 4 of them), and now and then a byte outside the set.
        for _ in 0..(case % 5) {
            if len > 0 {
                token[(next() % len as u64) as usize] = b'.';
            }
        }
        if case % 7 == 0 && len > 0 {
            token[(next() % len as u64) as usize] = pick(next(), b"+/=~ \x7f@[`{");
        }
        let token = String::from_utf8(token).unwrap();
        let want = three_parts(&token);
        assert_eq!(segments(&token), want, "{token}");
        tally.add(want.is_some());
    }
    tally.at_least(("compact JWS", 2_000), ("not", 5_000));
}

#[test]
fn json_read_16_bytes_at_a_time_agrees_with_serde_json_on_strings_and_utf8() {
    // Strings of every length around a chunk's 16 bytes, with the bytes that end a plain
    // run (quote, backslash, control characters), escapes, ASCII's edges, UTF-8 of two to
    // four bytes and invalid UTF-8, at every place of a chunk; inside a key and a value.
    const PIECES: &[&[u8]] = &[
        b"a",
        b"Z",
        b" ",
        b"~",
        b"\x7f",
        b"\"",
        b"\\",
        b"\\\"",
        b"\\n",
        b"\\u00e9",
        b"\\ud83d\\ude00",
        b"\x00",
        b"\x1f",
        b"\t",
        b"\n",
        "\u{e9}".as_bytes(),
        "\u{20ac}".as_bytes(),
        "\u{1f600}".as_bytes(),
        b"\x80",
        b"\xc3",
        b"\xff",
        b"\xed\xa0\x80",
    ];
    let mut next = xorshift();
    let mut tally = Tally::default();
    for case in 0..20_000 {
        let mut string = Vec::new();
        let len = next() % 40;
        for _ in 0..len {
            // Mostly plain letters, so runs cross whole chunks.
            if next().is_multiple_of(4) {
                string.extend_from_slice(PIECES[(next() % PIECES.len() as u64) as usize]);
            } else {
                string.push(b'a' + (next() % 26) as u8);
            }
        }
        let mut doc = Vec::new();
        doc.extend_from_slice(b"{\"");
        if case % 2 == 0 {
            doc.extend_from_slice(&string);
            doc.extend_from_slice(b"\":1}");
        } else {
            doc.extend_from_slice(b"k\":\"");
            doc.extend_from_slice(&string);
            doc.extend_from_slice(b"\"}");
        }
        let want = serde_json::from_slice::<serde_json::Value>(&doc).ok();
        let got = choreo_auth_core::json::from_slice::<serde_json::Value>(&doc).ok();
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&doc));
        tally.add(want.is_some());
    }
    tally.at_least(("read", 3_000), ("refused", 5_000));
}

#[test]
fn intake_finds_invalid_utf8_at_the_byte_std_does_after_a_16_byte_ascii_check() {
    let mut next = xorshift();
    let mut tally = Tally::default();
    for case in 0..20_000 {
        let len = 1 + (next() % 70) as usize;
        let mut input: Vec<u8> = (0..len).map(|_| b'A' + (next() % 26) as u8).collect();
        let at = (next() % len as u64) as usize;
        match case % 4 {
            0 => {}
            1 => input[at] = 0x80 | next() as u8,
            2 => input.splice(at..at, "\u{e9}".bytes()).for_each(drop),
            _ => input.splice(at..at, *b"\n x").for_each(drop),
        }
        let read = choreo_auth_core::intake::read_token(&input);
        let want = match std::str::from_utf8(&input) {
            Ok(_) => None,
            Err(e) => Some(format!(
                "input is not valid utf-8 (bad byte at offset {})",
                e.valid_up_to()
            )),
        };
        let got = read
            .problems
            .iter()
            .find(|p| p.code == choreo_auth_core::problem::Code::InvalidUtf8)
            .map(|p| p.message.to_string());
        assert_eq!(got, want, "{input:?}");
        if want.is_some() || read.token.is_some() {
            tally.add(want.is_some());
        }
    }
    tally.at_least(("invalid", 3_000), ("clean", 4_000));
}

#[test]
fn base64url_decoding_in_16_character_blocks_agrees_with_the_base64_crate() {
    // Every kind of character at every place of a block: the alphabet's edges, the
    // characters just outside them, padding, the standard alphabet's `+/`, non-ASCII.
    const CHARS: &[u8] = b"AZaz09-_@[`{/:,.+=~\x20\x7f\x80\xff";
    let mut next = xorshift();
    let mut tally = Tally::default();
    for case in 0..20_000 {
        let bytes: Vec<u8> = (0..next() % 64).map(|_| next() as u8).collect();
        let mut text = URL_SAFE_NO_PAD.encode(&bytes).into_bytes();
        // Half the cases are canonical; the rest get one odd byte, or lose their last one.
        if case % 2 == 1 && !text.is_empty() {
            let at = (next() % text.len() as u64) as usize;
            match next() % 4 {
                0 => drop(text.pop()),
                _ => text[at] = CHARS[(next() % CHARS.len() as u64) as usize],
            }
        }
        let want = URL_SAFE_NO_PAD.decode(&text).ok();
        let mut got = Vec::new();
        let got = decode_into(&text, &mut got).ok().map(|()| got);
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&text));
        tally.add(want.is_some());
    }
    tally.at_least(("accepted", 10_000), ("refused", 5_000));
}
