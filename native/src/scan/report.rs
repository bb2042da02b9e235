//! What `token scan` prints: text lines, one JSON document, or SARIF 2.1.0. Only masks.

use super::{Found, ScanArgs, Totals};
use choreo_auth_core::finder::Finder;
use choreo_auth_core::report::ChecksumState;
use serde::Serialize;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::io::{self, Write};

/// The SARIF schema this output follows (OASIS SARIF 2.1.0 with errata 01).
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn print(args: &ScanArgs, found: &[Found], totals: &Totals) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &json_document(found, totals))?;
        writeln!(out)?;
    } else if args.sarif {
        serde_json::to_writer(&mut out, &sarif(found))?;
        writeln!(out)?;
    } else {
        for f in found {
            writeln!(out, "{}", text_line(f))?;
        }
        out.flush()?;
        let tokens = match found.len() {
            0 => "no tokens".to_owned(),
            1 => "1 token".to_owned(),
            n => format!("{n} tokens"),
        };
        let _ = writeln!(
            io::stderr().lock(),
            "{tokens} found in {} files ({} bytes scanned)",
            totals.files,
            totals.bytes
        );
    }
    out.flush()
}

/// `path:line:column kind masked`, then `(checksum invalid)` or the verdict if any.
fn text_line(f: &Found) -> String {
    let finding = &f.finding;
    let mut line = match &f.commit {
        Some(commit) => format!("{}:", &commit[..commit.len().min(12)]),
        None => String::new(),
    };
    line.push_str(&terminal_safe(&f.path));
    line.push_str(&format!(
        ":{}:{} {} {}",
        finding.line, finding.column, finding.kind, finding.masked
    ));
    if finding.checksum == ChecksumState::Invalid {
        line.push_str(" (checksum invalid)");
    }
    if let Some(verified) = f.verified {
        line.push_str(&format!(" ({})", verified.as_str()));
    }
    line
}

/// Text with C0 and C1 controls, DEL and bidi controls written as `\u{…}`: a file name from
/// an untrusted repository must not drive the terminal.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if unsafe_char(c) {
                    format!("\\u{{{:x}}}", u32::from(c))
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonDocument<'a> {
    findings: Vec<JsonFinding<'a>>,
    files_scanned: u64,
    bytes_scanned: u64,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    line: u64,
    column: u64,
    kind: &'a str,
    label: &'a str,
    masked: &'a str,
    checksum: ChecksumState,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<&'static str>,
}

fn json_document<'a>(found: &'a [Found], totals: &Totals) -> JsonDocument<'a> {
    JsonDocument {
        findings: found
            .iter()
            .map(|f| JsonFinding {
                path: &f.path,
                commit: f.commit.as_deref(),
                line: f.finding.line,
                column: f.finding.column,
                kind: &f.finding.kind,
                label: &f.finding.label,
                masked: &f.finding.masked,
                checksum: f.finding.checksum,
                verified: f.verified.map(|v| v.as_str()),
            })
            .collect(),
        files_scanned: totals.files,
        bytes_scanned: totals.bytes,
    }
}

/// One SARIF log with one run: a rule per kind the finder knows, a result per finding.
fn sarif(found: &[Found]) -> Value {
    let formats = &Finder::builtin().rules().formats;
    let rules: Vec<Value> = formats
        .iter()
        .map(|f| {
            json!({
                "id": f.kind,
                "shortDescription": {"text": format!("{} in plain text", f.label)},
                "fullDescription": {"text": format!(
                    "A {} is in the file. Whoever can read the file can use it: revoke it, then \
                     remove it from the file and from the history.",
                    f.label
                )},
                "defaultConfiguration": {"level": "error"},
                "properties": {
                    "tags": ["security", "secret"],
                    "precision": if f.checksum { "very-high" } else { "high" },
                },
            })
        })
        .collect();
    let results: Vec<Value> = found
        .iter()
        .map(|f| {
            let finding = &f.finding;
            let rule_index = formats.iter().position(|r| r.kind == finding.kind);
            let mut message = format!("{} {}", finding.label, finding.masked);
            if finding.checksum == ChecksumState::Invalid {
                message.push_str(" (checksum invalid: a near miss, perhaps mistyped)");
            }
            if let Some(v) = f.verified {
                message.push_str(&format!(" (the api says: {})", v.as_str()));
            }
            let mut location = json!({"uri": uri(&f.path)});
            if !f.path.starts_with('/') {
                location["uriBaseId"] = json!("%SRCROOT%");
            }
            let mut result = json!({
                "ruleId": finding.kind,
                "level": if finding.checksum == ChecksumState::Invalid { "warning" } else { "error" },
                "message": {"text": message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": location,
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endColumn": finding.column + finding.length as u64,
                    },
                }}],
            });
            if let Some(i) = rule_index {
                result["ruleIndex"] = json!(i);
            }
            let mut properties = serde_json::Map::new();
            if let Some(commit) = &f.commit {
                properties.insert("commit".into(), json!(commit));
            }
            if let Some(v) = f.verified {
                properties.insert("verified".into(), json!(v.as_str()));
            }
            if !properties.is_empty() {
                result["properties"] = Value::Object(properties);
            }
            result
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "choreo token scan",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A path as a URI reference: `/` separators, other bytes outside RFC 3986's unreserved set
/// percent-encoded; absolute paths as `file://` URIs.
fn uri(path: &str) -> String {
    let mut out = String::new();
    let path = if cfg!(windows) {
        Cow::Owned(path.replace('\\', "/"))
    } else {
        Cow::Borrowed(path)
    };
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_never_reach_the_terminal() {
        assert_eq!(terminal_safe("src/a.txt"), "src/a.txt");
        assert_eq!(
            terminal_safe("a\u{1b}]0;x\u{7}\u{202e}b\u{9b}"),
            "a\\u{1b}]0;x\\u{7}\\u{202e}b\\u{9b}"
        );
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("src/a b%.txt"), "src/a%20b%25.txt");
        assert_eq!(uri("/tmp/x"), "file:///tmp/x");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("dir/é"), "dir/%C3%A9");
    }
}
