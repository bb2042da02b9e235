//! Reading JSON into serde types: a strict RFC 8259 parser that is itself the `Deserializer`.
//!
//! Why not `serde_json::from_str`: its errors format their messages when they are built, and
//! that formatting (serde's `Unexpected` with f64 and `str` `Debug`) is about a tenth of the wasm
//! package; core drops every JSON error message anyway. Serialising still uses serde_json.
//!
//! Behaviour is serde_json's where core can see it: the same grammar (no comments, no trailing
//! commas, no leading zeros, escapes and surrogate pairs checked, control characters refused),
//! nesting deeper than 127 and numbers beyond f64 refused where they are read and only checked
//! (without recursion) where they are ignored; floats within a few units in the last place;
//! integers as `u64`/`i64` when they fit and `f64` otherwise; strings borrowed from the input
//! unless they hold escapes. One difference on purpose: a struct is read from an object only,
//! never from an array (serde_json reads an array's elements as the fields in order). `tests`
//! compares the two on random input, with that rule applied to serde_json's reading.

use serde::Deserialize;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// serde_json's default recursion limit.
const MAX_DEPTH: usize = 128;

/// The input was not JSON, or not the JSON the type expects. Carries no detail on purpose:
/// see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not the json expected")
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Error
    }
}

/// `T` from JSON text, borrowing strings from it where `T` allows.
pub fn from_str<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, Error> {
    let mut parser = Parser {
        text,
        at: 0,
        depth: MAX_DEPTH,
    };
    let value = T::deserialize(&mut parser)?;
    parser.skip_space();
    if parser.at != text.len() {
        return Err(Error);
    }
    Ok(value)
}

/// [`from_str`] on bytes, which must be UTF-8.
pub fn from_slice<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, Error> {
    from_str(crate::chars::utf8(bytes).map_err(|_| Error)?)
}

/// A deserializer reading the text as the visitor asks, like serde_json's: no tree is built.
struct Parser<'a> {
    text: &'a str,
    at: usize,
    /// Levels of nesting still allowed while reading.
    depth: usize,
}

enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
    /// Grammatical, but beyond f64: an error to read, fine to skip (as serde_json).
    OutOfRange,
}

