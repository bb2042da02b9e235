//! `token scan`'s rules: where the tokens of a [`FormatRules`] set are in a text, each judged
//! as `token inspect` judges one ([`FormatRules::recognise`], [`report::checksum_state`],
//! [`report::mask`]). Hosts bring the bytes, whole ([`find_tokens`]) or in chunks of any size
//! ([`Stream`]), so a file of any length costs a buffer, not its size.
//!
//! What a token in a text is:
//! - A run of token characters (`A-Z a-z 0-9 _ -`, URL-safe base64, which every format here
//!   uses) after a prefix of a format, found with an Aho-Corasick automaton over all prefixes
//!   (a plain byte loop in wasm builds: `finder/prefixes.rs`).
//! - It stands alone, so nothing inside a longer string is reported: the character before the
//!   prefix is not a token character, and neither neighbour is `+` or `~`, which only occur
//!   inside longer b64token strings (RFC 6750; standard base64 uses `+`). The other b64token
//!   characters `.`, `/` and `=` may touch it: they end sentences, separate URL parts and
//!   assignments (`TOKEN=chp_…`, `https://ghp_…@github.com`, `_authToken=npm_…`).
//! - The run is what the rules recognise first, at least [`Format::scan_min_rest`] characters
//!   after its prefix and at most [`MAX_TOKEN_LEN`] in all.
//! - A checksummed format counts only when its checksum holds; near misses (`checksum`
//!   `invalid`) are reported only on request.
//!
//! Opaque tokens, which `inspect` accepts as Choreo PATs, cannot be found: without a prefix they
//! look like any other word.

use crate::api::{self, ApiBase, ApiError};
use crate::formats::{Format, FormatRules};
use crate::host::HttpClient;
use crate::login::{self, CheckError, Policy};
use crate::report::{self, ChecksumState};
use crate::secret::SecretToken;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::OnceLock;

mod prefixes;
use prefixes::Prefixes;

/// The longest token reported, in bytes; a longer run is not a token of these formats.
pub const MAX_TOKEN_LEN: usize = 255;
/// Bytes a [`Stream`] leaves unconsumed at the end of a chunk that is not the last: enough to
/// see a token that starts there end, or run on too long.
pub const OVERLAP: usize = MAX_TOKEN_LEN + 1;

/// Characters a token runs over.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// b64token characters that glue a run to a longer string.
fn is_glue(b: u8) -> bool {
    b == b'+' || b == b'~'
}

/// One token in a text. Holds no token material beyond the mask, except [`Finding::token`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// 1-based; lines end at `\n`.
    pub line: u64,
    /// 1-based, in characters (Unicode scalar values) from the start of the line.
    pub column: u64,
    /// Of the token's first byte, from the start of the input.
    pub offset: u64,
    /// In bytes, which are characters: tokens are ASCII.
    pub length: usize,
    pub kind: Cow<'static, str>,
    pub label: Cow<'static, str>,
    pub masked: String,
    pub checksum: ChecksumState,
    /// The token itself, kept only for a format that is not foreign (a Choreo PAT) and whose
    /// checksum holds: the only findings `--verify` may send to the api.
    #[serde(skip)]
    #[cfg_attr(feature = "typescript", tsify(skip))]
    pub token: Option<SecretToken>,
}

/// A rule set, compiled for searching.
#[derive(Debug)]
pub struct Finder {
    rules: FormatRules,
    prefixes: Prefixes,
}

impl Finder {
    pub fn new(rules: FormatRules) -> Self {
        let prefixes: Vec<&str> = rules
            .formats
            .iter()
            .flat_map(|f| f.prefixes.iter())
            .map(|p| p.as_ref())
            // An empty prefix would make every position a candidate; no format means that.
            .filter(|p: &&str| !p.is_empty())
            .collect();
        let prefixes = Prefixes::new(&prefixes);
        Self { rules, prefixes }
    }

