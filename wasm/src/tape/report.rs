//! Core's report in a layout of its own, which `boundary.js`'s `fromReport` reads field by field.
//!
//! `inspectToken` returns nothing else, and the generic tape spent half its crossing on what this
//! layout leaves out: serde's calls per value, a type word per value, shapes to look up, and a
//! `switch` per value in JavaScript (the JWT report: tape write and read 1.1 -> 0.5 µs, wasm/bench).
//! The value is still the one serde_json gives: the Node tests compare the two on every vector.
//!
//! `S` is a string (`ASCII start end`, `WIDE n unit*n` or `STATIC address length`), `S?` is
//! that or `NULL`, `N?` is `NUMBER lo hi` or `NULL`, and `[x]` is a count then that many `x`:
//!
//! ```text
//! report:  ok kind:S? label:S? masked:S? length:N? checksum:S jwt:(NULL | OBJECT claims) [problem]
//! claims:  alg:S typ:S? iss:S? sub:S? [aud:S] exp:N? nbf:N? iat:N? [scope:S]
//! problem: code:S severity:S message:S
//! ```
//!
//! Two kinds of string skip the copy into the pool. A `&'static str` (codes, names, most labels
//! and messages) crosses as its address: it never changes, so `boundary.js` decodes it once and
//! keeps it. The claims, all slices of one buffer, are that buffer copied once.
//!
//! The destructuring below stops compiling when a field is added to `Report` or `Problem`.

use super::{ASCII, FALSE, NULL, OBJECT, STATIC, TRUE, Tape};
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
        self.opt_string(masked.as_deref());
        self.opt_number(length.map(|n| n as f64));
        self.static_string(checksum.as_str());
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
            self.static_string(code.as_str());
            self.static_string(severity.as_str());
            self.cow(message);
        }
    }

    fn claims(&mut self, claims: &JwtClaims) {
        let buffer = claims.buffer();
        // Offsets in the pool are offsets in the buffer plus `base`, for ASCII claims; any other
        // string is written as usual (a claim with a non-ASCII character, so rare).
        let base = buffer.is_ascii().then(|| {
            let base = self.ascii.len();
            self.ascii.extend_from_slice(buffer.as_bytes());
            base
        });
        let claim = |tape: &mut Tape, s: &str| match base {
            Some(base) => {
                let start = (base + (s.as_ptr() as usize - buffer.as_ptr() as usize)) as u32;
                tape.words.extend([ASCII, start, start + s.len() as u32]);
            }
            None => tape.string(s),
        };
        claim(self, claims.alg());
        for s in [claims.typ(), claims.iss(), claims.sub()] {
            match s {
                Some(s) => claim(self, s),
                None => self.words.push(NULL),
            }
        }
        let aud = claims.aud();
        self.words.push(aud.len() as u32);
        aud.for_each(|s| claim(self, s));
        for n in [claims.exp, claims.nbf, claims.iat] {
            self.opt_number(n.map(|n| n as f64));
        }
        let scopes = claims.scopes();
        self.words.push(scopes.len() as u32);
        scopes.for_each(|s| claim(self, s));
    }

    fn static_string(&mut self, s: &'static str) {
        if s.is_ascii() {
            self.words
                .extend([STATIC, s.as_ptr() as u32, s.len() as u32]);
        } else {
            self.string(s);
        }
    }

    #[expect(
        clippy::ptr_arg,
        reason = "whether it borrows a `&'static str` is the point"
    )]
    fn cow(&mut self, s: &Cow<'static, str>) {
        match s {
            Cow::Borrowed(s) => self.static_string(s),
            Cow::Owned(s) => self.string(s),
        }
    }

    fn opt_cow(&mut self, s: Option<&Cow<'static, str>>) {
        match s {
            Some(s) => self.cow(s),
            None => self.words.push(NULL),
        }
    }

    fn opt_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.words.push(NULL),
        }
    }

    fn opt_number(&mut self, n: Option<f64>) {
        match n {
            Some(n) => self.number(n),
            None => self.words.push(NULL),
        }
    }
}
