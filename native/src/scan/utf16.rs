//! UTF-16 text with a byte order mark, which Windows PowerShell 5.1's `>` writes, read as
//! UTF-8: a token saved that way is found, at the line and column an editor shows. Without the
//! mark its NUL bytes make it binary.

use std::io::{self, Read};

/// Raw bytes read from the inner reader at a time.
const RAW: usize = 64 * 1024;

/// Whether `start` begins with a UTF-16 byte order mark, and which: `Some(true)` big-endian.
pub fn bom(start: &[u8]) -> Option<bool> {
    match start {
        [0xFF, 0xFE, ..] => Some(false),
        [0xFE, 0xFF, ..] => Some(true),
        _ => None,
    }
}

/// UTF-8 from UTF-16 read after its mark; unpaired surrogates and an odd last byte become
/// U+FFFD.
#[derive(Debug)]
pub struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    raw: Vec<u8>,
    raw_len: usize,
    /// Bytes read from `inner`.
    pub raw_read: u64,
    out: Vec<u8>,
    out_at: usize,
    ended: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(inner: R, big_endian: bool) -> Self {
        Self {
            inner,
            big_endian,
            raw: vec![0; RAW],
            raw_len: 0,
            raw_read: 0,
            out: Vec::new(),
            out_at: 0,
            ended: false,
        }
    }

    /// Reads once and decodes every complete unit, keeping an odd byte and a trailing high
    /// surrogate for the next read (its low half may be in it).
    fn decode_more(&mut self) -> io::Result<()> {
        let n = loop {
            match self.inner.read(&mut self.raw[self.raw_len..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                read => break read?,
            }
        };
        self.raw_read += n as u64;
        self.raw_len += n;
        self.ended = n == 0;
        let big_endian = self.big_endian;
        let raw = &self.raw;
        let unit = |i: usize| {
            let pair = [raw[2 * i], raw[2 * i + 1]];
            if big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        };
        let mut units = self.raw_len / 2;
        if !self.ended && units > 0 && (0xD800..0xDC00).contains(&unit(units - 1)) {
            units -= 1;
        }
        self.out.clear();
        self.out_at = 0;
        for c in char::decode_utf16((0..units).map(unit)) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out
                .extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
        if self.ended && self.raw_len % 2 == 1 {
            self.out.extend_from_slice(
                char::REPLACEMENT_CHARACTER
                    .encode_utf8(&mut [0; 4])
                    .as_bytes(),
            );
        }
        self.raw.copy_within(2 * units..self.raw_len, 0);
        self.raw_len = if self.ended {
            0
        } else {
            self.raw_len - 2 * units
        };
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, dest: &mut [u8]) -> io::Result<usize> {
        while self.out_at == self.out.len() {
            if self.ended {
                return Ok(0);
            }
            self.decode_more()?;
        }
        let n = (self.out.len() - self.out_at).min(dest.len());
        dest[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

/// A whole text (a git blob) as UTF-8 if it is UTF-16 with a mark.
pub fn decode(bytes: &[u8]) -> Option<Vec<u8>> {
    let big_endian = bom(bytes)?;
    let mut out = Vec::with_capacity(bytes.len());
    Utf16Reader::new(&bytes[2..], big_endian)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes per read, so units and surrogate pairs split anywhere.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, dest: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(dest.len()).min(self.bytes.len());
            dest[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn utf16_in_either_order_reads_as_the_same_text_however_it_is_split() {
        let text = "a😀 é\r\nchp_token 𝄞\n".repeat(40);
        for big_endian in [false, true] {
            let bytes: Vec<u8> = text
                .encode_utf16()
                .flat_map(|u| {
                    if big_endian {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    }
                })
                .collect();
            for step in [1, 2, 3, 5, 64, 4096] {
                let mut out = String::new();
                let mut reader = Utf16Reader::new(
                    Trickle {
                        bytes: &bytes,
                        step,
                    },
                    big_endian,
                );
                reader.read_to_string(&mut out).unwrap();
                assert_eq!(out, text, "step {step}");
                assert_eq!(reader.raw_read, bytes.len() as u64);
            }
        }
    }

    #[test]
    fn broken_utf16_becomes_replacement_characters() {
        // A lone high surrogate, a lone low one, then an odd byte.
        let bytes = [0x3D, 0xD8, 0x41, 0x00, 0x00, 0xDC, 0x42];
        assert_eq!(
            decode(&[[0xFF, 0xFE].as_slice(), &bytes].concat()).unwrap(),
            "\u{FFFD}A\u{FFFD}\u{FFFD}".as_bytes()
        );
        assert_eq!(bom(b"\xFE\xFF\x00a"), Some(true));
        assert_eq!(bom(b"ab"), None);
    }
}