    /// The built-in rules' finder, built once.
    pub fn builtin() -> &'static Finder {
        static FINDER: OnceLock<Finder> = OnceLock::new();
        FINDER.get_or_init(|| Finder::new(FormatRules::builtin().clone()))
    }

    pub fn rules(&self) -> &FormatRules {
        &self.rules
    }

    /// A scan of one input from its start; `near_misses` adds checksum-invalid tokens.
    pub fn stream(&self, near_misses: bool) -> Stream<'_> {
        Stream {
            finder: self,
            near_misses,
            base: 0,
            line: 1,
            column: 0,
            prev: b'\n',
        }
    }

    /// Every token in `text`, in order.
    pub fn find_all(&self, text: &[u8], near_misses: bool) -> Vec<Finding> {
        let mut out = Vec::new();
        self.stream(near_misses).scan(text, true, &mut out);
        out
    }
}

/// The tokens of the built-in rules in `text` whose checksum holds (if they have one), in order.
pub fn find_tokens(text: &[u8]) -> Vec<Finding> {
    Finder::builtin().find_all(text, false)
}

/// Where a scan of one input is: the position after the bytes consumed so far. Feed it the input
/// in chunks with [`Stream::scan`].
#[derive(Debug, Clone)]
pub struct Stream<'f> {
    finder: &'f Finder,
    near_misses: bool,
    /// Offset of the next chunk's first byte in the input.
    base: u64,
    /// Line of the next chunk's first byte, and characters before it on that line.
    line: u64,
    column: u64,
    /// The byte before the next chunk (a newline at the start of the input).
    prev: u8,
}

impl Stream<'_> {
    /// Scans `chunk`, the input's bytes after those consumed so far, appends the tokens that
    /// start in the part it consumes to `out`, and returns the length of that part. Unless
    /// `last`, the part leaves out the chunk's final [`OVERLAP`] bytes (all of a shorter chunk):
    /// a token there may run on into bytes not read yet, so the next call's chunk must start
    /// with them again. A `last` chunk ends the input and is consumed whole.
    pub fn scan(&mut self, chunk: &[u8], last: bool, out: &mut Vec<Finding>) -> usize {
        let limit = if last {
            chunk.len()
        } else {
            chunk.len().saturating_sub(OVERLAP)
        };
        // Lines and columns are counted lazily: up to a token when one is found, and up to
        // `limit` at the end (unless nothing follows).
        let mut counted = 0;
        let mut at = 0;
        while at < limit {
            let Some((start, prefix_end)) = self.finder.prefixes.find(chunk, at) else {
                break;
            };
            if start >= limit {
                break;
            }
            // Any prefix that starts inside this run of token characters has one before it.
            at = start
                + chunk[start..]
                    .iter()
                    .take_while(|&&b| is_token_byte(b))
                    .count()
                    .max(1);
            let Some(finding) = self.judge(chunk, start, prefix_end) else {
                continue;
            };
            self.count(&chunk[counted..start]);
            counted = start;
            out.push(Finding {
                line: self.line,
                column: self.column + 1,
                offset: self.base + start as u64,
                ..finding
            });
        }
        if !last {
            self.count(&chunk[counted..limit]);
        }
        if let Some(&b) = chunk[..limit].last() {
            self.prev = b;
        }
        self.base += limit as u64;
        limit
    }

    /// The finding for a prefix at `start..prefix_end`, if the run there is a token to report
    /// (line, column and offset left for the caller).
    fn judge(&self, chunk: &[u8], start: usize, prefix_end: usize) -> Option<Finding> {
        let before = start.checked_sub(1).map_or(self.prev, |i| chunk[i]);
        if is_token_byte(before) || is_glue(before) {
            return None;
        }
        let room = (MAX_TOKEN_LEN + 1).saturating_sub(prefix_end - start);
        let rest = chunk[prefix_end..]
            .iter()
            .take(room)
            .take_while(|&&b| is_token_byte(b))
            .count();
        let end = prefix_end + rest;
        if end - start > MAX_TOKEN_LEN || chunk.get(end).is_some_and(|&b| is_glue(b)) {
            return None;
        }
        // Prefixes are text and the rest is ASCII.
        let text = std::str::from_utf8(&chunk[start..end]).ok()?;
        let (format, prefix) = self.finder.rules.recognise(text)?;
        let rest = &text[prefix.len()..];
        if rest.len() < format.scan_min_rest.unwrap_or(0) {
            return None;
        }
        let checksum = report::checksum_state(format, rest);
        if checksum == ChecksumState::Invalid && !self.near_misses {
            return None;
        }
        Some(Finding {
            line: 0,
            column: 0,
            offset: 0,
            length: text.len(),
            kind: format.kind.clone(),
            label: format.label.clone(),
            masked: report::mask(text, prefix),
            checksum,
            token: verifiable(format, checksum).then(|| SecretToken::new(text.to_owned())),
        })
    }

    /// Moves the position over `bytes`.
    fn count(&mut self, bytes: &[u8]) {
        match memchr::memrchr(b'\n', bytes) {
            None => self.column += chars(bytes),
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', &bytes[..last]).count() as u64 + 1;
                self.column = chars(&bytes[last + 1..]);
            }
        }
    }
}

