//! Reading the token: stdin only, bounded, never echoed.

use choreo_auth_core::intake::MAX_INPUT_BYTES;
use std::io::{IsTerminal, Read};
use zeroize::Zeroizing;

/// Reads at most `MAX_INPUT_BYTES + 1` bytes, so core can tell "too long" without the whole
/// stream being buffered. On a terminal, prompts on stderr and reads with echo off instead of
/// waiting silently.
pub fn read_token_input() -> std::io::Result<Zeroizing<Vec<u8>>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Paste your Choreo personal access token (input is hidden): ");
        let line = Zeroizing::new(rpassword::read_password()?);
        let bytes = line.as_bytes();
        let keep = bytes.len().min(MAX_INPUT_BYTES + 1);
        return Ok(Zeroizing::new(bytes[..keep].to_vec()));
    }
    read_bounded(stdin.lock())
}

/// The capacity is reserved up front so the buffer never reallocates and leaves token copies
/// behind in freed memory.
pub fn read_bounded(reader: impl Read) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(MAX_INPUT_BYTES + 1));
    reader
        .take(u64::try_from(MAX_INPUT_BYTES + 1).unwrap_or(u64::MAX))
        .read_to_end(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        let endless = std::io::repeat(b'a');
        let got = read_bounded(endless).unwrap();
        assert_eq!(got.len(), MAX_INPUT_BYTES + 1);
    }

    #[test]
    fn short_input_is_read_whole() {
        assert_eq!(&read_bounded(&b"chp_abc\n"[..]).unwrap()[..], b"chp_abc\n");
    }
}