impl<'a> Parser<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Result<(), Error> {
        self.skip_space();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(Error)
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), Error> {
        if self.bytes()[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(())
        } else {
            Err(Error)
        }
    }

    /// Checks one value without recursion (an explicit stack for arrays and objects), to any
    /// depth: what serde_json does with the values a type ignores.
    fn skip_value(&mut self) -> Result<(), Error> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            // A value.
            self.skip_space();
            match self.peek().ok_or(Error)? {
                b'[' => {
                    self.at += 1;
                    self.skip_space();
                    if self.peek() == Some(b']') {
                        self.at += 1;
                    } else {
                        open.push(b']');
                        continue;
                    }
                }
                b'{' => {
                    self.at += 1;
                    self.skip_space();
                    if self.peek() == Some(b'}') {
                        self.at += 1;
                    } else {
                        open.push(b'}');
                        self.key()?;
                        continue;
                    }
                }
                b'n' => self.literal("null")?,
                b't' => self.literal("true")?,
                b'f' => self.literal("false")?,
                b'"' => {
                    self.string()?;
                }
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                }
                _ => return Err(Error),
            }
            // What follows it: a comma and the next entry, or closing brackets.
            loop {
                let Some(&close) = open.last() else {
                    return Ok(());
                };
                self.skip_space();
                match self.peek() {
                    Some(b',') => {
                        self.at += 1;
                        if close == b'}' {
                            self.key()?;
                        }
                        break;
                    }
                    Some(c) if c == close => {
                        self.at += 1;
                        open.pop();
                    }
                    _ => return Err(Error),
                }
            }
        }
    }

    /// An object key and its colon.
    fn key(&mut self) -> Result<Cow<'a, str>, Error> {
        self.skip_space();
        if self.peek() != Some(b'"') {
            return Err(Error);
        }
        let key = self.string()?;
        self.eat(b':')?;
        Ok(key)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Number, Error> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let int_start = self.at;
        match self.digits() {
            0 => return Err(Error),
            1 => {}
            _ if self.bytes()[int_start] == b'0' => return Err(Error),
            _ => {}
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(Error);
            }
            integer = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(Error);
            }
            integer = false;
        }
        let text = &self.text[start..self.at];
        if integer {
            // Too large for both integer types: a float, as serde_json reads it.
            if negative {
                match text.parse::<i64>() {
                    // serde_json reads `-0` as the float.
                    Ok(0) => return Ok(Number::F64(-0.0)),
                    Ok(n) => return Ok(Number::I64(n)),
                    Err(_) => {}
                }
            } else if let Ok(n) = text.parse::<u64>() {
                return Ok(Number::U64(n));
            }
        }
        match decimal(text) {
            f if f.is_finite() => Ok(Number::F64(f)),
            _ => Ok(Number::OutOfRange),
        }
    }

    /// Moves to the next `"`, `\\` or control character of a string and returns it.
    fn skip_plain(&mut self) -> Result<u8, Error> {
        let (stop, b) = crate::chars::string_stop(&self.bytes()[self.at..]).ok_or(Error)?;
        self.at += stop;
        if b < 0x20 { Err(Error) } else { Ok(b) }
    }

    /// A string at `"`: borrowed when it holds no escape.
    fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        self.at += 1;
        let start = self.at;
        if self.skip_plain()? == b'"' {
            let s = &self.text[start..self.at];
            self.at += 1;
            return Ok(Cow::Borrowed(s));
        }
        let mut out = String::from(&self.text[start..self.at]);
        loop {
            let run = self.at;
            self.skip_plain()?;
            out.push_str(&self.text[run..self.at]);
            if self.peek() == Some(b'"') {
                self.at += 1;
                return Ok(Cow::Owned(out));
            }
            self.at += 1;
            let escape = self.peek().ok_or(Error)?;
            self.at += 1;
            match escape {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => out.push(self.unicode_escape()?),
                _ => return Err(Error),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let hex = self.bytes().get(self.at..self.at + 4).ok_or(Error)?;
        let mut n = 0;
        for &b in hex {
            n = n * 16 + char::from(b).to_digit(16).ok_or(Error)?;
        }
        self.at += 4;
        Ok(n)
    }

    /// After `\u`: one code point, a surrogate pair taken together; lone surrogates refused.
    fn unicode_escape(&mut self) -> Result<char, Error> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes()[self.at..].starts_with(b"\\u") {
                    return Err(Error);
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(Error);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(Error),
            n => n,
        };
        char::from_u32(code).ok_or(Error)
    }
}

/// A checked JSON number as the nearest f64 within a few units in the last place, as
/// serde_json's default (not `float_roundtrip`) reading: `str::parse` is exact but brings 10 KB
/// of tables into the wasm package, and core only floors these numbers to whole seconds.
fn decimal(text: &str) -> f64 {
    // Powers of ten as two table lookups; the literals are rounded correctly by the compiler.
    const SMALL: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    const BIG: [f64; 20] = [
        1e0, 1e16, 1e32, 1e48, 1e64, 1e80, 1e96, 1e112, 1e128, 1e144, 1e160, 1e176, 1e192, 1e208,
        1e224, 1e240, 1e256, 1e272, 1e288, 1e304,
    ];
    let pow10 = |n: u64| match usize::try_from(n) {
        Ok(n) if n <= 308 => SMALL[n % 16] * BIG[n / 16],
        _ => f64::INFINITY,
    };
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let mut i = usize::from(negative);
    let (mut mantissa, mut exp10) = (0u64, 0i64);
    let mut fraction = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                // Nineteen digits fit; later ones only scale.
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    exp10 -= i64::from(fraction);
                } else {
                    exp10 += i64::from(!fraction);
                }
            }
            b'.' => fraction = true,
            _ => break,
        }
        i += 1;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        let sign = match bytes.get(i + 1) {
            Some(b'-') => -1,
            _ => 1,
        };
        let exponent = bytes[i + 1..]
            .iter()
            .filter(|d| d.is_ascii_digit())
            .fold(0i64, |e, d| (e * 10 + i64::from(d - b'0')).min(1_000_000));
        exp10 += sign * exponent;
    }
    let m = mantissa as f64;
    let magnitude = if mantissa == 0 {
        0.0
    } else if exp10 >= 0 {
        m * pow10(exp10.unsigned_abs())
    } else if exp10 >= -308 {
        m / pow10(exp10.unsigned_abs())
    } else {
        // Toward the subnormals in two steps, so the divisor stays finite.
        m / 1e308 / pow10(exp10.unsigned_abs().saturating_sub(308).min(400))
    };
    if negative { -magnitude } else { magnitude }
}

