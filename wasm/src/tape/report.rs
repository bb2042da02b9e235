//! Core's report in a layout of its own, which `boundary.js`'s `fromReport` reads field by field.
//!
//! The report is all `inspectToken` returns, and the generic tape spent half its crossing on what
//! this layout leaves out: serde's calls per value, keys and shapes to look up, and in JavaScript
//! a `switch` per value and a shared cursor. Every string and number takes three words, so
//! `fromReport` finds each field at an offset it computes in a local variable. The value is
//! still the one serde_json gives: the Node tests compare the two on every vector, and a tape
//! test on reports no vector makes (BENCHMARKS.md has the figures).
//!
//! `S` is a string, `S?` a string or null, `N?` a number or null, `[x]` a count then that many
//! `x`; a flag is `TRUE` or `FALSE`:
//!
//! ```text
//! report:  ok:flag kind:S? label:S? masked:S? length:N? checksum:S jwt:(NULL | OBJECT claims)
//!          [problem]
//! claims:  alg:S typ:S? iss:S? sub:S? [aud:S] exp:N? nbf:N? iat:N? [scope:S]
//! problem: code:S severity:S message:S
//! S:       NULL 0 0 | ASCII start end | STATIC address length | WIDE at length
//! N:       NULL 0 0 | INT value 0 | NUMBER lo hi
//! ```
//!
//! `ASCII` is a byte range of the pool, `WIDE` a range of UTF-16 units in the wide buffer.
//! `INT` holds an `i32` (as its bits): JavaScript reads it without going through an `f64`.
//! Two kinds of string skip the copy into the pool. A `&'static str` (codes, names, most labels
//! and messages) crosses as its address and UTF-8 length: it never changes, so `boundary.js`
//! decodes it once and keeps it. The claims, all slices of one buffer, are that buffer copied once.
//!
//! The destructuring below stops compiling when a field is added to `Report` or `Problem`.

use super::{ASCII, FALSE, INT, NULL, NUMBER, OBJECT, STATIC, TRUE, Tape, WIDE};
use choreo_auth_core::jwt::JwtClaims;
use choreo_auth_core::{Problem, Report};
use std::borrow::Cow;

impl Tape {
    pub(super) fn report(&mut self, report: &Report) {
        let Report {
            ok,
            kind,
            label,
            masked,
            length,
            checksum,
            jwt,
            problems,
        } = report;
        self.words.push(if *ok { TRUE } else { FALSE });
        self.opt_cow(kind.as_ref());
        self.opt_cow(label.as_ref());
        match masked {
            Some(masked) => self.text(masked),
            None => self.null(),
        }
        self.opt_number(length.map(|n| n as i64));
        self.static_text(checksum.as_str());
        match jwt {
            None => self.words.push(NULL),
            Some(claims) => {
                self.words.push(OBJECT);
                self.claims(claims);
            }
        }
        self.words.push(problems.len() as u32);
        for Problem {
            code,
            severity,
            message,
        } in problems
        {
            self.static_text(code.as_str());
            self.static_text(severity.as_str());
            self.cow(message);
        }
    }

    fn claims(&mut self, claims: &JwtClaims) {
        let buffer = claims.buffer();
        // Offsets in the pool are offsets in the buffer plus `base`, for ASCII claims; any other
        // string is written as usual (a claim with a non-ASCII character, so rare).
        let base = ascii(buffer.as_bytes()).then(|| {
            let base = self.ascii.len();
            self.ascii.extend_from_slice(buffer.as_bytes());
            base
        });
        let claim = |tape: &mut Tape, s: &str| {
            // Core promises the slices; a string from elsewhere would still cross, copied.
            let offset = (s.as_ptr() as usize).wrapping_sub(buffer.as_ptr() as usize);
            match base {
                Some(base)
                    if offset
                        .checked_add(s.len())
                        .is_some_and(|end| end <= buffer.len()) =>
                {
                    let start = (base + offset) as u32;
                    tape.words.extend([ASCII, start, start + s.len() as u32]);
                }
                _ => tape.text(s),
            }
        };
        claim(self, claims.alg());
        for s in [claims.typ(), claims.iss(), claims.sub()] {
            match s {
                Some(s) => claim(self, s),
                None => self.null(),
            }
        }
        let aud = claims.aud();
        self.words.push(aud.len() as u32);
        aud.for_each(|s| claim(self, s));
        for n in [claims.exp, claims.nbf, claims.iat] {
            self.opt_number(n);
        }
        let scopes = claims.scopes();
        self.words.push(scopes.len() as u32);
        scopes.for_each(|s| claim(self, s));
    }

    fn null(&mut self) {
        self.words.extend([NULL, 0, 0]);
    }

    fn text(&mut self, s: &str) {
        if ascii(s.as_bytes()) {
            let start = self.ascii.len() as u32;
            self.ascii.extend_from_slice(s.as_bytes());
            self.words.extend([ASCII, start, self.ascii.len() as u32]);
        } else {
            let start = self.wide.len() as u32;
            self.wide.extend(s.encode_utf16());
            self.words
                .extend([WIDE, start, self.wide.len() as u32 - start]);
        }
    }

    fn static_text(&mut self, s: &'static str) {
        self.words
            .extend([STATIC, s.as_ptr() as u32, s.len() as u32]);
    }

    #[expect(
        clippy::ptr_arg,
        reason = "whether it borrows a `&'static str` is the point"
    )]
    fn cow(&mut self, s: &Cow<'static, str>) {
        match s {
            Cow::Borrowed(s) => self.static_text(s),
            Cow::Owned(s) => self.text(s),
        }
    }

    fn opt_cow(&mut self, s: Option<&Cow<'static, str>>) {
        match s {
            Some(s) => self.cow(s),
            None => self.null(),
        }
    }

    fn opt_number(&mut self, n: Option<i64>) {
        match n {
            Some(n) => match i32::try_from(n) {
                Ok(n) => self.words.extend([INT, n as u32, 0]),
                // Beyond 2^53 a JavaScript number rounds, exactly as `JSON.parse` rounds the digits.
                Err(_) => {
                    let bits = (n as f64).to_bits();
                    self.words
                        .extend([NUMBER, bits as u32, (bits >> 32) as u32]);
                }
            },
            None => self.null(),
        }
    }
}

/// `is_ascii` without an early exit, so simd128 takes 16 bytes a step: `str::is_ascii` goes a
/// 4-byte word at a time on wasm32, 600 instructions for a JWT's claims against 80.
fn ascii(bytes: &[u8]) -> bool {
    bytes.iter().fold(0, |all, &b| all | b) < 0x80
}
