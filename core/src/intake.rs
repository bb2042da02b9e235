//! Intake: the bytes a user piped or pasted in, turned into one checked token or precise
//! problems. Like cargo's `login`: read, trim, check, explain.

use crate::chars::{all_b64token_body, is_body_byte};
use crate::problem::{Code, Problem};
use crate::secret::SecretToken;

/// Inputs longer than this are refused before any decoding. Hosts stop reading at
/// `MAX_INPUT_BYTES + 1` bytes so a runaway pipe costs nothing.
pub const MAX_INPUT_BYTES: usize = 16 * 1024;

/// What intake made of the input: a token when no error was found, and every finding in
/// rule order (notices for repairs, or the one error that stopped it).
#[derive(Debug, Clone)]
pub struct Intake {
    pub token: Option<SecretToken>,
    pub problems: Vec<Problem>,
}

/// [`Intake`] before the token is copied out: a slice of the input, for callers that only
/// look at it (`inspect` copies nothing, so it has nothing to wipe).
#[derive(Debug)]
pub(crate) struct Borrowed<'a> {
    pub token: Option<&'a str>,
    pub problems: Vec<Problem>,
}

impl Borrowed<'_> {
    fn fail(mut problems: Vec<Problem>, error: Problem) -> Self {
        problems.push(error);
        Self {
            token: None,
            problems,
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const ASSIGNMENT: &str = "CHOREO_TOKEN=";

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Applies the intake rules to raw input. Never panics, never echoes input in messages.
pub fn read_token(input: &[u8]) -> Intake {
    let Borrowed { token, problems } = borrow(input);
    Intake {
        token: token.map(|t| SecretToken::new(t.to_owned())),
        problems,
    }
}

/// [`read_token`] without the copy.
pub(crate) fn borrow(input: &[u8]) -> Borrowed<'_> {
    let mut problems = Vec::new();
    if input.len() > MAX_INPUT_BYTES {
        return Borrowed::fail(
            problems,
            Problem::error(
                Code::TooLong,
                "input is longer than 16 KiB; a personal access token is far shorter",
            ),
        );
    }
    if let Some(token) = already_clean(input) {
        return Borrowed {
            token: Some(token),
            problems,
        };
    }
    if looks_like_utf16(input) {
        return Borrowed::fail(
            problems,
            Problem::error(
                Code::Utf16Encoding,
                "input is utf-16 text (as windows powershell writes it); re-save it as utf-8",
            ),
        );
    }
    let (offset, bytes) = match input.strip_prefix(UTF8_BOM) {
        Some(rest) => {
            problems.push(Problem::notice(
                Code::StrippedBom,
                "removed a utf-8 byte order mark",
            ));
            (UTF8_BOM.len(), rest)
        }
        None => (0, input),
    };
    let text = match crate::chars::utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = offset + e.valid_up_to();
            return Borrowed::fail(
                problems,
                Problem::error(
                    Code::InvalidUtf8,
                    format!("input is not valid utf-8 (bad byte at offset {at})"),
                ),
            );
        }
    };

    let mut lines = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .filter(|line| !line.chars().all(is_blank));
    let Some(line) = lines.next() else {
        return Borrowed::fail(
            problems,
            Problem::error(Code::Empty, "no token in the input"),
        );
    };
    let extra = lines.count();
    if extra > 0 {
        return Borrowed::fail(
            problems,
            Problem::error(
                Code::MultipleLines,
                format!(
                    "input holds {} non-empty lines; give exactly one token",
                    extra + 1
                ),
            ),
        );
    }
    let token = repair(line.trim_matches(is_blank), &mut problems);
    if token.is_empty() {
        return Borrowed::fail(
            problems,
            Problem::error(
                Code::Empty,
                "no token left after removing the surrounding text",
            ),
        );
    }
    // `CHOREO_TOKEN=CHOREO_TOKEN=`: what is left would be repaired again on the next read.
    if token.starts_with(ASSIGNMENT) {
        let pos = ASSIGNMENT.len();
        return Borrowed::fail(
            problems,
            Problem::error(
                Code::InvalidCharacter,
                format!("the character at position {pos} is not allowed in a token"),
            ),
        );
    }
    if let Some(error) = diagnose(token) {
        return Borrowed::fail(problems, error);
    }
    Borrowed {
        token: Some(token),
        problems,
    }
}

/// Paste mistakes that have exactly one sensible reading, each undone once, in this order:
/// a shell assignment, matching quotes, an HTTP `Bearer ` prefix (with the quotes inside it).
fn repair<'a>(mut token: &'a str, problems: &mut Vec<Problem>) -> &'a str {
    // Each repair at most once, in whatever nesting the paste has (`Bearer "…"`, `'CHOREO_TOKEN=…'`).
    let (mut assignment, mut quotes, mut bearer) = (false, false, false);
    loop {
        if !assignment && let Some(rest) = strip_assignment(token) {
            problems.push(Problem::notice(
                Code::StrippedAssignment,
                "removed a leading CHOREO_TOKEN= assignment",
            ));
            (token, assignment) = (rest, true);
        } else if !quotes && let Some(inner) = unquote(token) {
            problems.push(Problem::notice(
                Code::StrippedQuotes,
                "removed surrounding quotes",
            ));
            (token, quotes) = (inner, true);
        } else if !bearer && let Some(rest) = strip_bearer(token) {
            problems.push(Problem::notice(
                Code::StrippedBearer,
                "removed a leading \"Bearer \" prefix",
            ));
            (token, bearer) = (rest, true);
        } else {
            return token;
        }
    }
}

