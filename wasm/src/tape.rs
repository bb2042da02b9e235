//! Serialisable values to JavaScript values in one boundary crossing.
//!
//! A serde `Serializer` writes the value as a flat tape of `u32` words plus one pool of ASCII
//! text; `boundary.js` rebuilds the value from views of both. One `TextDecoder` call turns the
//! whole pool into a string that every string and key is sliced from. That beats a JSON text
//! (decode plus `JSON.parse`) and serde-wasm-bindgen's one crossing per value, measured in
//! wasm/bench. The value is the one serde_json would give: `JSON.parse` of its JSON text.
//!
//! Words: `NULL`, `TRUE`, `FALSE`; `NUMBER lo hi` (f64 bits); `ASCII start end` (pool byte
//! range); `WIDE n unit*n` (UTF-16, for a non-ASCII string such as a mask's `…`);
//! `ARRAY value* END`; `OBJECT 0 (key value)* END` for maps, where a key is an `ASCII` or
//! `WIDE` string, and `OBJECT shape value* END` for structs. After the value come the shapes
//! first seen in this call, `(shape n key*n)*`, and last the number of words they take.
//!
//! A shape names a struct's key sequence. V8 adds properties one by one slowly at a call site
//! that sees many shapes; `boundary.js` keeps one template object per shape and clones it, which
//! costs a third less for core's report (wasm/bench), and a struct's keys cross only once.
//! Core's report, the value `inspectToken` returns, crosses in a layout of its own instead
//! (`report.rs`).

mod report;

use serde::ser::{self, Serialize};
use std::cell::RefCell;
use std::fmt;
use wasm_bindgen::prelude::*;

const NULL: u32 = 0;
const TRUE: u32 = 1;
const FALSE: u32 = 2;
const NUMBER: u32 = 3;
const ASCII: u32 = 4;
const WIDE: u32 = 5;
const ARRAY: u32 = 6;
const OBJECT: u32 = 7;
const END: u32 = 8;
/// `STATIC address length`: a `&'static str` in wasm memory, in `report.rs`'s layout.
const STATIC: u32 = 9;
/// `INT value 0`: an integer that fits an `i32`, in `report.rs`'s layout.
const INT: u32 = 10;

#[wasm_bindgen(module = "/src/boundary.js")]
extern "C" {
    /// Reads the tape in place: addresses rather than slices, which would cost a view each.
    #[wasm_bindgen(js_name = fromTape)]
    fn from_tape(
        memory: &JsValue,
        words: *const u32,
        words_len: usize,
        ascii: *const u8,
        ascii_len: usize,
    ) -> JsValue;

    /// The same for the layout of `report.rs`, from its header (`lay_out_report`).
    #[wasm_bindgen(js_name = fromReport)]
    fn from_report(memory: &JsValue, header: *const u32) -> JsValue;
}

/// `value` as a JavaScript value: what `JSON.parse` makes of its serde_json text.
pub fn to_js(value: &impl Serialize) -> JsValue {
    with_tape(|tape| write(tape, value))
}

/// Core's report as a JavaScript value: the same value as `to_js` gives, faster (`report.rs`).
pub fn report_to_js(report: &choreo_auth_core::Report) -> JsValue {
    let header = lay_out_report(report);
    MEMORY.with(|memory| from_report(memory, header))
}

thread_local! {
    /// The report last laid out (`lay_out_report`), and its header.
    static LAID_OUT: RefCell<(Tape, [u32; 5])> = RefCell::new(Default::default());
}

/// Lays `report` out for `fromReport`, which reads it after this returns: from `report_to_js`,
/// or from `boundary.js` once the module has returned (the direct `inspectToken`). The layout
/// stays until the next call. Returns the address of its header, five words: where the words
/// are and how many, where the pool is and how long, and where the wide strings are. Nothing
/// calls back into the module while it runs (the clock is `Date.now()`).
pub fn lay_out_report(report: &choreo_auth_core::Report) -> *const u32 {
    LAID_OUT.with_borrow_mut(|(tape, header)| {
        tape.reset();
        tape.report(report);
        // wasm32 addresses and lengths are 32 bits.
        *header = [
            tape.words.as_ptr() as u32,
            tape.words.len() as u32,
            tape.ascii.as_ptr() as u32,
            tape.ascii.len() as u32,
            tape.wide.as_ptr() as u32,
        ];
        header.as_ptr()
    })
}

