//! Everything the CLI prints. Only the `token` command ever prints token material.

use crate::error::CliError;
use anstyle::{AnsiColor, Style};
use choreo_auth_core::report::ChecksumState;
use choreo_auth_core::time::{format_rfc3339, parse_rfc3339};
use choreo_auth_core::{Code, Problem, Report, Session, Severity};
use serde::Serialize;
use std::io::Write;

/// Colour for a line's leading label (`choreo:`, `error:`, `warning:`, ...), if it has one.
fn label_style(label: &str) -> Option<Style> {
    let colour = match label {
        "choreo:" | "error:" => AnsiColor::Red,
        "warning:" => AnsiColor::Yellow,
        "notice:" | "note:" => AnsiColor::Cyan,
        "help:" => AnsiColor::Green,
        _ => return None,
    };
    Some(Style::new().bold().fg_color(Some(colour.into())))
}

/// The line with its label styled. The styles reach a terminal only: `anstream` drops them
/// when the stream is not one, or NO_COLOR is set, and keeps them under CLICOLOR_FORCE, as
/// clap decides for its own messages.
fn paint(line: &str) -> String {
    let body = line.trim_start_matches(' ');
    let indent = &line[..line.len() - body.len()];
    match body.split_once(' ') {
        Some((label, rest)) if let Some(style) = label_style(label) => {
            format!("{indent}{style}{label}{style:#} {rest}")
        }
        _ => line.to_owned(),
    }
}

/// Writes lines to stderr, coloured where colour is wanted.
pub fn to_stderr(lines: impl IntoIterator<Item = String>) {
    let mut err = anstream::stderr().lock();
    for line in lines {
        let _ = writeln!(err, "{}", paint(&line));
    }
}

/// Writes lines to stdout, coloured where colour is wanted.
pub fn to_stdout(lines: impl IntoIterator<Item = String>) -> std::io::Result<()> {
    let mut out = anstream::stdout().lock();
    for line in lines {
        writeln!(out, "{}", paint(&line))?;
    }
    Ok(())
}

/// Whether stderr gets colour (for the `-v` log, which writes to stderr on its own).
pub fn colour_on_stderr() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// `text` with every command-line argument that is a token (or holds one after `=`) replaced
/// by its mask: error messages may quote arguments, and a token is never echoed back.
pub fn redact_arguments(text: &str) -> String {
    let mut text = text.to_owned();
    for arg in std::env::args_os().skip(1) {
        let arg = arg.to_string_lossy().into_owned();
        let pieces = std::iter::once(arg.as_str()).chain(arg.split(['=', ' ', '\t']));
        for piece in pieces {
            if let Some(masked) = choreo_auth_core::source::mask_if_token(piece)
                && !piece.is_empty()
            {
                text = text.replace(piece, &masked);
            }
        }
    }
    text
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Notice => "notice",
    }
}

/// One line per problem: `  warning: <message> (<code>)`.
pub fn problem_lines(problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| format!("{}: {} ({})", severity(p.severity), p.message, p.code))
        .collect()
}

/// The error object every `--json` command prints: `{code, message, problems}`.
#[derive(Debug, Serialize)]
pub struct JsonError {
    pub code: Code,
    pub message: String,
    pub problems: Vec<Problem>,
}

impl JsonError {
    pub fn of(e: &CliError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
            problems: e.problems().to_vec(),
        }
    }
}

/// `choreo: <message> (<code>)` on stderr, the other problems under it (the message is the
/// first error's, printed once) and the next step; with `--json` also `{"code", "message",
/// "problems"}` on stdout.
pub fn print_error(e: &CliError, json: bool) {
    let message = redact_arguments(&e.to_string());
    let mut lines = vec![format!("choreo: {message} ({})", e.code())];
    let others: Vec<Problem> = e
        .problems()
        .iter()
        .filter(|p| !(p.severity == Severity::Error && p.message == message))
        .cloned()
        .collect();
    lines.extend(problem_lines(&others).into_iter().map(|l| format!("  {l}")));
    if let Some(step) = e.next_step() {
        lines.push(format!("help: {step}"));
    }
    to_stderr(lines);
    if json {
        let body = JsonError {
            message,
            ..JsonError::of(e)
        };
        let _ = writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string(&body).unwrap_or_default()
        );
    }
}