impl<'de> Parser<'de> {
    /// The array or object whose bracket is next, its entries read by `read` and its closing
    /// bracket checked: a sequence or map must be read to its end, as serde_json requires.
    fn nested<T>(
        &mut self,
        read: impl FnOnce(Entries<'_, 'de>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        // serde_json's limit: 127 levels read; deeper only where ignored.
        self.depth -= 1;
        if self.depth == 0 {
            return Err(Error);
        }
        let close = if self.peek() == Some(b'[') {
            b']'
        } else {
            b'}'
        };
        self.at += 1;
        let value = read(Entries {
            parser: &mut *self,
            first: true,
        })?;
        self.eat(close)?;
        self.depth += 1;
        Ok(value)
    }
}

impl<'de> de::Deserializer<'de> for &mut Parser<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.skip_space();
        match self.peek().ok_or(Error)? {
            b'n' => {
                self.literal("null")?;
                visitor.visit_unit()
            }
            b't' => {
                self.literal("true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.literal("false")?;
                visitor.visit_bool(false)
            }
            b'"' => match self.string()? {
                Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
                Cow::Owned(s) => visitor.visit_string(s),
            },
            b'-' | b'0'..=b'9' => match self.number()? {
                Number::U64(n) => visitor.visit_u64(n),
                Number::I64(n) => visitor.visit_i64(n),
                Number::F64(n) => visitor.visit_f64(n),
                Number::OutOfRange => Err(Error),
            },
            b'[' => self.nested(|entries| visitor.visit_seq(entries)),
            b'{' => self.nested(|entries| visitor.visit_map(entries)),
            _ => Err(Error),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.skip_space();
        if self.peek() == Some(b'n') {
            self.literal("null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    // Unit variants only, from their names: core has no other kind of enum to read.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.skip_space();
        if self.peek() != Some(b'"') {
            return Err(Error);
        }
        let name: Cow<'de, str> = self.string()?;
        visitor.visit_enum(name.into_deserializer())
    }

    /// An object only: serde's derives would read an array as the fields in order
    /// (`["https://evil.example","admin"]` as `{iss, sub}`), and every struct core reads is an
    /// object in its protocol (RFC 7519 §7.2 for JWT parts, the Choreo answers, the stored
    /// credential).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.skip_space();
        if self.peek() != Some(b'{') {
            return Err(Error);
        }
        // Not through `deserialize_any`: the derive's reading of an array is never compiled.
        self.nested(|entries| visitor.visit_map(entries))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.skip_value()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier
    }
}

/// The elements of an array or the members of an object, up to (not including) the bracket
/// that closes them.
struct Entries<'p, 'a> {
    parser: &'p mut Parser<'a>,
    first: bool,
}

impl Entries<'_, '_> {
    /// Whether another entry follows, past the comma that must come before all but the first.
    /// An entry after a trailing comma is the closing bracket, which no value reading accepts.
    fn another(&mut self, close: u8) -> Result<bool, Error> {
        self.parser.skip_space();
        if self.parser.peek() == Some(close) {
            return Ok(false);
        }
        if !std::mem::take(&mut self.first) {
            self.parser.eat(b',')?;
        }
        Ok(true)
    }
}

impl<'de> SeqAccess<'de> for Entries<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if !self.another(b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.parser).map(Some)
    }
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if !self.another(b'}')? {
            return Ok(None);
        }
        match self.parser.key()? {
            Cow::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)),
            Cow::Owned(key) => seed.deserialize(key.into_deserializer()),
        }
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.parser)
    }
}

