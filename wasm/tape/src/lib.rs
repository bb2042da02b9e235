//! A serde data format for handing a value to JavaScript from wasm, fast: a `Serializer` writes
//! any serialisable value as a flat tape of `u32` words plus its text, which `js/tape.js` reads
//! from wasm memory after the call, as the value `JSON.parse` gives for serde_json's text of it.
//! The npm package hands core's report over with it. One crossing and one text decode per call, where JSON text spends most of its
//! time in `JSON.parse` and serde-wasm-bindgen crosses once per value (BENCHMARKS.md). It is
//! serde's derive that decides what crosses, so a field added to a type crosses with it.
//!
//! Words, a tag then its operands:
//! `NULL`, `TRUE`, `FALSE`; `INT i32`; `NUMBER lo hi` (f64 bits); `ASCII start end` (a range of
//! the ASCII text); `WIDE n unit*n` (any other string, as UTF-16, such as a mask's `…`);
//! `ARRAY n value*n`; `OBJECT shape value*` (a struct, its keys those of `shape`);
//! `MAP n (key value)*n` (a map or an enum variant with data; a key is any string value).
//! After the value: the shapes first sent in this call, `(n key*n)*`, each key a string value.
//! A shape is a struct's key list, sent once: `tape.js` clones one object per shape, which V8
//! fills faster than an object built key by key.

use serde::ser::{self, Serialize, Serializer};

/// Declares each tag, and [`TAGS`], from which `js/tape.js`'s line of tags is generated.
macro_rules! tags {
    ($($name:ident = $n:literal),* $(,)?) => {
        $(pub const $name: u32 = $n;)*
        /// Every tag, by name.
        pub const TAGS: &[(&str, u32)] = &[$((stringify!($name), $name)),*];
    };
}

tags!(
    NULL = 0,
    TRUE = 1,
    FALSE = 2,
    INT = 3,
    NUMBER = 4,
    ASCII = 5,
    WIDE = 6,
    ARRAY = 7,
    OBJECT = 8,
    MAP = 9,
);

/// One value's tape, kept between calls so its buffers are reused. `header` tells `tape.js`
/// where the parts are: the words, their number, the ASCII text, its length, and where the new
/// shapes start in the words.
#[derive(Debug, Default)]
pub struct Tape {
    words: Vec<u32>,
    ascii: Vec<u8>,
    shapes: Vec<Vec<&'static str>>,
    sent: usize,
    /// The keys of the structs being written, innermost last.
    keys: Vec<&'static str>,
    header: [u32; 5],
}

/// serde_json's error: the tape refuses what serde_json refuses (a map key that is not a string,
/// a failing `Serialize`).
type Refused = serde_json::Error;

impl Tape {
    /// Writes `value` and returns the address of the header, or an error for a value serde_json
    /// refuses as well.
    pub fn write(&mut self, value: &impl Serialize) -> Result<*const u32, Refused> {
        self.words.clear();
        self.ascii.clear();
        self.keys.clear();
        value.serialize(&mut *self)?;
        let shapes_at = self.words.len();
        for shape in self.shapes.split_off(self.sent.min(self.shapes.len())) {
            self.words.push(shape.len() as u32);
            for key in &shape {
                self.text(key);
            }
            self.shapes.push(shape);
        }
        self.sent = self.shapes.len();
        let len = |n: usize| n as u32;
        self.header = [
            self.words.as_ptr() as u32,
            len(self.words.len()),
            self.ascii.as_ptr() as u32,
            len(self.ascii.len()),
            len(shapes_at),
        ];
        Ok(self.header.as_ptr())
    }

    fn text(&mut self, s: &str) {
        // `is_ascii` without an early exit, which simd128 takes 16 bytes a step: `str::is_ascii`
        // goes 4 bytes at a time on wasm32.
        if s.bytes().fold(0, |all, b| all | b) < 0x80 {
            let start = self.ascii.len() as u32;
            self.ascii.extend_from_slice(s.as_bytes());
            self.words.extend([ASCII, start, self.ascii.len() as u32]);
        } else {
            let at = self.words.len();
            self.words.extend([WIDE, 0]);
            self.words.extend(s.encode_utf16().map(u32::from));
            self.words[at + 1] = (self.words.len() - at - 2) as u32;
        }
    }

    fn number(&mut self, n: f64) {
        if !n.is_finite() {
            // serde_json writes `null` for NaN and the infinities.
            self.words.push(NULL);
        } else if f64::from(n as i32).to_bits() == n.to_bits() {
            // Read without going through an f64; -0 is not one of these.
            self.words.extend([INT, n as i32 as u32]);
        } else {
            let bits = n.to_bits();
            self.words
                .extend([NUMBER, bits as u32, (bits >> 32) as u32]);
        }
    }

