//! Stable problem codes, severities and messages: the vocabulary every host shows alike.

use serde::Serialize;
use std::borrow::Cow;

/// How bad a problem is. Only `Error` makes a report not `ok`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Notice,
}

impl Severity {
    /// The name in the report's JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        }
    }
}

/// CLI exit statuses, one per code: 0 success, 1 the API, the network or the credential store
/// said no, 2 usage error or input refused before any request, 4 not logged in.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_NOT_LOGGED_IN: u8 = 4;

macro_rules! codes {
    ($($variant:ident => $code:literal, $severity:ident, $exit:ident, $meaning:literal;)*) => {
        /// Every stable code any host can report, from the token rules to the CLI and the npm
        /// package. The kebab-case string is the contract.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
        pub enum Code {
            $(#[doc = $meaning] #[serde(rename = $code)] $variant,)*
        }

        impl Code {
            /// All codes, in declaration order (the docs' table and the vector tests use it).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable kebab-case code.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// How bad it is: only `Error` codes fail a report or a command.
            pub const fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// The `choreo` CLI's exit status when a command fails with this code (0 for
            /// warnings and notices, which never fail a command).
            pub const fn exit_status(self) -> u8 {
                match self { $(Code::$variant => $exit,)* }
            }

            /// One line on what the code means, for the docs' table of codes.
            pub const fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $meaning,)* }
            }
        }
    };
}

