//! JWT inspection without signature checks: enough to tell a user what they pasted.
//!
//! Hardened for hostile input: the size is capped before decoding, base64url must be canonical
//! (no padding, zero trailing bits), and serde_json's recursion limit stays on.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// Tokens longer than this are not decoded at all.
pub const MAX_JWT_LEN: usize = 8 * 1024;
/// Leeway for `exp` and `nbf`, for clocks that drift.
pub const LEEWAY_SECS: i64 = 60;

/// The claims a user needs to recognise a JWT, as reported.
///
/// Every string lives in one buffer: the decoded JSON text itself where a claim has no escapes,
/// appended to it where one has. Reading a JWT so allocates three times rather than once per
/// claim, which was a fifth of `inspect` in wasm.
#[derive(Clone)]
pub struct JwtClaims {
    text: String,
    alg: Span,
    typ: Option<Span>,
    iss: Option<Span>,
    sub: Option<Span>,
    /// `aud`'s spans, then `scopes`'.
    lists: Vec<Span>,
    aud_len: usize,
    /// A Choreo STS token's `organization` object: its `handle` and `uuid`, each if present.
    organization: Option<(Option<Span>, Option<Span>)>,
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
    pub iat: Option<i64>,
}

/// A claim string: a byte range of [`JwtClaims`]'s buffer.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

impl JwtClaims {
    fn str(&self, span: Span) -> &str {
        &self.text[span.start as usize..span.end as usize]
    }

    /// The buffer every claim string is a slice of, so a host can copy all of them at once.
    pub fn buffer(&self) -> &str {
        &self.text
    }

    pub fn alg(&self) -> &str {
        self.str(self.alg)
    }

    pub fn typ(&self) -> Option<&str> {
        self.typ.map(|s| self.str(s))
    }

    pub fn iss(&self) -> Option<&str> {
        self.iss.map(|s| self.str(s))
    }

    pub fn sub(&self) -> Option<&str> {
        self.sub.map(|s| self.str(s))
    }

    /// The audience: one entry for a string `aud`, each entry of an array.
    pub fn aud(&self) -> Strs<'_> {
        Strs {
            text: &self.text,
            spans: self.lists[..self.aud_len].iter(),
        }
    }

    /// `scope` split on spaces, or else `scp`.
    pub fn scopes(&self) -> Strs<'_> {
        Strs {
            text: &self.text,
            spans: self.lists[self.aud_len..].iter(),
        }
    }

    /// The `organization` claim, when it is an object (as in a Choreo STS access token).
    pub fn organization(&self) -> Option<JwtOrganization<'_>> {
        self.organization.map(|(handle, uuid)| JwtOrganization {
            handle: handle.map(|s| self.str(s)),
            uuid: uuid.map(|s| self.str(s)),
        })
    }

    fn view(&self) -> view::JwtClaims<'_> {
        view::JwtClaims {
            alg: self.alg(),
            typ: self.typ(),
            iss: self.iss(),
            sub: self.sub(),
            aud: self.aud(),
            exp: self.exp,
            nbf: self.nbf,
            iat: self.iat,
            scopes: self.scopes(),
            organization: self.organization(),
        }
    }
}

/// A Choreo STS token's `organization` claim: `{handle, uuid}`, either of them possibly absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct JwtOrganization<'a> {
    pub handle: Option<&'a str>,
    pub uuid: Option<&'a str>,
}

/// What `JwtClaims` serialises as, and its TypeScript type: the claims, not the buffer. Named
/// `JwtClaims` too, in a module of its own, because tsify names the type after the struct.
mod view {
    use super::{JwtOrganization, Strs};
    use serde::Serialize;

