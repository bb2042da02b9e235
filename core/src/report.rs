//! `inspect`: intake plus recognition, as one serialisable report. Its camelCase JSON is the
//! contract every host prints byte for byte.

use crate::checksum;
use crate::formats::{Format, FormatRules};
use crate::host::Clock;
use crate::intake;
use crate::jwt::{self, JwtClaims};
use crate::problem::{Code, Problem, Severity};
use crate::secret::SecretToken;
use serde::Serialize;
use std::borrow::Cow;

/// Shortest and longest token accepted as an opaque Choreo PAT.
pub const OPAQUE_LEN: std::ops::RangeInclusive<usize> = 16..=4096;
// A macro so static messages can `concat!` it without a run-time `format!`.
macro_rules! pat_home {
    () => {
        "Choreo Console > Account Settings > Personal Access Tokens"
    };
}
/// Where users create the token they actually need.
pub const PAT_HOME: &str = pat_home!();
/// The kind of a Choreo STS access token: a JWT whose `organization` claim is an object.
pub const STS_KIND: &str = "choreo-sts";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum ChecksumState {
    Valid,
    Invalid,
    None,
}

impl ChecksumState {
    /// The name in the report's JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChecksumState::Valid => "valid",
            ChecksumState::Invalid => "invalid",
            ChecksumState::None => "none",
        }
    }
}

/// What a token is and what is wrong with it. Holds no token material beyond the mask.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// No problem of severity `error`.
    pub ok: bool,
    /// `null` when intake found no token to recognise.
    pub kind: Option<Cow<'static, str>>,
    pub label: Option<Cow<'static, str>>,
    pub masked: Option<String>,
    /// Characters in the token after intake.
    pub length: Option<usize>,
    pub checksum: ChecksumState,
    pub jwt: Option<JwtClaims>,
    pub problems: Vec<Problem>,
}

impl Report {
    /// The first error, which decides the outcome and the exit status.
    pub fn first_error(&self) -> Option<&Problem> {
        self.problems.iter().find(|p| p.severity == Severity::Error)
    }
}

/// A report plus the token it describes, for the login flow. The token is present only when
/// the report is ok.
#[derive(Debug)]
pub struct Inspection {
    pub report: Report,
    pub token: Option<SecretToken>,
}

/// Masks as `prefix…last4`, or `…` alone for tokens shorter than 12 characters (or 12 bytes:
/// intake's tokens are ASCII) and for tokens that do not end in four ASCII characters.
pub fn mask(token: &str, prefix: &str) -> String {
    // Only the shown end is checked: a scan of the whole token cost 4 % of a JWT inspection.
    if token.len() < 12 || !token.as_bytes()[token.len() - 4..].is_ascii() {
        return "…".to_owned();
    }
    let mut out = String::with_capacity(prefix.len() + 7);
    out.push_str(prefix);
    out.push('…');
    out.push_str(&token[token.len() - 4..]);
    out
}

/// Whether `rest`, a token of `format` after its prefix, carries a checksum that holds:
/// `token inspect` and `token scan` judge it here alike.
pub fn checksum_state(format: &Format, rest: &str) -> ChecksumState {
    if !format.checksum {
        ChecksumState::None
    } else if checksum::verify(rest) {
        ChecksumState::Valid
    } else {
        ChecksumState::Invalid
    }
}

/// `report` refused with `code`: the error joins its problems, in place of the notes about what
/// else the token could be used as.
pub(crate) fn refuse(
    mut report: Report,
    code: Code,
    message: impl Into<Cow<'static, str>>,
) -> Report {
    report
        .problems
        .retain(|p| !matches!(p.code, Code::StsToken | Code::JwtNotPat));
    report.problems.push(Problem::new(code, message));
    report.ok = false;
    report
}

/// Inspects input with the built-in rules at `now_unix` (seconds).
pub fn inspect(input: &[u8], now_unix: i64) -> Report {
    report_and_token(input, FormatRules::builtin(), &|| now_unix).0
}

/// [`inspect`] at the time of `clock`, read only when a rule needs it (a JWT's `exp` or
/// `nbf`), and then once: a host whose clock costs a call out of its sandbox (wasm's
/// `Date.now()`) pays it only for those inputs.
pub fn inspect_with_clock(input: &[u8], clock: &dyn Clock) -> Report {
    report_and_token(input, FormatRules::builtin(), &|| {
        clock.now_unix_ms().div_euclid(1000)
    })
    .0
}

/// Intake and recognition with explicit rules; keeps the token for the caller.
pub fn examine(input: &[u8], rules: &FormatRules, now_unix: i64) -> Inspection {
    let (report, token) = report_and_token(input, rules, &|| now_unix);
    let token = token
        .filter(|_| report.ok)
        .map(|t| SecretToken::new(t.to_owned()));
    Inspection { report, token }
}