/// Characters in UTF-8 `bytes`: the bytes that are not continuation bytes.
fn chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

/// A finding placed in UTF-16 code units, as JavaScript strings, VS Code, Monaco and the
/// Language Server Protocol count them. Never the token itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct TextFinding {
    /// 1-based; lines end at `\n`.
    pub line: u64,
    /// 1-based, in UTF-16 code units from the start of the line: VS Code's
    /// `Position.character` plus one.
    pub column: u64,
    /// Of the token's first character, in UTF-16 code units from the start of the text:
    /// `text.slice(index, index + length)` is the token in JavaScript.
    pub index: u64,
    /// In characters, which are UTF-16 code units too: tokens are ASCII.
    pub length: usize,
    pub kind: Cow<'static, str>,
    pub label: Cow<'static, str>,
    pub masked: String,
    pub checksum: ChecksumState,
}

/// Places the findings of a [`Stream`] in UTF-16 code units ([`TextFinding`]), given the
/// chunks the stream was given.
#[derive(Debug, Default)]
pub struct Utf16Places {
    /// Bytes of the input counted so far, and their UTF-16 code units.
    counted: u64,
    index: u64,
    /// Code units before the start of the line `counted` is on.
    line_start: u64,
}

impl Utf16Places {
    /// Counts the input up to its byte `to`: `chunk` holds the input from its byte `start`, up
    /// to `to`, and from no later than what was counted before.
    pub fn count_to(&mut self, chunk: &[u8], start: u64, to: u64) {
        let bytes = &chunk[(self.counted - start) as usize..(to - start) as usize];
        if let Some(newline) = memchr::memrchr(b'\n', bytes) {
            self.line_start = self.index + utf16_units(&bytes[..=newline]);
        }
        self.index += utf16_units(bytes);
        self.counted = to;
    }

    /// `finding`, found in `chunk` (which holds the input from its byte `start`), placed.
    pub fn place(&mut self, chunk: &[u8], start: u64, finding: Finding) -> TextFinding {
        self.count_to(chunk, start, finding.offset);
        TextFinding {
            line: finding.line,
            column: self.index - self.line_start + 1,
            index: self.index,
            length: finding.length,
            kind: finding.kind,
            label: finding.label,
            masked: finding.masked,
            checksum: finding.checksum,
        }
    }
}

/// UTF-16 code units of UTF-8 `bytes`: one per character, two for one past U+FFFF (the
/// four-byte ones).
fn utf16_units(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .map(|&b| u64::from((b as i8) >= -0x40) + u64::from(b >= 0xF0))
        .sum()
}

/// Whether a token of `format` may be sent to the api: a Choreo PAT whose checksum holds. No
/// other kind of token ever leaves the machine.
fn verifiable(format: &Format, checksum: ChecksumState) -> bool {
    !format.foreign && checksum == ChecksumState::Valid
}

/// What the api says about a Choreo PAT found by a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Verified {
    /// The api accepts it: whoever has the text can use it. Revoke it.
    Active,
    /// The api knows it as revoked or expired, or does not know it.
    Inactive,
    /// No answer, an error answer, or not asked (past [`VERIFY_MAX`]).
    Unknown,
}