#[cfg(test)]
mod tests {
    //! Differential: every input is read by this module and by serde_json, and they must agree
    //! on whether it is accepted and on what it says, once core's one rule is applied to
    //! serde_json's reading: a struct only from an object ([`objects_only`]).
    use super::{Error, from_str};
    use crate::api::{Introspection, Organization};
    use crate::credential::Session;
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde_json::Value;
    use std::borrow::Cow;

    /// Numbers compare with a relative tolerance: neither reading of floats is correctly rounded
    /// in the last place.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-14 * x.abs().max(y.abs()),
                _ => x == y,
            },
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|((k, x), (l, y))| k == l && same(x, y))
            }
            _ => a == b,
        }
    }

    fn agree_on_value(text: &str) {
        let ours = from_str::<Value>(text);
        let theirs = serde_json::from_str::<Value>(text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert!(same(a, b), "{text:?}: {a} vs {b}"),
            (Err(Error), Err(_)) => {}
            _ => panic!("{text:?}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }

    fn agree_on<T: for<'a> Deserialize<'a> + PartialEq + std::fmt::Debug>(text: &str) {
        let ours = from_str::<T>(text).ok();
        let theirs = serde_json::from_str::<T>(text)
            .ok()
            .filter(|_| objects_only(text, |d| T::deserialize(d).is_ok()));
        assert_eq!(ours, theirs, "{text:?}");
    }

    /// Whether serde_json's tree of `text` reads into `T` with every struct an object: the one
    /// place core refuses what serde_json accepts. The tree is walked by [`Strict`], a
    /// deserializer that is serde_json's data model except for structs.
    /// A tree serde_json cannot build (a number beyond f64, or nesting past its limit, in a
    /// part the type ignores) leaves serde_json's own reading to judge.
    fn objects_only(text: &str, read: impl FnOnce(Strict<'_>) -> bool) -> bool {
        serde_json::from_str::<Value>(text).map_or(true, |v| read(Strict(&v)))
    }

    struct Strict<'de>(&'de Value);

    type ValueError = serde::de::value::Error;

    impl<'de> serde::de::IntoDeserializer<'de, ValueError> for Strict<'de> {
        type Deserializer = Self;
        fn into_deserializer(self) -> Self {
            self
        }
    }

    impl<'de> serde::Deserializer<'de> for Strict<'de> {
        type Error = ValueError;

        fn deserialize_any<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, ValueError> {
            use serde::de::value::{MapDeserializer, SeqDeserializer};
            match self.0 {
                Value::Null => v.visit_unit(),
                Value::Bool(b) => v.visit_bool(*b),
                Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                    (Some(u), _, _) => v.visit_u64(u),
                    (_, Some(i), _) => v.visit_i64(i),
                    (_, _, f) => v.visit_f64(f.unwrap_or_default()),
                },
                Value::String(s) => v.visit_borrowed_str(s),
                Value::Array(items) => v.visit_seq(SeqDeserializer::new(items.iter().map(Strict))),
                Value::Object(map) => v.visit_map(MapDeserializer::new(
                    map.iter().map(|(k, x)| (k.as_str(), Strict(x))),
                )),
            }
        }

        fn deserialize_option<V: serde::de::Visitor<'de>>(
            self,
            v: V,
        ) -> Result<V::Value, ValueError> {
            match self.0 {
                Value::Null => v.visit_none(),
                _ => v.visit_some(self),
            }
        }

        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            v: V,
        ) -> Result<V::Value, ValueError> {
            match self.0 {
                Value::Object(_) => self.deserialize_any(v),
                _ => Err(serde::de::Error::custom("not an object")),
            }
        }

        fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            v: V,
        ) -> Result<V::Value, ValueError> {
            v.visit_newtype_struct(self)
        }

        fn deserialize_enum<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            v: V,
        ) -> Result<V::Value, ValueError> {
            use serde::de::IntoDeserializer;
            match self.0 {
                Value::String(s) => v.visit_enum(s.as_str().into_deserializer()),
                _ => Err(serde::de::Error::custom("not a unit variant")),
            }
        }

        fn deserialize_ignored_any<V: serde::de::Visitor<'de>>(
            self,
            v: V,
        ) -> Result<V::Value, ValueError> {
            v.visit_unit()
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            unit unit_struct seq tuple tuple_struct map identifier
        }
    }

    /// A JWT-payload-like struct: borrowed strings, optional floats, one-or-many lists.
    #[derive(Debug, PartialEq, Deserialize)]
    struct Claims<'a> {
        #[serde(borrow, default)]
        iss: Option<Cow<'a, str>>,
        #[serde(default)]
        exp: Option<f64>,
        #[serde(default)]
        aud: Option<Vec<String>>,
        #[serde(default)]
        n: Option<i64>,
    }

    fn claims_agree(text: &str) {
        let ours = from_str::<Claims<'_>>(text).ok();
        let theirs = serde_json::from_str::<Claims<'_>>(text)
            .ok()
            .filter(|_| objects_only(text, |d| Claims::deserialize(d).is_ok()));
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-14 * a.abs().max(b.abs()),
            (a, b) => a == b,
        };
        let equal = match (&ours, &theirs) {
            (Some(a), Some(b)) => {
                a.iss == b.iss && a.aud == b.aud && a.n == b.n && close(a.exp, b.exp)
            }
            (a, b) => a.is_none() && b.is_none(),
        };
        assert!(equal, "{text:?}: {ours:?} vs {theirs:?}");
        // Borrowed exactly when serde_json borrows: when there is no escape.
        let borrowed =
            |c: &Option<Claims<'_>>| c.as_ref().map(|c| matches!(c.iss, Some(Cow::Borrowed(_))));
        assert_eq!(borrowed(&ours), borrowed(&theirs), "{text:?}");
    }

    #[test]
    fn hand_picked_edges_agree_with_serde_json() {
        for text in [
            "",
            " ",
            "null",
            "true",
            "false",
            "nul",
            "truex",
            "0",
            "-0",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "1E5",
            "-1.5e-3",
            "1e400",
            "1e-400",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            r#""""#,
            r#""a"#,
            r#""\""#,
            r#""\/\b\f\n\r\t""#,
            r#""\u00e9\u0000""#,
            r#""\ud83d\ude00""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83dx""#,
            r#""\ud83d\u0041""#,
            r#""\x""#,
            r#""\u12""#,
            "\"a\u{1}b\"",
            "\"\u{7f}é😀\"",
            "[]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "{}",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{1:2}"#,
            r#"{"a":1,"a":2}"#,
            "[1] x",
            " [ 1 , { \"b\" : [ ] } ] \n",
            "\u{feff}1",
            "[\t\r\n]",
            "\u{a0}1",
        ] {
            agree_on_value(text);
        }
    }

    #[test]
    fn nesting_is_refused_where_read_and_skipped_where_ignored_like_serde_json() {
        for depth in [1, 2, 126, 127, 128, 129, 10_000] {
            let nest = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            agree_on_value(&nest);
            agree_on::<Introspection>(&format!(
                r#"{{"organizationUuid":"o","status":"active","deep":{nest}}}"#
            ));
            claims_agree(&format!(r#"{{"iss":"i","x":{{"y":{nest}}}}}"#));
        }
        // Ignored but not well formed is still an error.
        claims_agree(&format!(
            r#"{{"x":{}1 2{}}}"#,
            "[".repeat(300),
            "]".repeat(300)
        ));
        claims_agree(&format!(
            r#"{{"x":{}{{"a"}}{}}}"#,
            "[".repeat(300),
            "]".repeat(300)
        ));
    }

    #[test]
    fn core_types_agree_with_serde_json() {
        for text in [
            r#"{"id":7,"organizationUuid":"o","userId":"u","allowedScopes":null,"status":"active"}"#,
            r#"{"id":-7,"organizationUuid":"o","status":"x","allowedScopes":["a","b"],"validUntil":"2027-01-01T00:00:00Z"}"#,
            r#"{"id":1.5,"organizationUuid":"o","status":"x"}"#,
            r#"{"organizationUuid":"o"}"#,
            r#"{"organizationUuid":"o","status":"a","status":"b"}"#,
            r#"["i","o","u",[],null,"active"]"#,
            r#"["i","o","u",[],null,"active",1]"#,
        ] {
            agree_on::<Introspection>(text);
        }
        agree_on::<Vec<Organization>>(r#"[["1","u","h","n"]]"#);
        agree_on::<Vec<Organization>>(r#"[{"id":1,"uuid":"u","handle":"h"}]"#);
        agree_on::<Vec<Organization>>(
            r#"[{"id":1,"uuid":"u","handle":"h","name":"n","owner":{}},{"uuid":"v","handle":"\u0068"}]"#,
        );
        let session = r#"{"id":"s","apiBase":"http://127.0.0.1:1","kind":"choreo-pat","masked":"chp_\u2026abcd","userId":"u","patId":"p","organization":{"id":"1","uuid":"u","handle":"h","name":"n"},"scopes":["a"],"validUntil":null,"createdAt":"2026-11-27T00:00:00Z"}"#;
        agree_on::<Session>(session);
        agree_on::<Session>(&session.replace("null", "7"));
        agree_on::<Session>(&session.replace(
            r#"{"id":"1","uuid":"u","handle":"h","name":"n"}"#,
            r#"["1","u","h","n"]"#,
        ));
    }

    #[test]
    fn an_array_is_never_read_as_a_struct_where_serde_json_would() {
        // Fields by position: what serde_json's derive accepts and core refuses.
        let positional = r#"["https://evil.example",1.5,["aud"],2]"#;
        assert!(serde_json::from_str::<Claims<'_>>(positional).is_ok());
        assert_eq!(from_str::<Claims<'_>>(positional), Err(Error));
        assert!(serde_json::from_str::<Introspection>(r#"["i","o","u",[],null,"active"]"#).is_ok());
        assert_eq!(
            from_str::<Introspection>(r#"["i","o","u",[],null,"active"]"#),
            Err(Error)
        );
        // Nested: an organization as an array inside an object.
        let nested = r#"{"organization":["1","u","h","n"]}"#;
        #[derive(Debug, PartialEq, Deserialize)]
        struct Envelope {
            organization: Organization,
        }
        assert!(serde_json::from_str::<Envelope>(nested).is_ok());
        assert_eq!(from_str::<Envelope>(nested), Err(Error));
        // Arrays stay arrays where the type is a sequence.
        assert_eq!(from_str::<Vec<u8>>("[1,2]"), Ok(vec![1, 2]));
    }

    /// JSON-ish text: real documents, then cut, spliced and with bytes replaced.
    fn documents() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e300f64..1e300).prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::from),
            prop_oneof![
                Just("iss"),
                Just("exp"),
                Just("aud"),
                Just("n"),
                Just("\u{0}\"\\")
            ]
            .prop_map(Value::from),
        ];
        let value = leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![
                            Just("iss".to_owned()),
                            Just("exp".to_owned()),
                            Just("aud".to_owned()),
                            Just("n".to_owned()),
                            "\\PC{0,6}"
                        ],
                        inner
                    ),
                    0..6
                )
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        });
        let text = value.prop_map(|v| serde_json::to_string(&v).unwrap());
        (text, 0..4u8, any::<prop::sample::Index>(), any::<u8>()).prop_map(
            |(text, how, at, byte)| {
                let mut bytes = text.into_bytes();
                let i = at.index(bytes.len() + 1);
                let pick = b"[]{}:,\"\\ 0-eE.tnu";
                match how {
                    0 => {}
                    1 => bytes.truncate(i),
                    2 => bytes.insert(i, pick[usize::from(byte) % pick.len()]),
                    _ if i < bytes.len() => bytes[i] = pick[usize::from(byte) % pick.len()],
                    _ => {}
                }
                String::from_utf8_lossy(&bytes).into_owned()
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        #[test]
        fn random_documents_read_the_same(text in documents()) {
            agree_on_value(&text);
            claims_agree(&text);
        }
    }
}