/// The report, and the token as a slice of the input (copied only by [`examine`]).
fn report_and_token<'a>(
    input: &'a [u8],
    rules: &FormatRules,
    now_unix: &dyn Fn() -> i64,
) -> (Report, Option<&'a str>) {
    let intake::Borrowed {
        token,
        mut problems,
    } = intake::borrow(input);
    let Some(token) = token else {
        let report = Report {
            ok: false,
            kind: None,
            label: None,
            masked: None,
            length: None,
            checksum: ChecksumState::None,
            jwt: None,
            problems,
        };
        return (report, None);
    };
    let report = report_token(token, rules, now_unix, &mut problems);
    (Report { problems, ..report }, Some(token))
}

fn report_token(
    t: &str,
    rules: &FormatRules,
    now: &dyn Fn() -> i64,
    problems: &mut Vec<Problem>,
) -> Report {
    let mut report = Report {
        ok: true,
        kind: None,
        label: None,
        masked: None,
        length: Some(t.len()),
        checksum: ChecksumState::None,
        jwt: None,
        problems: Vec::new(),
    };
    if let Some((format, prefix)) = rules.recognise(t) {
        report.kind = Some(format.kind.clone());
        report.label = Some(format.label.clone());
        report.masked = Some(mask(t, prefix));
        if format.foreign {
            problems.push(Problem::error(
                Code::ForeignToken,
                format!(
                    "this is a {}, not a choreo token; create a personal access token in {PAT_HOME}",
                    format.label
                ),
            ));
        }
        report.checksum = checksum_state(format, &t[prefix.len()..]);
        if report.checksum == ChecksumState::Invalid {
            problems.push(Problem::error(
                Code::ChecksumMismatch,
                format!(
                    "the checksum of this {} does not match; it was mistyped or cut short",
                    format.label
                ),
            ));
        }
    } else if let Some((header, payload, _)) = jwt::segments(t) {
        report.kind = Some(Cow::Borrowed("jwt"));
        report.label = Some(Cow::Borrowed("JSON Web Token"));
        report.masked = Some(mask(t, ""));
        check_jwt(t, (header, payload), now, &mut report, problems);
    } else {
        report.kind = Some(Cow::Borrowed("opaque"));
        report.label = Some(Cow::Borrowed(
            "opaque token, accepted as a Choreo personal access token",
        ));
        report.masked = Some(mask(t, ""));
        let (min, max) = (*OPAQUE_LEN.start(), *OPAQUE_LEN.end());
        if t.len() < min {
            problems.push(Problem::error(
                Code::TooShort,
                format!(
                    "the token has {} characters; a personal access token has at least {min}",
                    t.len()
                ),
            ));
        } else if t.len() > max {
            problems.push(Problem::error(
                Code::TooLong,
                format!(
                    "the token has {} characters; a personal access token has at most {max}",
                    t.len()
                ),
            ));
        }
    }
    report.ok = !problems.iter().any(|p| p.severity == Severity::Error);
    report
}

fn check_jwt(
    t: &str,
    (header, payload): (&str, &str),
    now: &dyn Fn() -> i64,
    report: &mut Report,
    problems: &mut Vec<Problem>,
) {
    if t.len() > jwt::MAX_JWT_LEN {
        problems.push(Problem::error(
            Code::TooLong,
            format!(
                "the jwt has {} characters; at most {} are decoded",
                t.len(),
                jwt::MAX_JWT_LEN
            ),
        ));
        return;
    }
    let claims = match jwt::decode_parts(header, payload) {
        Ok(claims) => claims,
        Err(e) => {
            problems.push(Problem::error(Code::JwtMalformed, e.to_string()));
            return;
        }
    };
    let time = std::cell::OnceCell::new();
    let now = || *time.get_or_init(now);
    let sts = claims.organization();
    if sts.is_some() {
        report.kind = Some(Cow::Borrowed(STS_KIND));
        report.label = Some(Cow::Borrowed("Choreo STS access token"));
    }
    let expired = claims
        .exp
        .is_some_and(|exp| now() > exp.saturating_add(jwt::LEEWAY_SECS));
    if claims.alg().eq_ignore_ascii_case("none") {
        problems.push(Problem::error(
            Code::JwtAlgNone,
            "the jwt is unsigned (alg \"none\") and is refused",
        ));
    } else if expired && sts.is_some() {
        let at = crate::time::format_rfc3339(claims.exp.unwrap_or_default());
        problems.push(Problem::error(
            Code::StsExpired,
            format!("the choreo sts access token expired at {at}; get a new one"),
        ));
    } else if expired {
        problems.push(Problem::error(Code::JwtExpired, "the jwt has expired"));
    } else if claims
        .nbf
        .is_some_and(|nbf| nbf > now().saturating_add(jwt::LEEWAY_SECS))
    {
        problems.push(Problem::error(
            Code::JwtNotYetValid,
            "the jwt is not valid yet",
        ));
    } else if let Some(org) = sts {
        problems.push(if org.handle.is_none_or(str::is_empty) {
            Problem::error(
                Code::StsMissingOrganization,
                "the choreo sts access token names no organization: its organization claim has \
                 no handle",
            )
        } else {
            Problem::notice(
                Code::StsToken,
                "a choreo sts access token: short-lived, so commands use it from \
                 CLOUD_STS_TOKEN in memory and never store it",
            )
        });
    } else {
        problems.push(Problem::warning(
            Code::JwtNotPat,
            concat!(
                "this is a short-lived access token, not a personal access token; create one in ",
                pat_home!()
            ),
        ));
    }
    report.jwt = Some(claims);
}