fn strip_assignment(token: &str) -> Option<&str> {
    let unexported = token
        .strip_prefix("export ")
        .map(|t| t.trim_start_matches(is_blank));
    unexported.unwrap_or(token).strip_prefix(ASSIGNMENT)
}

fn strip_bearer(token: &str) -> Option<&str> {
    let bearer = token
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer"));
    (bearer && token[6..].starts_with(is_blank)).then(|| token[6..].trim_start_matches(is_blank))
}

/// The common case in one table pass: a bare b64token, perhaps with one line ending. Every rule
/// below would pass it unchanged (no BOM, NUL, blank, quote or `CHOREO_TOKEN=` can be in it).
fn already_clean(input: &[u8]) -> Option<&str> {
    let line = input
        .strip_suffix(b"\n")
        .map_or(input, |l| l.strip_suffix(b"\r").unwrap_or(l));
    if !is_b64token(line) || line.starts_with(ASSIGNMENT.as_bytes()) {
        return None;
    }
    // b64token bytes are ASCII, hence UTF-8.
    crate::chars::utf8(line).ok()
}

/// The inside of matching surrounding quotes, trimmed.
fn unquote(token: &str) -> Option<&str> {
    let bytes = token.as_bytes();
    let quoted =
        bytes.len() >= 2 && matches!(bytes[0], b'"' | b'\'') && bytes[bytes.len() - 1] == bytes[0];
    quoted.then(|| token[1..token.len() - 1].trim_matches(is_blank))
}

/// RFC 6750 b64token characters, before the `=` padding.
const B64TOKEN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = is_body_byte(c);
        b += 1;
    }
    table
};

/// Whether the token is `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
/// This is the hot path of every inspection: the first check is branch-free (simd128 vectorises
/// it in wasm), and the table walk only runs when padding (or a bad byte) is present.
fn is_b64token(token: &[u8]) -> bool {
    if !token.is_empty() && all_b64token_body(token) {
        return true;
    }
    let body = token
        .iter()
        .position(|&b| !B64TOKEN[usize::from(b)])
        .unwrap_or(token.len());
    body > 0 && token[body..].iter().all(|&b| b == b'=')
}

/// The first rule a non-b64token breaks, checked in this order over the whole token: control
/// characters, then whitespace, then any other character. Positions are 1-based characters.
fn diagnose(token: &str) -> Option<Problem> {
    if is_b64token(token.as_bytes()) {
        return None;
    }
    let position = |pred: fn(char) -> bool| token.chars().position(pred).map(|i| i + 1);
    if let Some(pos) = position(|c| c.is_control() && c != '\t') {
        return Some(Problem::error(
            Code::ControlCharacter,
            format!("control character at position {pos} of the token"),
        ));
    }
    if let Some(pos) = position(char::is_whitespace) {
        return Some(Problem::error(
            Code::InnerWhitespace,
            format!("whitespace at position {pos} inside the token; a token is one unbroken word"),
        ));
    }
    // A token needs one body character; past the body only `=` may follow.
    let body = token
        .chars()
        .position(|c| !(c.is_ascii() && B64TOKEN[c as usize]));
    let pos = match body {
        None | Some(0) => 1,
        Some(body) => body + token.chars().skip(body).position(|c| c != '=').unwrap_or(0) + 1,
    };
    Some(Problem::error(
        Code::InvalidCharacter,
        format!("the character at position {pos} is not allowed in a token"),
    ))
}