    /// Starts an array, map or struct, reserving the word its count or shape goes into once it
    /// is known.
    fn open(&mut self, tag: u32) -> Open<'_> {
        self.words.extend([tag, 0]);
        let at = self.words.len() - 1;
        let keys = self.keys.len();
        Open {
            tape: self,
            at,
            count: 0,
            keys,
        }
    }

    /// `{ variant: ... }`, serde_json's form of an enum variant with data.
    fn variant(&mut self, variant: &'static str) {
        self.words.extend([MAP, 1]);
        self.text(variant);
    }
}

/// An array, a map or a struct being written: where its count or shape goes, and for a struct
/// where its keys start in `Tape::keys`.
#[derive(Debug)]
pub struct Open<'a> {
    tape: &'a mut Tape,
    at: usize,
    count: u32,
    keys: usize,
}

impl Open<'_> {
    fn close(self) -> Result<(), Refused> {
        let Open {
            tape,
            at,
            count,
            keys,
        } = self;
        tape.words[at] = if tape.words[at - 1] == OBJECT {
            let new = &tape.keys[keys..];
            // By address: a struct's keys are the same `&'static str`s every time.
            let same = |s: &&Vec<&str>| {
                s.len() == new.len() && s.iter().zip(new).all(|(a, b)| std::ptr::eq(*a, *b))
            };
            let shape = match tape.shapes.iter().position(|s| same(&s)) {
                Some(shape) => shape,
                None => {
                    tape.shapes.push(new.to_vec());
                    tape.shapes.len() - 1
                }
            };
            tape.keys.truncate(keys);
            shape as u32
        } else {
            count
        };
        Ok(())
    }

    fn element(&mut self, value: &(impl Serialize + ?Sized)) -> Result<(), Refused> {
        self.count += 1;
        value.serialize(&mut *self.tape)
    }
}

macro_rules! numbers {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, n: $ty) -> Result<(), Refused> {
            self.number(n as f64);
            Ok(())
        }
    )*};
}

impl<'a> Serializer for &'a mut Tape {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Open<'a>;
    type SerializeTuple = Open<'a>;
    type SerializeTupleStruct = Open<'a>;
    type SerializeTupleVariant = Open<'a>;
    type SerializeMap = Open<'a>;
    type SerializeStruct = Open<'a>;
    type SerializeStructVariant = Open<'a>;

    numbers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128, serialize_f64: f64);

    fn serialize_f32(self, n: f32) -> Result<(), Refused> {
        // serde_json writes an f32's shortest digits, which `JSON.parse` reads as an f64.
        self.number(n.to_string().parse().unwrap_or(f64::NAN));
        Ok(())
    }

    fn serialize_bool(self, b: bool) -> Result<(), Refused> {
        self.words.push(if b { TRUE } else { FALSE });
        Ok(())
    }

    fn serialize_char(self, c: char) -> Result<(), Refused> {
        self.text(c.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, s: &str) -> Result<(), Refused> {
        self.text(s);
        Ok(())
    }

    fn serialize_bytes(self, bytes: &[u8]) -> Result<(), Refused> {
        self.collect_seq(bytes)
    }

    fn serialize_none(self) -> Result<(), Refused> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Refused> {
        self.words.push(NULL);
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Refused> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
    ) -> Result<(), Refused> {
        self.serialize_str(v)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        self.variant(variant);
        value.serialize(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Open<'a>, Refused> {
        Ok(self.open(ARRAY))
    }

    fn serialize_tuple(self, len: usize) -> Result<Open<'a>, Refused> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Open<'a>, Refused> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Open<'a>, Refused> {
        self.variant(variant);
        self.serialize_seq(Some(len))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Open<'a>, Refused> {
        Ok(self.open(MAP))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Open<'a>, Refused> {
        Ok(self.open(OBJECT))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Open<'a>, Refused> {
        self.variant(variant);
        self.serialize_struct("", len)
    }
}