fn with_tape(f: impl FnOnce(&mut Tape) -> JsValue) -> JsValue {
    // One tape per thread, kept between calls: allocating its buffers anew took a tenth of
    // `inspectToken` (dlmalloc's large-chunk path). `boundary.js` calls nothing back, so the tape
    // is never in use twice; a fresh one covers that case anyway.
    TAPE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut tape) => {
            let js = f(&mut tape);
            tape.reset();
            js
        }
        Err(_) => f(&mut Tape::default()),
    })
}

/// `f` with wasm-bindgen's handle on this module's memory, made once per thread.
pub fn with_memory<T>(f: impl FnOnce(&JsValue) -> T) -> T {
    MEMORY.with(f)
}

fn write(tape: &mut Tape, value: &impl Serialize) -> JsValue {
    let known = SHAPES.with_borrow(Vec::len);
    match value.serialize(&mut *tape) {
        Ok(()) => {
            let shapes = tape.shapes.len() as u32;
            tape.words.extend_from_slice(&tape.shapes);
            tape.words.push(shapes);
            MEMORY.with(|memory| {
                from_tape(
                    memory,
                    tape.words.as_ptr(),
                    tape.words.len(),
                    tape.ascii.as_ptr(),
                    tape.ascii.len(),
                )
            })
        }
        // Only a map with a non-string key fails (serde_json refuses it too); core has none.
        // The shapes this tape introduced never reach `boundary.js`: forget them, or a later tape
        // would send their values without their keys.
        Err(Unsupported) => {
            SHAPES.with_borrow_mut(|shapes| shapes.truncate(known));
            JsValue::NULL
        }
    }
}