    #[derive(Debug, PartialEq, Serialize)]
    #[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
    #[serde(rename_all = "camelCase")]
    pub(super) struct JwtClaims<'a> {
        pub alg: &'a str,
        pub typ: Option<&'a str>,
        pub iss: Option<&'a str>,
        pub sub: Option<&'a str>,
        #[cfg_attr(feature = "typescript", tsify(type = "string[]"))]
        pub aud: Strs<'a>,
        pub exp: Option<i64>,
        pub nbf: Option<i64>,
        pub iat: Option<i64>,
        #[cfg_attr(feature = "typescript", tsify(type = "string[]"))]
        pub scopes: Strs<'a>,
        pub organization: Option<JwtOrganization<'a>>,
    }
}

impl Serialize for JwtClaims {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.view().serialize(serializer)
    }
}

impl PartialEq for JwtClaims {
    fn eq(&self, other: &Self) -> bool {
        self.view() == other.view()
    }
}

impl fmt::Debug for JwtClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.view().fmt(f)
    }
}

/// The strings of a list claim, in order.
#[derive(Clone)]
pub struct Strs<'a> {
    text: &'a str,
    spans: std::slice::Iter<'a, Span>,
}

impl<'a> Iterator for Strs<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let s = self.spans.next()?;
        Some(&self.text[s.start as usize..s.end as usize])
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl ExactSizeIterator for Strs<'_> {}

impl Serialize for Strs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.clone())
    }
}

impl PartialEq for Strs<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.clone().eq(other.clone())
    }
}

impl fmt::Debug for Strs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// Why a JWT-shaped token could not be decoded. Messages name the part, never its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtError {
    Segments,
    Base64(&'static str),
    Json(&'static str),
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwtError::Segments => f.write_str("a jwt has three dot-separated parts"),
            JwtError::Base64(part) => write!(f, "the jwt {part} is not canonical base64url"),
            JwtError::Json(part) => write!(f, "the jwt {part} is not the json object it should be"),
        }
    }
}

/// Whether the token has the shape of a compact JWS: three base64url segments, the first two
/// non-empty (the signature may be empty, as with `alg: none`).
pub fn looks_like_jwt(token: &str) -> bool {
    segments(token).is_some()
}

/// Header, payload and signature of a JWT-shaped token (see [`looks_like_jwt`]).
pub fn segments(token: &str) -> Option<(&str, &str, &str)> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (h, p, sig) = {
        let (first, second) = crate::chars::jws_dots(token.as_bytes())?;
        (
            &token[..first],
            &token[first + 1..second],
            &token[second + 1..],
        )
    };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let (h, p, sig) = {
        let (h, rest) = token.split_once('.')?;
        let (p, sig) = rest.split_once('.')?;
        // One branch-free pass per part (no early exit, so it vectorises), which also finds a
        // third dot without a search through the signature.
        let bad = |part: &str| {
            part.bytes()
                .fold(0u8, |acc, c| acc | u8::from(!is_url_byte(c)))
        };
        if bad(h) | bad(p) | bad(sig) != 0 {
            return None;
        }
        (h, p, sig)
    };
    (!h.is_empty() && !p.is_empty()).then_some((h, p, sig))
}

/// base64url's alphabet: `A-Za-z0-9-_`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn is_url_byte(c: u8) -> bool {
    crate::chars::is_letter(c) | (c.wrapping_sub(b'0') < 10) | (c == b'-') | (c == b'_')
}

// String claims are `Text`: serde's `Option<Cow<str>>` never borrows, even marked `borrow`.
#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: Text<'a>,
    #[serde(borrow, default)]
    typ: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(borrow, default)]
    iss: Option<Text<'a>>,
    #[serde(borrow, default)]
    sub: Option<Text<'a>>,
    #[serde(borrow, default)]
    aud: Option<OneOrMany<'a>>,
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    iat: Option<f64>,
    #[serde(borrow, default)]
    scope: Option<Text<'a>>,
    #[serde(borrow, default)]
    scp: Option<OneOrMany<'a>>,
    #[serde(borrow, default)]
    organization: Option<OrgClaim<'a>>,
}