/// The element-by-element compounds: arrays, tuples and tuple variants.
macro_rules! elements {
    ($($trait:ident::$method:ident),*) => {$(
        impl ser::$trait for Open<'_> {
            type Ok = ();
            type Error = Refused;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
                self.element(value)
            }
            fn end(self) -> Result<(), Refused> {
                self.close()
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// Structs and struct variants: their keys make their shape.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Open<'_> {
            type Ok = ();
            type Error = Refused;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Refused> {
                self.tape.keys.push(key);
                value.serialize(&mut *self.tape)
            }
            fn end(self) -> Result<(), Refused> {
                self.close()
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Open<'_> {
    type Ok = ();
    type Error = Refused;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Refused> {
        // serde_json's rule: a key is a string, or a number or bool written as one.
        let at = self.tape.words.len();
        self.element(key)?;
        match self.tape.words[at] {
            ASCII | WIDE | INT | NUMBER | TRUE | FALSE => Ok(()),
            _ => Err(ser::Error::custom("key must be a string")),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        value.serialize(&mut *self.tape)
    }
    fn end(self) -> Result<(), Refused> {
        self.close()
    }
}
#[cfg(test)]
mod tests {
    //! The tape's value is `JSON.parse` of serde_json's text, whatever the shape.
    use super::Tape;
    use serde::Serialize;
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    // In Chromium; `--features tests-in-node` runs them in Node (wasm/test.sh runs both).
    #[cfg(not(feature = "tests-in-node"))]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen(module = "/js/tape.js")]
    extern "C" {
        #[wasm_bindgen(js_name = readTape)]
        fn read_tape(memory: &JsValue, header: *const u32) -> JsValue;
    }

    thread_local! {
        /// One tape, as the package has: `tape.js` keeps the shapes it has been sent.
        static TAPE: RefCell<Tape> = RefCell::default();
    }

    /// The value through the tape, or null when the tape refuses it.
    fn to_js(value: &impl Serialize) -> JsValue {
        match TAPE.with_borrow_mut(|tape| tape.write(value)) {
            Ok(header) => read_tape(&wasm_bindgen::memory(), header),
            Err(_) => JsValue::NULL,
        }
    }

    /// Compared through `JSON.stringify`, which also checks key order.
    fn assert_like_json_parse(value: &impl Serialize) {
        let json = serde_json::to_string(value).unwrap();
        let expected = js_sys::JSON::parse(&json).unwrap();
        let got = to_js(value);
        let text = |v: &JsValue| String::from(js_sys::JSON::stringify(v).unwrap());
        assert_eq!(text(&got), text(&expected), "for {json}");
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Claims {
        issuer: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        not_before: Option<i64>,
        scopes: Vec<&'static str>,
        inner: Option<Box<Claims>>,
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(bool, char),
        Struct { a: f64, b: () },
    }

    fn claims(not_before: Option<i64>, inner: Option<Box<Claims>>) -> Claims {
        Claims {
            issuer: Some("https://sts.choreo.dev".into()),
            not_before,
            scopes: vec!["openid", ""],
            inner,
        }
    }

    #[wasm_bindgen_test]
    fn scalars_and_strings() {
        assert_like_json_parse(&(
            true,
            false,
            (),
            0u8,
            -7i32,
            1.5f64,
            -0.25f32,
            0.1f32,
            -0.0f64,
        ));
        // Beyond 2^53 both round to the same double.
        assert_like_json_parse(&(u64::MAX, i64::MIN, 9_007_199_254_740_993u64));
        assert_like_json_parse(&(f64::NAN, f64::INFINITY, f64::NEG_INFINITY));
        assert_like_json_parse(&("", "ascii", "…3-_w", "é\u{0}\u{7f}\u{80}", "😀 astral"));
        assert_like_json_parse(&'…');
        assert_like_json_parse(&("ééééééé", "éééééééé", "ééééééééé", "😀😀😀😀", "a😀"));
        assert_like_json_parse(&("chp_…Nmox", "é".repeat(15), "é".repeat(16), "é".repeat(17)));
        assert_like_json_parse(&("😀".repeat(8), "a😀".repeat(5), "😀".repeat(9)));
        assert_like_json_parse(&serde_bytes_like());
        assert_like_json_parse(&"é".repeat(20_000));
        assert_like_json_parse(&"a".repeat(100_000));
    }

    fn serde_bytes_like() -> Vec<u8> {
        vec![0, 1, 255]
    }

    #[wasm_bindgen_test]
    fn one_struct_in_several_shapes_keeps_its_keys_apart() {
        // The same struct with and without a skipped field: two shapes, each cloned later.
        for _ in 0..3 {
            assert_like_json_parse(&claims(Some(1_799_999_940), None));
            assert_like_json_parse(&claims(None, Some(Box::new(claims(Some(1), None)))));
            assert_like_json_parse(&vec![claims(None, None), claims(Some(2), None)]);
        }
    }

    #[wasm_bindgen_test]
    fn enums_maps_and_odd_keys() {
        let shapes = vec![
            Shape::Unit,
            Shape::Newtype(3),
            Shape::Tuple(true, 'x'),
            Shape::Struct { a: 2.0, b: () },
        ];
        assert_like_json_parse(&shapes);
        assert_like_json_parse(&shapes);
        let mut map = BTreeMap::new();
        map.insert("__proto__", serde_json::json!({"polluted": true}));
        map.insert("ключ", serde_json::json!([1, "два", null]));
        map.insert("", serde_json::json!({}));
        assert_like_json_parse(&map);
        let got = to_js(&map);
        let proto = js_sys::Object::get_prototype_of(&got);
        assert_eq!(
            proto,
            js_sys::Object::get_prototype_of(&js_sys::Object::new())
        );
    }

    #[wasm_bindgen_test]
    fn a_non_string_map_key_is_refused_as_serde_json_refuses_it() {
        let mut map = BTreeMap::new();
        map.insert(vec![1], 2);
        assert!(serde_json::to_string(&map).is_err());
        assert!(to_js(&map).is_null());
    }

    #[cfg(target_arch = "wasm32")]
    #[wasm_bindgen_test]
    fn values_still_cross_after_wasm_memory_grows() {
        assert_like_json_parse(&("before", 1));
        let pages = core::arch::wasm32::memory_size(0);
        // Growing memory replaces its buffer, and with it every view `tape.js` keeps.
        let big = vec![7u8; 64 << 20];
        assert!(core::arch::wasm32::memory_size(0) > pages);
        assert_like_json_parse(&("after", big.len(), &big[..3]));
        // A tape larger than any kept one, at a new address.
        assert_like_json_parse(&vec!["word"; 200_000]);
    }

    #[wasm_bindgen_test]
    fn reports_cross_as_json_parse_of_their_json() {
        use choreo_auth_core::inspect;
        use std::borrow::Cow;
        let b64 =
            |s: &str| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, s);
        let jwt = |payload: &str| {
            format!(
                "{}.{}.c2ln",
                b64(r#"{"alg":"RS256","typ":"JWT"}"#),
                b64(payload)
            )
        };
        let inputs = [
            jwt(
                r#"{"iss":"https://sts","sub":"u","aud":"a","exp":1800003600,"scope":"a b c d e f"}"#,
            ),
            // Non-ASCII claims; numbers past i32 and 2^53, and negative ones.
            jwt(
                r#"{"iss":"stś","aud":["a","ß"],"scp":["é"],"exp":4102444800,"nbf":-5,"iat":9007199254740993}"#,
            ),
            jwt("{}"),
            "chp_abc".to_owned(),
            String::new(),
        ];
        for input in &inputs {
            let mut report = inspect(input.as_bytes(), 1_800_000_000);
            assert_like_json_parse(&report);
            // Static strings past ASCII, owned ones, a length past i32 and an absent mask.
            report.kind = Some(Cow::Owned("kind-é".into()));
            report.label = Some(Cow::Borrowed("Jeton — JSON"));
            report.masked = None;
            report.length = Some(3_000_000_000);
            for (i, problem) in report.problems.iter_mut().enumerate() {
                problem.message = if i % 2 == 0 {
                    Cow::Borrowed("déjà vu…")
                } else {
                    Cow::Owned(format!("owned {i} ✓"))
                };
            }
            assert_like_json_parse(&report);
        }
    }

    #[derive(Serialize)]
    struct SeenFirstInAFailedTape {
        only: u8,
    }

    #[wasm_bindgen_test]
    fn a_shape_first_seen_in_a_refused_value_still_crosses_with_its_keys_later() {
        let mut bad_keys = BTreeMap::new();
        bad_keys.insert(vec![1], 2);
        let refused = (SeenFirstInAFailedTape { only: 1 }, bad_keys);
        assert!(to_js(&refused).is_null());
        assert_like_json_parse(&SeenFirstInAFailedTape { only: 2 });
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod generated {
    //! `js/tape.js` reads the tags as this crate defines them.

    /// `js/tape.js`'s line of tags, from [`super::TAGS`].
    fn tags_line() -> String {
        let tags: Vec<String> = (super::TAGS.iter())
            .map(|(name, n)| format!("{name} = {n}"))
            .collect();
        format!("const {};", tags.join(", "))
    }

    #[test]
    fn tape_js_names_the_tags_this_crate_writes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/tape.js");
        let js = std::fs::read_to_string(path).expect("js/tape.js");
        let line = js
            .lines()
            .find(|l| l.starts_with("const NULL = "))
            .expect("js/tape.js has a line of tags");
        let want = tags_line();
        if line != want && std::env::var_os("TAPE_JS").is_some_and(|v| v == "write") {
            std::fs::write(path, js.replacen(line, &want, 1)).expect("write js/tape.js");
            return;
        }
        assert_eq!(
            line, want,
            "js/tape.js's tags differ from the crate's: run TAPE_JS=write cargo test -p choreo-auth-tape"
        );
    }
}
