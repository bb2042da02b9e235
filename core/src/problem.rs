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

macro_rules! codes {
    ($($variant:ident => $code:literal,)*) => {
        /// Every stable code the token rules can report. The kebab-case string is the contract.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
        pub enum Code {
            $(#[serde(rename = $code)] $variant,)*
        }

        impl Code {
            /// All codes, in declaration order (used by tests that every code has a vector).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable kebab-case code.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }
        }
    };
}

codes! {
    // Intake.
    StrippedBom => "stripped-bom",
    Utf16Encoding => "utf16-encoding",
    Empty => "empty",
    MultipleLines => "multiple-lines",
    InnerWhitespace => "inner-whitespace",
    ControlCharacter => "control-character",
    InvalidUtf8 => "invalid-utf8",
    TooLong => "too-long",
    StrippedBearer => "stripped-bearer",
    StrippedQuotes => "stripped-quotes",
    StrippedAssignment => "stripped-assignment",
    InvalidCharacter => "invalid-character",
    // Recognition.
    TooShort => "too-short",
    ChecksumMismatch => "checksum-mismatch",
    ForeignToken => "foreign-token",
    JwtAlgNone => "jwt-alg-none",
    JwtMalformed => "jwt-malformed",
    JwtExpired => "jwt-expired",
    JwtNotYetValid => "jwt-not-yet-valid",
    JwtNotPat => "jwt-not-pat",
    // Policy after introspection.
    PatInactive => "pat-inactive",
    PatExpired => "pat-expired",
    PatExpiringSoon => "pat-expiring-soon",
    MissingScopes => "missing-scopes",
    OrgNotFound => "org-not-found",
    Unauthorized => "unauthorized",
    ServerError => "server-error",
    BadResponse => "bad-response",
    // `token scan --git` and `--staged` (hosts only).
    NotAGitRepository => "not-a-git-repository",
    GitUnreadable => "git-unreadable",
}

impl Code {
    /// Codes that only a host reports, about its own I/O: no rule of core's gives them, so no
    /// vector can show them.
    pub const HOST_ONLY: &'static [Code] = &[Code::NotAGitRepository, Code::GitUnreadable];
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
    pub(crate) fn new(
        code: Code,
        severity: Severity,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
        }
    }
    pub(crate) fn error(code: Code, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(code, Severity::Error, message)
    }
    pub(crate) fn warning(code: Code, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(code, Severity::Warning, message)
    }
    pub(crate) fn notice(code: Code, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(code, Severity::Notice, message)
    }
}