/// The `organization` claim: an object's `handle` and `uuid`; any other JSON value is another
/// issuer's claim of the same name, and is ignored.
enum OrgClaim<'a> {
    Object {
        handle: Option<Text<'a>>,
        uuid: Option<Text<'a>>,
    },
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for OrgClaim<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = OrgClaim<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any json value")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut handle, mut uuid) = (None, None);
                while let Some(Text(key)) = map.next_key()? {
                    match &*key {
                        "handle" => handle = map.next_value::<Option<Text<'a>>>()?,
                        "uuid" => uuid = map.next_value::<Option<Text<'a>>>()?,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(OrgClaim::Object { handle, uuid })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(OrgClaim::Other)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(OrgClaim::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(OrgClaim::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(OrgClaim::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(OrgClaim::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(OrgClaim::Other)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A string or an array of strings (`aud`, `scp`), borrowed where the JSON has no escapes.
struct OneOrMany<'a>(Vec<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for OneOrMany<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = OneOrMany<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(OneOrMany(vec![Cow::Borrowed(v)]))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(OneOrMany(vec![Cow::Owned(v.to_owned())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(4);
                while let Some(Text(s)) = seq.next_element()? {
                    out.push(s);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A string, borrowed where the JSON has no escapes: serde's own `Cow<str>` always copies,
/// outside a field marked `borrow` (and inside an `Option` even there).
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// Decodes one part into `buf` (reused for both parts) as the JSON text it must be.
fn decode<'b>(
    segment: &str,
    part: &'static str,
    buf: &'b mut Vec<u8>,
) -> Result<&'b str, JwtError> {
    buf.clear();
    crate::base64url::decode_into(segment.as_bytes(), buf).map_err(|_| JwtError::Base64(part))?;
    crate::chars::utf8(buf).map_err(|_| JwtError::Json(part))
}

/// JSON text from a decoded part.
fn parse<'b, T: Deserialize<'b>>(json: &'b str, part: &'static str) -> Result<T, JwtError> {
    crate::json::from_str(json).map_err(|_| JwtError::Json(part))
}

// Numeric dates may be fractional (RFC 7519 §2); whole seconds are enough here.
fn seconds(v: Option<f64>) -> Option<i64> {
    v.filter(|v| v.is_finite()).map(|v| v.floor() as i64)
}

/// Builds a [`JwtClaims`] buffer: a decoded part's JSON text is copied in whole, then each
/// claim is kept as a span of that copy, or appended when it was unescaped into a new string.
struct Arena {
    text: String,
}

impl Arena {
    /// Copies one part's JSON in: the claims that borrow from `json` then have a place in the
    /// buffer, at `base` plus their offset in `json`.
    fn part(&mut self, json: &str) -> Part {
        let base = self.text.len();
        self.text.push_str(json);
        Part {
            at: json.as_ptr() as usize,
            len: json.len(),
            base,
        }
    }

    fn keep(&mut self, part: &Part, claim: Cow<'_, str>) -> Span {
        if let Cow::Borrowed(s) = claim
            && let Some(start) = part.offset(s)
        {
            return span(start, s.len());
        }
        let start = self.text.len();
        self.text.push_str(&claim);
        span(start, claim.len())
    }
}

/// Where a decoded part's text sits, in memory and in the arena.
struct Part {
    at: usize,
    len: usize,
    base: usize,
}

impl Part {
    /// Where `s`, a slice of this part's JSON text, sits in the arena (`None` for other strings).
    fn offset(&self, s: &str) -> Option<usize> {
        let off = (s.as_ptr() as usize).wrapping_sub(self.at);
        (off <= self.len && s.len() <= self.len - off).then_some(self.base + off)
    }
}

// Spans fit in u32: a JWT is decoded only below `MAX_JWT_LEN`, its claims are shorter still.
fn span(start: usize, len: usize) -> Span {
    Span {
        start: start as u32,
        end: (start + len) as u32,
    }
}

/// Decodes header and payload of a JWT-shaped token. The caller caps the size first.
pub fn decode_claims(token: &str) -> Result<JwtClaims, JwtError> {
    let mut parts = token.splitn(3, '.');
    let (Some(h), Some(p), Some(_sig)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(JwtError::Segments);
    };
    decode_parts(h, p)
}

/// [`decode_claims`] on the header and payload [`segments`] already found.
pub fn decode_parts(h: &str, p: &str) -> Result<JwtClaims, JwtError> {
    let decoded_len = |segment: &str| segment.len() * 3 / 4 + 3;
    let mut buf = Vec::with_capacity(decoded_len(h).max(decoded_len(p)));
    let mut arena = Arena {
        // Escaped claims are rare: the two texts fit, and a few short appends on top.
        text: String::with_capacity(decoded_len(h) + decoded_len(p) + 32),
    };

    let json = decode(h, "header", &mut buf)?;
    let header: Header<'_> = parse(json, "header")?;
    let part = arena.part(json);
    let alg = arena.keep(&part, header.alg.0);
    let typ = header.typ.map(|t| arena.keep(&part, t.0));

    let json = decode(p, "payload", &mut buf)?;
    let payload: Payload<'_> = parse(json, "payload")?;
    let part = arena.part(json);
    let iss = payload.iss.map(|s| arena.keep(&part, s.0));
    let sub = payload.sub.map(|s| arena.keep(&part, s.0));
    // Room for the usual few audiences and scopes without growing.
    let mut lists = Vec::with_capacity(8);
    for aud in payload.aud.map(|a| a.0).unwrap_or_default() {
        lists.push(arena.keep(&part, aud));
    }
    let aud_len = lists.len();
    match (payload.scope, payload.scp) {
        (Some(scope), _) => {
            let whole = arena.keep(&part, scope.0);
            let text = &arena.text[whole.start as usize..whole.end as usize];
            let base = whole.start as usize;
            let at = text.as_ptr() as usize;
            lists.extend(
                text.split_ascii_whitespace()
                    .map(|s| span(base + (s.as_ptr() as usize - at), s.len())),
            );
        }
        (None, Some(scp)) => {
            for s in scp.0 {
                lists.push(arena.keep(&part, s));
            }
        }
        (None, None) => {}
    }
    let organization = match payload.organization {
        Some(OrgClaim::Object { handle, uuid }) => Some((
            handle.map(|h| arena.keep(&part, h.0)),
            uuid.map(|u| arena.keep(&part, u.0)),
        )),
        Some(OrgClaim::Other) | None => None,
    };
    Ok(JwtClaims {
        text: arena.text,
        alg,
        typ,
        iss,
        sub,
        lists,
        aud_len,
        organization,
        exp: seconds(payload.exp),
        nbf: seconds(payload.nbf),
        iat: seconds(payload.iat),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }
    fn jwt(header: &str, payload: &str) -> String {
        format!("{}.{}.c2ln", b64(header), b64(payload))
    }

    #[test]
    fn claims_are_read_without_checking_the_signature() {
        let t = jwt(
            r#"{"alg":"RS256","typ":"JWT"}"#,
            r#"{"iss":"https://sts.choreo.dev","sub":"u1","aud":["a","b"],"exp":2000000000,"iat":1.5,"scp":["openid"],"x":{"y":[1]}}"#,
        );
        assert!(looks_like_jwt(&t));
        let c = decode_claims(&t).unwrap();
        assert_eq!(c.alg(), "RS256");
        assert_eq!(c.aud().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!((c.exp, c.iat), (Some(2_000_000_000), Some(1)));
        assert_eq!(c.scopes().collect::<Vec<_>>(), ["openid"]);
    }

    #[test]
    fn scope_string_is_split_on_spaces_and_escapes_are_honoured() {
        let c = decode_claims(&jwt(
            r#"{"alg":"ES256"}"#,
            r#"{"scope":"a b\u0020c","aud":"x\/y"}"#,
        ))
        .unwrap();
        assert_eq!(c.scopes().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(c.aud().collect::<Vec<_>>(), ["x/y"]);
    }

    #[test]
    fn claims_without_escapes_are_read_in_place_and_escaped_ones_appended() {
        let (header, payload) = (
            r#"{"alg":"RS256","typ":"JWT"}"#,
            r#"{"iss":"i","sub":"s","aud":["a","b"],"scope":"x y"}"#,
        );
        let c = decode_claims(&jwt(header, payload)).unwrap();
        // Nothing was copied beyond the two JSON texts: every claim is a span of them.
        assert_eq!(c.text.len(), header.len() + payload.len());
        let escaped = r#"{"iss":"\u0069","scp":["\/"]}"#;
        let c = decode_claims(&jwt(header, escaped)).unwrap();
        assert_eq!(
            (c.iss(), c.scopes().collect::<Vec<_>>()),
            (Some("i"), vec!["/"])
        );
        assert_eq!(c.text.len(), header.len() + escaped.len() + "i/".len());
    }

    #[test]
    fn an_organization_object_is_read_and_any_other_organization_claim_ignored() {
        let org = |payload: &str| {
            let c = decode_claims(&jwt(r#"{"alg":"RS256"}"#, payload)).unwrap();
            c.organization()
                .map(|o| (o.handle.map(str::to_owned), o.uuid.map(str::to_owned)))
        };
        assert_eq!(
            org(r#"{"sub":"u","organization":{"uuid":"0b7d","handle":"acme","x":[1,{"y":2}]}}"#),
            Some((Some("acme".into()), Some("0b7d".into())))
        );
        assert_eq!(
            org(r#"{"organization":{"handle":"\u0061cme"}}"#),
            Some((Some("acme".into()), None))
        );
        assert_eq!(org(r#"{"organization":{}}"#), Some((None, None)));
        assert_eq!(
            org(r#"{"organization":{"handle":null,"uuid":""}}"#),
            Some((None, Some(String::new())))
        );
        for other in [r#""acme""#, "[1,[2]]", "7", "-7", "1.5", "true", "null"] {
            assert_eq!(
                org(&format!(r#"{{"organization":{other}}}"#)),
                None,
                "{other}"
            );
        }
        assert_eq!(org(r#"{"sub":"u"}"#), None);
        assert_eq!(
            decode_claims(&jwt(
                r#"{"alg":"RS256"}"#,
                r#"{"organization":{"handle":7}}"#
            )),
            Err(JwtError::Json("payload"))
        );
    }

    #[test]
    fn malformed_parts_are_named() {
        assert_eq!(decode_claims("e30.e30"), Err(JwtError::Segments));
        assert_eq!(decode_claims("e30=.e30.x"), Err(JwtError::Base64("header")));
        // "e31" decodes to the same byte as "e30" but with non-zero trailing bits.
        assert_eq!(
            decode_claims(&format!("{}.e31.x", b64(r#"{"alg":"x"}"#))),
            Err(JwtError::Base64("payload"))
        );
        assert_eq!(
            decode_claims(&jwt("[]", "{}")),
            Err(JwtError::Json("header"))
        );
        assert_eq!(
            decode_claims(&jwt(r#"{"alg":"x"}"#, r#"{"exp":"soon"}"#)),
            Err(JwtError::Json("payload"))
        );
    }

    #[test]
    fn deep_nesting_neither_overflows_the_stack_nor_passes_as_claims() {
        let nest = |n| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let ignored = format!(r#"{{"alg":"x","n":{}}}"#, nest(100_000));
        assert!(decode_claims(&jwt(&ignored, "{}")).is_ok());
        let read = format!(r#"{{"aud":{}}}"#, nest(100_000));
        assert_eq!(
            decode_claims(&jwt(r#"{"alg":"x"}"#, &read)),
            Err(JwtError::Json("payload"))
        );
    }
}