codes! {
    // Intake.
    StrippedBom => "stripped-bom", Notice, EXIT_OK,
        "a byte order mark before the token was removed";
    Utf16Encoding => "utf16-encoding", Error, EXIT_USAGE,
        "the input is UTF-16 (as PowerShell 5.1 `>` writes it); save it as UTF-8";
    Empty => "empty", Error, EXIT_USAGE,
        "no token in the input";
    MultipleLines => "multiple-lines", Error, EXIT_USAGE,
        "more than one line of text; none is taken silently";
    InnerWhitespace => "inner-whitespace", Error, EXIT_USAGE,
        "whitespace inside the token";
    ControlCharacter => "control-character", Error, EXIT_USAGE,
        "a control character inside the token";
    InvalidUtf8 => "invalid-utf8", Error, EXIT_USAGE,
        "the input is not valid UTF-8";
    TooLong => "too-long", Error, EXIT_USAGE,
        "longer than any token this tool accepts";
    StrippedBearer => "stripped-bearer", Notice, EXIT_OK,
        "a leading `Bearer ` was removed";
    StrippedQuotes => "stripped-quotes", Notice, EXIT_OK,
        "quotes around the token were removed";
    StrippedAssignment => "stripped-assignment", Notice, EXIT_OK,
        "a leading `export CHOREO_TOKEN=` (or similar) was removed";
    InvalidCharacter => "invalid-character", Error, EXIT_USAGE,
        "a character no bearer token can contain (RFC 6750 b64token)";
    // Recognition.
    TooShort => "too-short", Error, EXIT_USAGE,
        "shorter than any Choreo token";
    ChecksumMismatch => "checksum-mismatch", Error, EXIT_USAGE,
        "a `chp_` token whose checksum is wrong: mistyped or truncated";
    ForeignToken => "foreign-token", Error, EXIT_USAGE,
        "a token of another service (GitHub, npm, GitLab, Slack, Stripe, AWS)";
    JwtAlgNone => "jwt-alg-none", Error, EXIT_USAGE,
        "an unsigned JWT (`alg: none`)";
    JwtMalformed => "jwt-malformed", Error, EXIT_USAGE,
        "looks like a JWT but does not decode as one";
    JwtExpired => "jwt-expired", Error, EXIT_USAGE,
        "a JWT past its `exp`";
    JwtNotYetValid => "jwt-not-yet-valid", Error, EXIT_USAGE,
        "a JWT before its `nbf`";
    JwtNotPat => "jwt-not-pat", Warning, EXIT_OK,
        "a JWT access token, not a personal access token";
    StsToken => "sts-token", Notice, EXIT_OK,
        "a Choreo STS access token (a JWT with an `organization` claim): used from CLOUD_STS_TOKEN in memory, never stored";
    StsExpired => "sts-expired", Error, EXIT_USAGE,
        "a Choreo STS access token past its `exp`";
    StsMissingOrganization => "sts-missing-organization", Error, EXIT_USAGE,
        "a Choreo STS access token without an organization handle";
    StsExpected => "sts-expected", Error, EXIT_USAGE,
        "CLOUD_STS_TOKEN holds no JWT, where a Choreo STS access token belongs";
    StsNotPat => "sts-not-pat", Error, EXIT_USAGE,
        "a Choreo STS access token where a personal access token belongs (login, CHOREO_TOKEN, WSO2IP_PAT)";
    // Policy after introspection.
    PatInactive => "pat-inactive", Error, EXIT_FAILED,
        "the API says the token is not active (revoked)";
    PatExpired => "pat-expired", Error, EXIT_FAILED,
        "the API says the token has expired";
    PatExpiringSoon => "pat-expiring-soon", Warning, EXIT_OK,
        "the token expires within a week";
    MissingScopes => "missing-scopes", Error, EXIT_FAILED,
        "the token lacks a required scope";
    OrgNotFound => "org-not-found", Error, EXIT_FAILED,
        "the token's organization is not among those it can see";
    Unauthorized => "unauthorized", Error, EXIT_FAILED,
        "the API refused the token (unknown, revoked, expired or for another region)";
    ServerError => "server-error", Error, EXIT_FAILED,
        "the API answered with an error status";
    BadResponse => "bad-response", Error, EXIT_FAILED,
        "the API's answer is not what the protocol says";
    // Hosts: the network, the credential store, the command line, the npm package.
    NetworkError => "network-error", Error, EXIT_FAILED,
        "the API could not be reached (connection, TLS, timeout, size limit)";
    InvalidApiBase => "invalid-api-base", Error, EXIT_USAGE,
        "the API base is not a usable URL";
    InsecureApiBase => "insecure-api-base", Error, EXIT_USAGE,
        "an `http://` API base off loopback";
    StorageUnavailable => "storage-unavailable", Error, EXIT_FAILED,
        "no credential store is reachable (no OS keyring)";
    StorageCorrupt => "storage-corrupt", Error, EXIT_FAILED,
        "stored credentials cannot be read back";
    StorageFailed => "storage-failed", Error, EXIT_FAILED,
        "reading or writing the credential store failed";
    RandomUnavailable => "random-unavailable", Error, EXIT_FAILED,
        "no secure random source";
    NotLoggedIn => "not-logged-in", Error, EXIT_NOT_LOGGED_IN,
        "no stored account matches (API base, organization)";
    AmbiguousAccount => "ambiguous-account", Error, EXIT_USAGE,
        "several accounts could be meant; name one with `--org`";
    EnvTokenInUse => "env-token-in-use", Notice, EXIT_OK,
        "login: the token variable in use holds the same token, and commands use it first while it is set";
    EnvTokenOnly => "env-token-only", Notice, EXIT_OK,
        "login: no OS keyring, so nothing was stored; the token variable serves this environment";
    EnvTokenDiffers => "env-token-differs", Warning, EXIT_OK,
        "login: the token variable in use holds another token, which commands keep using first";
    EnvTokenPrecedence => "env-token-precedence", Notice, EXIT_OK,
        "several token variables are set; the first of CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN is used";
    Rejected => "rejected", Error, EXIT_USAGE,
        "the token was refused before any request";
    TokenInArguments => "token-in-arguments", Error, EXIT_USAGE,
        "a token was given on the command line, where `ps` and shell history see it";
    MissingWithToken => "missing-with-token", Error, EXIT_USAGE,
        "`choreo login` without `--with-token`";
    InputUnreadable => "input-unreadable", Error, EXIT_USAGE,
        "stdin could not be read";
    OutputFailed => "output-failed", Error, EXIT_FAILED,
        "stdout could not be written";
    InvalidTimeout => "invalid-timeout", Error, EXIT_USAGE,
        "a `--timeout` or `CHOREO_TIMEOUT` that is not 1 to 3600 seconds";
    RuntimeUnavailable => "runtime-unavailable", Error, EXIT_FAILED,
        "the CLI's async runtime could not start";
    InvalidArgument => "invalid-argument", Error, EXIT_USAGE,
        "npm package: an option or argument of the wrong type";
    BadRequest => "bad-request", Error, EXIT_USAGE,
        "host protocol: a request that is not the documented JSON";
    UnsupportedVersion => "unsupported-version", Error, EXIT_USAGE,
        "host protocol: a request in a protocol version the module does not speak";
    BadVector => "bad-vector", Error, EXIT_USAGE,
        "test builds of the npm package: a vector that is not one";
    Cancelled => "cancelled", Error, EXIT_USAGE,
        "VS Code: the user dismissed the sign-in";
    InternalError => "internal-error", Error, EXIT_FAILED,
        "VS Code: an error without a code (a defect)";
    // `token scan --git` and `--staged` (hosts only).
    NotAGitRepository => "not-a-git-repository", Error, EXIT_USAGE,
        "`token scan --git` or `--staged` outside a git repository";
    GitUnreadable => "git-unreadable", Error, EXIT_FAILED,
        "`token scan` could not read the git repository";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: a stable code, its severity and a lowercase message without token material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Problem {
    pub code: Code,
    pub severity: Severity,
    pub message: Cow<'static, str>,
}

impl Problem {
    /// A problem with the code's own severity.
    pub fn new(code: Code, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
        }
    }
    pub(crate) fn error(code: Code, message: impl Into<Cow<'static, str>>) -> Self {
        debug_assert_eq!(code.severity(), Severity::Error, "{code}");
        Self::new(code, message)
    }
    pub(crate) fn warning(code: Code, message: impl Into<Cow<'static, str>>) -> Self {
        debug_assert_eq!(code.severity(), Severity::Warning, "{code}");
        Self::new(code, message)
    }
    pub(crate) fn notice(code: Code, message: impl Into<Cow<'static, str>>) -> Self {
        debug_assert_eq!(code.severity(), Severity::Notice, "{code}");
        Self::new(code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_exit_statuses_follow_severity() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !s.starts_with('-')
                    && !s.ends_with('-'),
                "{s}"
            );
            let fails = code.severity() == Severity::Error;
            assert_eq!(code.exit_status() != EXIT_OK, fails, "{s}");
            assert!(
                [EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_LOGGED_IN]
                    .contains(&code.exit_status()),
                "{s}"
            );
            assert!(
                !code.meaning().is_empty() && !code.meaning().ends_with('.'),
                "{s}"
            );
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{s}\""),
                "serde and as_str agree"
            );
        }
    }
}