impl Verified {
    /// The name in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verified::Active => "active",
            Verified::Inactive => "inactive",
            Verified::Unknown => "unknown",
        }
    }
}

/// At most this many tokens are introspected per scan; the others stay [`Verified::Unknown`].
pub const VERIFY_MAX: usize = 20;
/// Hosts wait this long between two introspection requests.
pub const VERIFY_INTERVAL_MS: u64 = 200;

/// The tokens of `findings` that may be introspected, each once, in the order found, at most
/// [`VERIFY_MAX`].
pub fn tokens_to_verify<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
) -> Vec<&'a SecretToken> {
    let mut tokens: Vec<&SecretToken> = Vec::new();
    for token in findings.into_iter().filter_map(|f| f.token.as_ref()) {
        if tokens.len() == VERIFY_MAX {
            break;
        }
        if !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    tokens
}

/// Introspects one found PAT (a single request) and judges the answer at `now_unix`.
pub async fn verify(
    http: &impl HttpClient,
    api: &ApiBase,
    token: &SecretToken,
    now_unix: i64,
) -> Verified {
    // A redirect, an oversized answer or no answer: the API did not say.
    let Ok(answer) = crate::http::judge(http.send(api::introspect_request(api, token)).await)
    else {
        return Verified::Unknown;
    };
    match api::read_introspection(&answer, token) {
        Ok(introspection) => {
            match login::apply_policy(&introspection, &Policy::default(), now_unix) {
                Ok(_) => Verified::Active,
                Err(CheckError::PatInactive { .. } | CheckError::PatExpired { .. }) => {
                    Verified::Inactive
                }
                Err(_) => Verified::Unknown,
            }
        }
        Err(ApiError::Unauthorized { .. }) => Verified::Inactive,
        Err(_) => Verified::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum;
    use crate::host::{HttpError, HttpRequest, HttpResponse};
    use crate::vectors::block_on_ready;

    const GITHUB: &str = "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";

    fn pat(seed: u8) -> String {
        let mut n = seed;
        checksum::mint("chp_", || {
            n = n.wrapping_mul(31).wrapping_add(17);
            n
        })
    }

    /// The same token with one body character changed: its checksum fails.
    fn mistyped(token: &str) -> String {
        let mut t = token.to_owned();
        let c = if &t[8..9] == "A" { "B" } else { "A" };
        t.replace_range(8..9, c);
        t
    }

    #[test]
    fn utf16_places_are_where_javascript_finds_the_token_whatever_the_chunks() {
        // Long enough for many chunks, with four-byte characters (two code units) across
        // chunk ends.
        let text = format!(
            "a\u{1F600}é\n\u{1F600}\u{1F600} {GITHUB}\n\n€ x {GITHUB} {GITHUB}\u{10FFFF}\n{GITHUB}\n"
        )
        .repeat(5);
        let units: Vec<u16> = text.encode_utf16().collect();
        let token: Vec<u16> = GITHUB.encode_utf16().collect();
        let mut expected = Vec::new();
        for index in 0..units.len() - token.len() + 1 {
            if units[index..index + token.len()] == token[..] {
                let line_start = units[..index]
                    .iter()
                    .rposition(|&u| u == u16::from(b'\n'))
                    .map_or(0, |n| n + 1);
                let line = units[..index].iter().filter(|&&u| u == 10).count() as u64 + 1;
                expected.push((line, (index - line_start) as u64 + 1, index as u64));
            }
        }
        assert_eq!(expected.len(), 20);
        let bytes = text.as_bytes();
        for size in [1, 2, 3, 7, 50, bytes.len()] {
            let mut stream = Finder::builtin().stream(false);
            let mut places = Utf16Places::default();
            let (mut start, mut found, mut placed) = (0, Vec::new(), Vec::new());
            loop {
                let end = (start + OVERLAP + size).min(bytes.len());
                let chunk = &bytes[start..end];
                let last = end == bytes.len();
                let consumed = stream.scan(chunk, last, &mut found);
                for f in found.drain(..) {
                    let p = places.place(chunk, start as u64, f);
                    assert_eq!(p.length, GITHUB.len());
                    placed.push((p.line, p.column, p.index));
                }
                places.count_to(chunk, start as u64, (start + consumed) as u64);
                start += consumed;
                if last {
                    break;
                }
            }
            assert_eq!(placed, expected, "chunks of {size}");
        }
    }

    fn kinds_at(text: &str) -> Vec<(u64, u64, String)> {
        find_tokens(text.as_bytes())
            .into_iter()
            .map(|f| (f.line, f.column, f.kind.into_owned()))
            .collect()
    }

    #[test]
    fn a_token_is_found_with_its_line_column_and_mask() {
        let t = pat(1);
        let text = format!("one\ntwo: é {t} three\n");
        let found = find_tokens(text.as_bytes());
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!((f.line, f.column, f.length), (2, 8, 40));
        assert_eq!(f.offset as usize, text.find("chp_").unwrap());
        assert_eq!(f.masked, format!("chp_…{}", &t[36..]));
        assert_eq!(f.checksum, ChecksumState::Valid);
        assert_eq!(f.token.as_ref().map(SecretToken::expose), Some(t.as_str()));
    }

    #[test]
    fn a_checksum_that_fails_is_reported_only_as_a_near_miss() {
        let bad = mistyped(&pat(2));
        assert!(find_tokens(bad.as_bytes()).is_empty());
        let near = Finder::builtin().find_all(bad.as_bytes(), true);
        assert_eq!(near.len(), 1);
        assert_eq!(near[0].checksum, ChecksumState::Invalid);
        assert!(
            near[0].token.is_none(),
            "a near miss is never sent anywhere"
        );
    }

    #[test]
    fn only_choreo_pats_keep_their_token() {
        let found = find_tokens(format!("{GITHUB} {}", pat(3)).as_bytes());
        let kept: Vec<_> = found.iter().map(|f| f.token.is_some()).collect();
        assert_eq!(kept, [false, true]);
    }

    #[test]
    fn a_token_inside_a_longer_string_is_not_one() {
        let t = pat(4);
        for text in [
            format!("x{t}"),
            format!("{t}x"),
            format!("_{t}"),
            format!("{t}-"),
            format!("a+{t}"),
            format!("{t}+b"),
            format!("~{t}"),
            format!("{t}9"),
        ] {
            assert!(find_tokens(text.as_bytes()).is_empty(), "{text}");
        }
    }

    #[test]
    fn separators_and_assignments_may_touch_a_token() {
        let t = pat(5);
        for text in [
            format!("TOKEN={t}"),
            format!("\"{t}\""),
            format!("https://{t}@example.com/x"),
            format!("the token is {t}."),
            format!("//registry.npmjs.org/:_authToken={t}\r\n"),
            format!("({t})"),
        ] {
            assert_eq!(find_tokens(text.as_bytes()).len(), 1, "{text}");
        }
    }

    #[test]
    fn each_kind_is_found_with_the_shape_it_needs() {
        let text = [
            GITHUB,
            "github_pat_11ABCDEFG0123456789abc_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
            "glpat-abcdefghij0123456789",
            "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
            "sk_live_51H8abcdefghijklmnopqrstuvwxyz0123456789",
            "AKIAIOSFODNN7EXAMPLE",
        ]
        .join("\n");
        let kinds: Vec<String> = kinds_at(&text).into_iter().map(|k| k.2).collect();
        assert_eq!(
            kinds,
            [
                "github-classic",
                "github-fine-grained",
                "gitlab-pat",
                "slack",
                "stripe-secret",
                "aws-access-key-id"
            ]
        );
    }

    #[test]
    fn prefixes_with_a_few_characters_after_them_are_mentions() {
        let text = "use xoxb-your-token-here or sk_test_mode, glpat-short, github_pat_x, \
                    AKIAIOSFODNN7EXAMPLEX, AKIAiosfodnn7example, chp_ and ghp_1234";
        assert!(kinds_at(text).is_empty(), "{:?}", kinds_at(text));
        assert!(Finder::builtin().find_all(text.as_bytes(), true).is_empty());
    }

    #[test]
    fn runs_longer_than_the_longest_token_are_not_tokens() {
        let long = format!("sk_live_{}", "a".repeat(MAX_TOKEN_LEN));
        assert!(find_tokens(long.as_bytes()).is_empty());
        let longest = format!("sk_live_{}", "a".repeat(MAX_TOKEN_LEN - 8));
        assert_eq!(find_tokens(longest.as_bytes()).len(), 1);
    }

    #[test]
    fn lines_end_at_newlines_and_columns_count_characters() {
        let t = pat(6);
        let text = format!("{t}\r\n\n  😀{t}\nx\t{t}");
        let at: Vec<(u64, u64)> = find_tokens(text.as_bytes())
            .iter()
            .map(|f| (f.line, f.column))
            .collect();
        assert_eq!(at, [(1, 1), (3, 4), (4, 3)]);
    }

    #[test]
    fn a_token_straddling_a_chunk_edge_is_found_once() {
        let t = pat(7);
        let text = format!("{}{t} tail", "a\n".repeat(300));
        let chunk = &text.as_bytes()[..600 + 20];
        let mut stream = Finder::builtin().stream(false);
        let mut out = Vec::new();
        let consumed = stream.scan(chunk, false, &mut out);
        assert!(out.is_empty() && consumed == chunk.len() - OVERLAP);
        stream.scan(&text.as_bytes()[consumed..], true, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].line, out[0].column, out[0].offset), (301, 1, 600));
    }

    struct Answer(Result<HttpResponse, HttpError>);

    impl HttpClient for Answer {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
            assert!(request.url.ends_with(api::INTROSPECT_PATH));
            self.0.clone()
        }
    }

    fn introspection(status: &str, valid_until: &str) -> Result<HttpResponse, HttpError> {
        Ok(HttpResponse {
            status: 200,
            headers: vec![],
            body: format!(
                r#"{{"id":"p","organizationUuid":"o","userId":"u","allowedScopes":[],"validUntil":"{valid_until}","status":"{status}"}}"#
            )
            .into_bytes(),
            ..HttpResponse::default()
        })
    }

    #[test]
    fn verification_judges_the_introspection_answer() {
        let api = ApiBase::parse("https://api.example").unwrap();
        let token = SecretToken::new(pat(8));
        let now = 1_800_000_000;
        let status = |code| {
            Ok(HttpResponse {
                status: code,
                ..HttpResponse::default()
            })
        };
        for (answer, verdict) in [
            (
                introspection("active", "2030-01-01T00:00:00Z"),
                Verified::Active,
            ),
            (
                introspection("ACTIVE", "2030-01-01T00:00:00Z"),
                Verified::Active,
            ),
            (
                introspection("revoked", "2030-01-01T00:00:00Z"),
                Verified::Inactive,
            ),
            (
                introspection("active", "2020-01-01T00:00:00Z"),
                Verified::Inactive,
            ),
            (introspection("active", "soon"), Verified::Unknown),
            (status(401), Verified::Inactive),
            (status(500), Verified::Unknown),
            (
                Err(HttpError::Connect {
                    detail: "refused".into(),
                }),
                Verified::Unknown,
            ),
        ] {
            let got = block_on_ready(verify(&Answer(answer.clone()), &api, &token, now));
            assert_eq!(got, verdict, "{answer:?}");
        }
    }

    #[test]
    fn each_token_is_verified_once_and_at_most_verify_max() {
        let text: String = (0..30u8)
            .map(|i| format!("{} {}\n", pat(i), pat(0)))
            .collect();
        let found = find_tokens(format!("{GITHUB}\n{text}").as_bytes());
        assert_eq!(found.len(), 61);
        let tokens = tokens_to_verify(&found);
        assert_eq!(tokens.len(), VERIFY_MAX);
        assert_eq!(tokens[0].expose(), pat(0));
        assert_eq!(tokens[1].expose(), pat(1));
    }
}