/// `2026-12-01T00:00:00Z (in 3 days)`, `never`, or the raw text if it does not parse.
pub fn expiry(valid_until: Option<&str>, now: i64) -> String {
    let Some(text) = valid_until else {
        return "never (the token has no expiry date)".to_owned();
    };
    let Some(at) = parse_rfc3339(text) else {
        return text.to_owned();
    };
    let left = at - now;
    let when = if left <= 0 {
        "expired".to_owned()
    } else if left < 86_400 {
        "in less than a day".to_owned()
    } else {
        let days = left / 86_400;
        format!("in {days} day{}", if days == 1 { "" } else { "s" })
    };
    format!("{} ({when})", format_rfc3339(at))
}

fn scopes<'a>(s: impl IntoIterator<Item = &'a str>) -> String {
    let list: Vec<&str> = s.into_iter().collect();
    if list.is_empty() {
        "(none)".to_owned()
    } else {
        list.join(", ")
    }
}

/// Who, which organization, which token, its scopes and expiry.
pub fn session_lines(session: &Session, now: i64) -> Vec<String> {
    vec![
        format!(
            "organization: {} ({})",
            session.organization.name, session.organization.handle
        ),
        format!("token: {} ({})", session.masked, session.kind),
        format!(
            "scopes: {}",
            scopes(session.scopes.iter().map(String::as_str))
        ),
        format!("expires: {}", expiry(session.valid_until.as_deref(), now)),
    ]
}

/// The human form of `token inspect`.
pub fn report_lines(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    let or_dash = |v: Option<&str>| v.unwrap_or("-").to_owned();
    lines.push(format!(
        "kind: {} ({})",
        or_dash(report.kind.as_deref()),
        or_dash(report.label.as_deref())
    ));
    lines.push(format!("masked: {}", or_dash(report.masked.as_deref())));
    lines.push(format!(
        "length: {}",
        report.length.map_or("-".to_owned(), |l| l.to_string())
    ));
    let checksum = match report.checksum {
        ChecksumState::Valid => "valid",
        ChecksumState::Invalid => "invalid",
        ChecksumState::None => "none",
    };
    lines.push(format!("checksum: {checksum}"));
    if let Some(jwt) = &report.jwt {
        let time = |t: Option<i64>| t.map_or("-".to_owned(), format_rfc3339);
        lines.push(format!("jwt alg: {}", jwt.alg()));
        lines.push(format!("jwt issuer: {}", or_dash(jwt.iss())));
        lines.push(format!("jwt subject: {}", or_dash(jwt.sub())));
        lines.push(format!("jwt audience: {}", scopes(jwt.aud())));
        lines.push(format!("jwt scopes: {}", scopes(jwt.scopes())));
        lines.push(format!("jwt issued at: {}", time(jwt.iat)));
        lines.push(format!("jwt not before: {}", time(jwt.nbf)));
        lines.push(format!("jwt expires: {}", time(jwt.exp)));
        if let Some(org) = jwt.organization() {
            lines.push(format!(
                "jwt organization: {} (uuid {})",
                or_dash(org.handle.filter(|h| !h.is_empty())),
                or_dash(org.uuid.filter(|u| !u.is_empty()))
            ));
        }
    }
    if report.problems.is_empty() {
        lines.push("problems: none".to_owned());
    } else {
        lines.push("problems:".to_owned());
        lines.extend(
            problem_lines(&report.problems)
                .into_iter()
                .map(|l| format!("  {l}")),
        );
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn expiry_says_how_long_is_left() {
        assert_eq!(
            expiry(Some(&format_rfc3339(NOW + 3 * 86_400 + 5)), NOW),
            format!("{} (in 3 days)", format_rfc3339(NOW + 3 * 86_400 + 5))
        );
        assert!(expiry(Some(&format_rfc3339(NOW + 60)), NOW).ends_with("(in less than a day)"));
        assert!(expiry(Some(&format_rfc3339(NOW - 60)), NOW).ends_with("(expired)"));
        assert!(expiry(None, NOW).starts_with("never"));
    }

    #[test]
    fn an_empty_report_lists_its_problem_with_code() {
        let lines = report_lines(&choreo_auth_core::inspect(b"", NOW));
        assert!(
            lines.contains(&"  error: no token in the input (empty)".to_owned()),
            "{lines:?}"
        );
    }
}