thread_local! {
    static TAPE: RefCell<Tape> = RefCell::new(Tape::default());
    static MEMORY: JsValue = wasm_bindgen::memory();
    /// Every struct key sequence serialised so far; shape `n` is entry `n - 1`. Keys are
    /// compared by address and length: a `&'static str` at one address never changes.
    static SHAPES: RefCell<Vec<Box<[&'static str]>>> = const { RefCell::new(Vec::new()) };
}

/// The shape of a key sequence, and whether it is new (so `boundary.js` has not seen it yet).
fn shape_of(keys: &[&'static str]) -> (u32, bool) {
    let same = |known: &[&'static str]| {
        known.len() == keys.len() && known.iter().zip(keys).all(|(a, b)| std::ptr::eq(*a, *b))
    };
    SHAPES.with_borrow_mut(|shapes| match shapes.iter().position(|known| same(known)) {
        Some(index) => (index as u32 + 1, false),
        None => {
            shapes.push(keys.into());
            (shapes.len() as u32, true)
        }
    })
}

#[derive(Debug, Default)]
struct Tape {
    words: Vec<u32>,
    ascii: Vec<u8>,
    /// The shapes first seen in this call, appended to `words` at the end.
    shapes: Vec<u32>,
    /// UTF-16 units of non-ASCII strings, in `report.rs`'s layout.
    wide: Vec<u16>,
    /// Keys of the structs being written, innermost last, and where each struct begins.
    keys: Vec<&'static str>,
    structs: Vec<(usize, usize)>,
}

/// Beyond this many bytes of buffers a used tape is dropped rather than kept for the next
/// call, so one huge value does not pin its memory. Core's largest report, a JWT's, takes
/// about 100 words and 300 bytes.
const KEEP_BYTES: usize = 64 * 1024;

impl Tape {
    /// Empty again, keeping its buffers unless they grew large.
    fn reset(&mut self) {
        if self.words.capacity() * 4 + self.ascii.capacity() + self.wide.capacity() * 2 > KEEP_BYTES
        {
            *self = Tape::default();
        } else {
            self.words.clear();
            self.ascii.clear();
            self.shapes.clear();
            self.wide.clear();
            self.keys.clear();
            self.structs.clear();
        }
    }

    fn begin_struct(&mut self) {
        self.words.extend([OBJECT, 0]);
        self.structs.push((self.words.len() - 1, self.keys.len()));
    }

    fn struct_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result {
        self.keys.push(key);
        value.serialize(&mut *self)
    }

    fn end_struct(&mut self) {
        if let Some((shape_word, first_key)) = self.structs.pop() {
            let keys = &self.keys[first_key..];
            let (shape, new) = shape_of(keys);
            self.words[shape_word] = shape;
            if new {
                self.shapes.extend([shape, keys.len() as u32]);
                for key in keys {
                    write_string(&mut self.shapes, &mut self.ascii, key);
                }
            }
            self.keys.truncate(first_key);
        }
        self.words.push(END);
    }

    fn string(&mut self, s: &str) {
        write_string(&mut self.words, &mut self.ascii, s);
    }

    fn number(&mut self, n: f64) {
        if n.is_finite() {
            let bits = n.to_bits();
            self.words
                .extend([NUMBER, bits as u32, (bits >> 32) as u32]);
        } else {
            // As serde_json writes NaN and the infinities.
            self.words.push(NULL);
        }
    }
}

fn write_string(words: &mut Vec<u32>, ascii: &mut Vec<u8>, s: &str) {
    if s.is_ascii() {
        let start = ascii.len() as u32;
        ascii.extend_from_slice(s.as_bytes());
        words.extend([ASCII, start, ascii.len() as u32]);
    } else {
        let at = words.len();
        words.extend([WIDE, 0]);
        words.extend(s.encode_utf16().map(u32::from));
        words[at + 1] = (words.len() - at - 2) as u32;
    }
}

/// The one value a tape cannot hold: a map key that is not a string.
#[derive(Debug)]
struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("map keys must be strings")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    // The message is dropped: formatting it would pull `Display` code into the module.
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

type Result = std::result::Result<(), Unsupported>;

impl ser::Serializer for &mut Tape {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result {
        self.words.push(if v { TRUE } else { FALSE });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.serialize_f64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.serialize_f64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.serialize_f64(v.into())
    }
    // Beyond 2^53 a JavaScript number rounds, exactly as `JSON.parse` rounds the digits.
    fn serialize_i64(self, v: i64) -> Result {
        self.serialize_f64(v as f64)
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.serialize_f64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.serialize_f64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.serialize_f64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.serialize_f64(v as f64)
    }
    fn serialize_f32(self, v: f32) -> Result {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result {
        self.number(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(v);
        Ok(())
    }
    // As serde_json: an array of numbers.
    fn serialize_bytes(self, v: &[u8]) -> Result {
        self.words.push(ARRAY);
        for &b in v {
            self.number(b.into());
        }
        self.words.push(END);
        Ok(())
    }
    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.words.push(NULL);
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.words.extend([OBJECT, 0]);
        self.string(variant);
        value.serialize(&mut *self)?;
        self.words.push(END);
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> std::result::Result<Self, Unsupported> {
        self.words.push(ARRAY);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> std::result::Result<Self, Unsupported> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self, Unsupported> {
        self.serialize_seq(None)
    }
    // `{ variant: [fields] }`, closed by `end` with two `END`s.
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> std::result::Result<Self, Unsupported> {
        self.words.extend([OBJECT, 0]);
        self.string(variant);
        self.words.push(ARRAY);
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> std::result::Result<Self, Unsupported> {
        self.words.extend([OBJECT, 0]);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> std::result::Result<Self, Unsupported> {
        self.begin_struct();
        Ok(self)
    }
    // `{ variant: { fields } }`, closed by `end` with two `END`s.
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> std::result::Result<Self, Unsupported> {
        self.words.extend([OBJECT, 0]);
        self.string(variant);
        self.begin_struct();
        Ok(self)
    }
}

/// Sequences of values: written in place, closed by one `END`.
macro_rules! sequence {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for &mut Tape {
            type Ok = ();
            type Error = Unsupported;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result {
                value.serialize(&mut **self)
            }
            fn end(self) -> Result {
                self.words.push(END);
                Ok(())
            }
        }
    )*};
}

sequence!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeTupleVariant for &mut Tape {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result {
        self.words.extend([END, END]);
        Ok(())
    }
}

impl ser::SerializeMap for &mut Tape {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result {
        key.serialize(KeySerializer(self))
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result {
        self.words.push(END);
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Tape {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result {
        self.struct_field(key, value)
    }
    fn end(self) -> Result {
        self.end_struct();
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Tape {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result {
        self.struct_field(key, value)
    }
    fn end(self) -> Result {
        self.end_struct();
        self.words.push(END);
        Ok(())
    }
}

/// Map keys: strings only, as JSON object keys (serde_json also writes integer keys as text;
/// core has no such map, so they are refused rather than carried).
struct KeySerializer<'a>(&'a mut Tape);

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = ser::Impossible<(), Unsupported>;
    type SerializeTuple = ser::Impossible<(), Unsupported>;
    type SerializeTupleStruct = ser::Impossible<(), Unsupported>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = ser::Impossible<(), Unsupported>;
    type SerializeStruct = ser::Impossible<(), Unsupported>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    fn serialize_str(self, v: &str) -> Result {
        self.0.string(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result {
        self.0.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.0.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result {
        Err(Unsupported)
    }
    fn serialize_i8(self, _: i8) -> Result {
        Err(Unsupported)
    }
    fn serialize_i16(self, _: i16) -> Result {
        Err(Unsupported)
    }
    fn serialize_i32(self, _: i32) -> Result {
        Err(Unsupported)
    }
    fn serialize_i64(self, _: i64) -> Result {
        Err(Unsupported)
    }
    fn serialize_u8(self, _: u8) -> Result {
        Err(Unsupported)
    }
    fn serialize_u16(self, _: u16) -> Result {
        Err(Unsupported)
    }
    fn serialize_u32(self, _: u32) -> Result {
        Err(Unsupported)
    }
    fn serialize_u64(self, _: u64) -> Result {
        Err(Unsupported)
    }
    fn serialize_f32(self, _: f32) -> Result {
        Err(Unsupported)
    }
    fn serialize_f64(self, _: f64) -> Result {
        Err(Unsupported)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result {
        Err(Unsupported)
    }
    fn serialize_none(self) -> Result {
        Err(Unsupported)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result {
        Err(Unsupported)
    }
    fn serialize_unit(self) -> Result {
        Err(Unsupported)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        Err(Unsupported)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(Unsupported)
    }
    fn serialize_seq(
        self,
        _: Option<usize>,
    ) -> std::result::Result<Self::SerializeSeq, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_tuple(self, _: usize) -> std::result::Result<Self::SerializeTuple, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeTupleStruct, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeTupleVariant, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_map(
        self,
        _: Option<usize>,
    ) -> std::result::Result<Self::SerializeMap, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeStruct, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeStructVariant, Unsupported> {
        Err(Unsupported)
    }
}

#[cfg(test)]
mod tests {
    //! The tape's value is `JSON.parse` of serde_json's text, whatever the shape.
    use super::to_js;
    use serde::Serialize;
    use std::collections::BTreeMap;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test;

    // In Chromium; `--features tape-tests-in-node` runs them in Node, where `boundary.js` reads
    // strings through `Buffer` instead of `TextDecoder` (wasm/test.sh runs both).
    #[cfg(not(feature = "tape-tests-in-node"))]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

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
        assert_like_json_parse(&(true, false, (), 0u8, -7i32, 1.5f64, -0.25f32));
        // Beyond 2^53 both round to the same double.
        assert_like_json_parse(&(u64::MAX, i64::MIN, 9_007_199_254_740_993u64));
        assert_like_json_parse(&(f64::NAN, f64::INFINITY, f64::NEG_INFINITY));
        assert_like_json_parse(&("", "ascii", "…3-_w", "é\u{0}\u{7f}\u{80}", "😀 astral"));
        assert_like_json_parse(&'…');
        // Wide strings up to 8 and up to 16 units take paths of their own.
        assert_like_json_parse(&("ééééééé", "éééééééé", "ééééééééé", "😀😀😀😀", "a😀"));
        assert_like_json_parse(&("chp_…Nmox", "é".repeat(15), "é".repeat(16), "é".repeat(17)));
        assert_like_json_parse(&("😀".repeat(8), "a😀".repeat(5), "😀".repeat(9)));
        assert_like_json_parse(&serde_bytes_like());
        // Longer than one String.fromCharCode chunk.
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
        // Growing memory replaces its buffer, and with it every view `boundary.js` keeps.
        let big = vec![7u8; 64 << 20];
        assert!(core::arch::wasm32::memory_size(0) > pages);
        assert_like_json_parse(&("after", big.len(), &big[..3]));
        // A tape larger than any kept one, at a new address.
        assert_like_json_parse(&vec!["word"; 200_000]);
    }

    /// A report through its own layout (`report.rs`), against serde_json's text of it.
    fn assert_report_like_json_parse(report: &choreo_auth_core::Report) {
        let json = serde_json::to_string(report).unwrap();
        let expected = js_sys::JSON::parse(&json).unwrap();
        let got = super::report_to_js(report);
        let text = |v: &JsValue| String::from(js_sys::JSON::stringify(v).unwrap());
        assert_eq!(text(&got), text(&expected), "for {json}");
    }

    #[wasm_bindgen_test]
    fn reports_cross_in_their_own_layout_as_json_parse_of_their_json() {
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
            // Non-ASCII claims go one by one; numbers past i32 and 2^53, and negative ones.
            jwt(
                r#"{"iss":"stś","aud":["a","ß"],"scp":["é"],"exp":4102444800,"nbf":-5,"iat":9007199254740993}"#,
            ),
            jwt("{}"),
            "chp_abc".to_owned(),
            String::new(),
        ];
        for input in &inputs {
            let mut report = inspect(input.as_bytes(), 1_800_000_000);
            assert_report_like_json_parse(&report);
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
            assert_report_like_json_parse(&report);
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