/// UTF-16 with a byte order mark, or without one when NUL bytes sit on every other byte
/// (ASCII text in UTF-16LE or BE).
fn looks_like_utf16(input: &[u8]) -> bool {
    if input.starts_with(b"\xFF\xFE") || input.starts_with(b"\xFE\xFF") {
        return true;
    }
    if input.len() < 4 || !input.contains(&0) {
        return false;
    }
    let pairs = input.len() / 2;
    let zeros_at = |parity: usize| {
        input
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    (odd * 4 >= pairs * 3 && even == 0) || (even * 4 >= pairs * 3 && odd == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(input: &[u8]) -> Vec<&'static str> {
        read_token(input)
            .problems
            .iter()
            .map(|p| p.code.as_str())
            .collect()
    }
    fn token(input: &[u8]) -> Option<String> {
        read_token(input).token.map(|t| t.expose().to_owned())
    }

    #[test]
    fn a_clean_token_passes_untouched() {
        assert_eq!(token(b"abcDEF0123456789"), Some("abcDEF0123456789".into()));
        assert!(codes(b"abcDEF0123456789").is_empty());
    }

    #[test]
    fn line_endings_and_surrounding_blanks_are_not_part_of_the_token() {
        assert_eq!(token(b"  tok\t\r\n"), Some("tok".into()));
        assert_eq!(token(b"\n\n \t\r\ntok\r\n\r\n  \n"), Some("tok".into()));
        assert!(codes(b"  tok\t\r\n").is_empty());
    }

    #[test]
    fn a_utf8_bom_is_removed_with_a_notice() {
        assert_eq!(token(b"\xEF\xBB\xBFtok\n"), Some("tok".into()));
        assert_eq!(codes(b"\xEF\xBB\xBFtok\n"), ["stripped-bom"]);
    }

    #[test]
    fn utf16_is_refused_with_or_without_bom() {
        assert_eq!(codes(b"\xFF\xFEt\0o\0k\0"), ["utf16-encoding"]);
        assert_eq!(codes(b"t\0o\0k\0e\0n\0\n\0"), ["utf16-encoding"]);
        assert_eq!(codes(b"\0t\0o\0k\0e\0n"), ["utf16-encoding"]);
    }

    #[test]
    fn nothing_but_blanks_is_empty() {
        assert_eq!(codes(b""), ["empty"]);
        assert_eq!(codes(b" \t\r\n\n"), ["empty"]);
        assert_eq!(codes(b"CHOREO_TOKEN=\n"), ["stripped-assignment", "empty"]);
    }

    #[test]
    fn two_tokens_are_never_silently_reduced_to_one() {
        assert_eq!(codes(b"first\nsecond\n"), ["multiple-lines"]);
        assert!(
            read_token(b"first\nsecond").problems[0]
                .message
                .contains("2 non-empty lines")
        );
    }

    #[test]
    fn inner_whitespace_and_control_bytes_are_refused_with_a_position() {
        let r = read_token(b"abc def");
        assert_eq!(r.problems[0].code, Code::InnerWhitespace);
        assert!(r.problems[0].message.contains("position 4"));
        assert_eq!(codes(b"abc\0def"), ["control-character"]);
        assert_eq!(codes(b"abc\rdef"), ["control-character"]);
    }

    #[test]
    fn invalid_utf8_reports_the_offset_not_the_bytes() {
        let r = read_token(b"abc\xC3(");
        assert_eq!(r.problems[0].code, Code::InvalidUtf8);
        assert!(
            r.problems[0].message.ends_with("offset 3)"),
            "{}",
            r.problems[0].message
        );
        assert!(
            read_token(b"\xEF\xBB\xBFab\xFF").problems[1]
                .message
                .contains("offset 5")
        );
    }

    #[test]
    fn oversized_input_is_refused_before_decoding() {
        let mut big = vec![b'a'; MAX_INPUT_BYTES + 1];
        big[0] = 0xFF; // would be invalid-utf8 if it were decoded
        assert_eq!(codes(&big), ["too-long"]);
        assert!(token(&vec![b'a'; MAX_INPUT_BYTES]).is_some());
    }

    #[test]
    fn paste_mistakes_are_repaired_with_notices() {
        assert_eq!(token(b"Bearer tok"), Some("tok".into()));
        assert_eq!(codes(b"bearer   tok"), ["stripped-bearer"]);
        assert_eq!(token(b"\"tok\""), Some("tok".into()));
        assert_eq!(codes(b"'tok'"), ["stripped-quotes"]);
        assert_eq!(token(b"export CHOREO_TOKEN='tok'\n"), Some("tok".into()));
        assert_eq!(
            codes(b"export CHOREO_TOKEN='tok'"),
            ["stripped-assignment", "stripped-quotes"]
        );
        assert_eq!(codes(b"CHOREO_TOKEN=tok"), ["stripped-assignment"]);
    }

    #[test]
    fn repairs_apply_in_any_nesting_and_never_twice() {
        assert_eq!(
            codes(b"' CHOREO_TOKEN='"),
            ["stripped-quotes", "stripped-assignment", "empty"]
        );
        assert_eq!(token(b"\"Bearer tok\""), Some("tok".into()));
        assert_eq!(
            codes(b"CHOREO_TOKEN=CHOREO_TOKEN="),
            ["stripped-assignment", "invalid-character"]
        );
        assert_eq!(
            codes(b"Bearer Bearer tok"),
            ["stripped-bearer", "inner-whitespace"]
        );
    }

    #[test]
    fn unmatched_quotes_are_not_guessed_at() {
        assert_eq!(codes(b"\"tok"), ["invalid-character"]);
        assert_eq!(codes(b"\"tok'"), ["invalid-character"]);
    }

    #[test]
    fn b64token_characters_only_with_trailing_padding() {
        assert!(token(b"aZ09-._~+/==").is_some());
        let r = read_token(b"abc=def");
        assert_eq!(r.problems[0].code, Code::InvalidCharacter);
        assert!(r.problems[0].message.contains("position 5"));
        assert!(
            read_token(b"=abc").problems[0]
                .message
                .contains("position 1 ")
        );
        assert!(
            read_token(b"ab==c").problems[0]
                .message
                .contains("position 5 ")
        );
        assert_eq!(codes("tök".as_bytes()), ["invalid-character"]);
        assert_eq!(codes("to\u{200B}k".as_bytes()), ["invalid-character"]);
    }
}