/// `inspect` serialised, as `choreo token inspect --json` and `inspectToken()` print it.
pub fn inspect_json(input: &[u8], now_unix: i64) -> String {
    to_json(&inspect(input, now_unix))
}

/// The canonical JSON of a report.
pub fn to_json(report: &Report) -> String {
    // A Report holds only strings, numbers, bools and vectors: serialising cannot fail.
    serde_json::to_string(report).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const GITHUB: &str = "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";

    fn codes(r: &Report) -> Vec<&'static str> {
        r.problems.iter().map(|p| p.code.as_str()).collect()
    }

    /// `NOW` and a millisecond, counting its reads.
    struct CountingClock(std::cell::Cell<u32>);

    impl Clock for CountingClock {
        fn now_unix_ms(&self) -> i64 {
            self.0.set(self.0.get() + 1);
            NOW * 1000 + 1
        }
    }

    #[test]
    fn the_clock_is_read_once_and_only_for_a_jwt_with_exp_or_nbf() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = |payload: &str| format!("{}.{}.c2ln", b64(r#"{"alg":"RS256"}"#), b64(payload));
        let pat = checksum::mint("chp_", || 7);
        for (input, reads) in [
            (pat, 0),
            (jwt(r#"{"sub":"u"}"#), 0),
            (jwt(r#"{"exp":1900000000}"#), 1),
            (jwt(r#"{"exp":1900000000,"nbf":1700000000}"#), 1),
            (jwt(r#"{"exp":1700000000,"nbf":1700000000}"#), 1),
        ] {
            let clock = CountingClock(std::cell::Cell::new(0));
            let lazy = inspect_with_clock(input.as_bytes(), &clock);
            assert_eq!(clock.0.get(), reads, "{input}");
            assert_eq!(to_json(&lazy), to_json(&inspect(input.as_bytes(), NOW)));
        }
    }

    #[test]
    fn a_minted_choreo_pat_is_recognised_and_checksum_verified() {
        let t = checksum::mint("chp_", || 7);
        let r = inspect(t.as_bytes(), NOW);
        assert!(r.ok);
        assert_eq!(r.kind.as_deref(), Some("choreo-pat"));
        assert_eq!(r.checksum, ChecksumState::Valid);
        assert_eq!(r.masked.unwrap(), format!("chp_…{}", &t[t.len() - 4..]));
    }

    #[test]
    fn a_mistyped_choreo_pat_is_a_checksum_mismatch() {
        let mut t = checksum::mint("chp_", || 7);
        t.replace_range(10..11, if &t[10..11] == "A" { "B" } else { "A" });
        let r = inspect(t.as_bytes(), NOW);
        assert!(!r.ok);
        assert_eq!(codes(&r), ["checksum-mismatch"]);
    }

    #[test]
    fn a_github_token_is_foreign_and_says_where_to_get_a_pat() {
        let r = inspect(GITHUB.as_bytes(), NOW);
        assert_eq!(codes(&r), ["foreign-token"]);
        assert_eq!(r.checksum, ChecksumState::Valid);
        assert!(
            r.problems[0]
                .message
                .starts_with("this is a GitHub token (classic), not a choreo token")
        );
        assert!(r.problems[0].message.contains("Personal Access Tokens"));
    }

    #[test]
    fn opaque_tokens_are_accepted_between_16_and_4096_characters() {
        assert!(inspect(&[b'a'; 16], NOW).ok);
        assert_eq!(codes(&inspect(&[b'a'; 15], NOW)), ["too-short"]);
        assert!(inspect(&[b'a'; 4096], NOW).ok);
        assert_eq!(codes(&inspect(&[b'a'; 4097], NOW)), ["too-long"]);
    }

    #[test]
    fn short_tokens_are_masked_completely() {
        assert_eq!(mask("abcdefghijk", ""), "…");
        assert_eq!(mask("abcdefghijkl", ""), "…ijkl");
        assert_eq!(mask("abcdefghijklé", ""), "…");
    }

    #[test]
    fn intake_failures_have_no_kind() {
        let r = inspect(b"", NOW);
        assert_eq!((r.ok, r.kind, r.length), (false, None, None));
        assert_eq!(
            to_json(&inspect(b"", NOW)),
            r#"{"ok":false,"kind":null,"label":null,"masked":null,"length":null,"checksum":"none","jwt":null,"problems":[{"code":"empty","severity":"error","message":"no token in the input"}]}"#
        );
    }

    #[test]
    fn names_of_checksum_states_severities_and_codes_are_their_json() {
        for state in [
            ChecksumState::Valid,
            ChecksumState::Invalid,
            ChecksumState::None,
        ] {
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                format!("\"{}\"", state.as_str())
            );
        }
        for severity in [Severity::Error, Severity::Warning, Severity::Notice] {
            assert_eq!(
                serde_json::to_string(&severity).unwrap(),
                format!("\"{}\"", severity.as_str())
            );
        }
        for &code in crate::Code::ALL {
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
    }
}
