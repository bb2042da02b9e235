//! JWT inspection without signature checks: enough to tell a user what they pasted.
//!
//! Hardened for hostile input: the size is capped before decoding, base64url must be canonical
//! (no padding, zero trailing bits), and serde_json's recursion limit stays on.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// Tokens longer than this are not decoded at all.
pub const MAX_JWT_LEN: usize = 8 * 1024;
/// Leeway for `exp` and `nbf`, for clocks that drift.
pub const LEEWAY_SECS: i64 = 60;

/// The claims a user needs to recognise a JWT, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct JwtClaims {
    pub alg: String,
    pub typ: Option<String>,
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Vec<String>,
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
    pub iat: Option<i64>,
    pub scopes: Vec<String>,
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
    let (h, rest) = token.split_once('.')?;
    let (p, sig) = rest.split_once('.')?;
    // One branch-free pass per part (no early exit, so it vectorises), which also finds a third
    // dot without a search through the signature.
    let bad = |part: &str| {
        part.bytes()
            .fold(0u8, |acc, c| acc | u8::from(!is_url_byte(c)))
    };
    (bad(h) | bad(p) | bad(sig) == 0 && !h.is_empty() && !p.is_empty()).then_some((h, p, sig))
}

/// base64url's alphabet: `A-Za-z0-9-_`.
#[inline(always)]
fn is_url_byte(c: u8) -> bool {
    crate::intake::is_letter(c) | (c.wrapping_sub(b'0') < 10) | (c == b'-') | (c == b'_')
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(borrow, default)]
    typ: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(borrow, default)]
    iss: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sub: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    aud: Option<OneOrMany<'a>>,
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    iat: Option<f64>,
    #[serde(borrow, default)]
    scope: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    scp: Option<OneOrMany<'a>>,
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
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<Cow<'de, str>>()? {
                    out.push(s);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Decodes into `buf` (reused for both parts, so one allocation per inspection).
fn decode<'b>(
    segment: &str,
    part: &'static str,
    buf: &'b mut Vec<u8>,
) -> Result<&'b [u8], JwtError> {
    buf.clear();
    URL_SAFE_NO_PAD
        .decode_vec(segment, buf)
        .map_err(|_| JwtError::Base64(part))?;
    Ok(buf)
}

/// JSON text from decoded bytes.
fn parse<'b, T: Deserialize<'b>>(bytes: &'b [u8], part: &'static str) -> Result<T, JwtError> {
    crate::json::from_slice(bytes).map_err(|_| JwtError::Json(part))
}

fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

// Numeric dates may be fractional (RFC 7519 §2); whole seconds are enough here.
fn seconds(v: Option<f64>) -> Option<i64> {
    v.filter(|v| v.is_finite()).map(|v| v.floor() as i64)
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
    let mut buf = Vec::with_capacity(h.len().max(p.len()) * 3 / 4 + 3);
    let header: Header<'_> = parse(decode(h, "header", &mut buf)?, "header")?;
    let (alg, typ) = (header.alg.into_owned(), owned(header.typ));
    let payload: Payload<'_> = parse(decode(p, "payload", &mut buf)?, "payload")?;
    let scopes = match (payload.scope, payload.scp) {
        (Some(scope), _) => scope.split_ascii_whitespace().map(str::to_owned).collect(),
        (None, Some(scp)) => scp.0.into_iter().map(Cow::into_owned).collect(),
        (None, None) => Vec::new(),
    };
    Ok(JwtClaims {
        alg,
        typ,
        iss: owned(payload.iss),
        sub: owned(payload.sub),
        aud: payload
            .aud
            .map(|a| a.0.into_iter().map(Cow::into_owned).collect())
            .unwrap_or_default(),
        exp: seconds(payload.exp),
        nbf: seconds(payload.nbf),
        iat: seconds(payload.iat),
        scopes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(c.alg, "RS256");
        assert_eq!(c.aud, ["a", "b"]);
        assert_eq!((c.exp, c.iat), (Some(2_000_000_000), Some(1)));
        assert_eq!(c.scopes, ["openid"]);
    }

    #[test]
    fn scope_string_is_split_on_spaces_and_escapes_are_honoured() {
        let c = decode_claims(&jwt(
            r#"{"alg":"ES256"}"#,
            r#"{"scope":"a b\u0020c","aud":"x\/y"}"#,
        ))
        .unwrap();
        assert_eq!(c.scopes, ["a", "b", "c"]);
        assert_eq!(c.aud, ["x/y"]);
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
