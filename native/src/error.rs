//! What a command can fail with, its stable code and its exit status.

use crate::store::FindError;
use choreo_auth_core::account::AccountError;
use choreo_auth_core::api::ApiBaseError;
use choreo_auth_core::host::StoreError;
use choreo_auth_core::login::{LogoutError, StatusError};
use choreo_auth_core::{Code, LoginError, Problem};
use std::fmt;

pub use choreo_auth_core::problem::{EXIT_FAILED, EXIT_USAGE};

/// Why a command failed. Core errors keep their own codes and messages.
#[derive(Debug)]
pub enum CliError {
    /// A token was given on the command line.
    TokenInArguments,
    /// `login` without `--with-token`.
    MissingWithToken,
    /// Stdin could not be read.
    Input(std::io::Error),
    /// Stdout could not be written.
    Output(std::io::Error),
    ApiBase(ApiBaseError),
    /// CHOREO_TIMEOUT is not a whole number of seconds from 1 to 3600.
    InvalidTimeout,
    Login(LoginError),
    Status(StatusError),
    Logout(LogoutError),
    Store(StoreError),
    /// No account matches, or a switch that needs an organization.
    Account(AccountError),
    /// No account on any api base.
    NoAccounts,
    Runtime(std::io::Error),
    Scan(crate::scan::ScanError),
}

impl CliError {
    pub fn code(&self) -> Code {
        match self {
            CliError::TokenInArguments => Code::TokenInArguments,
            CliError::MissingWithToken => Code::MissingWithToken,
            CliError::Input(_) => Code::InputUnreadable,
            CliError::Output(_) => Code::OutputFailed,
            CliError::ApiBase(e) => e.code(),
            CliError::InvalidTimeout => Code::InvalidTimeout,
            CliError::Login(e) => e.code(),
            CliError::Status(e) => e.code(),
            CliError::Logout(e) => e.code(),
            CliError::Store(e) => e.code(),
            CliError::Account(e) => e.code(),
            CliError::NoAccounts => Code::NotLoggedIn,
            CliError::Runtime(_) => Code::RuntimeUnavailable,
            CliError::Scan(e) => e.code(),
        }
    }

    /// The code's exit status: one table, in core, for every code.
    pub fn exit_code(&self) -> u8 {
        self.code().exit_status()
    }

    /// What to do next, when the message does not already say it.
    pub fn next_step(&self) -> Option<&'static str> {
        const LOG_IN: &str =
            "to log in, pipe a token to `choreo login --with-token`, or set CHOREO_TOKEN";
        const NEW_PAT: &str = concat!(
            "create a personal access token in Choreo Console > Account Settings > Personal ",
            "Access Tokens, then pipe it to `choreo login --with-token`"
        );
        Some(match self.code() {
            Code::NotLoggedIn => LOG_IN,
            Code::Unauthorized
            | Code::PatInactive
            | Code::PatExpired
            | Code::MissingScopes
            | Code::OrgNotFound
            | Code::JwtExpired
            | Code::JwtNotYetValid
            | Code::JwtAlgNone
            | Code::JwtMalformed => NEW_PAT,
            Code::AmbiguousAccount => "name one: `choreo auth switch --org HANDLE`",
            Code::NetworkError => "check the network, and the api base (--api or CHOREO_API)",
            Code::ServerError | Code::BadResponse => {
                "try again later, and check the api base (--api or CHOREO_API)"
            }
            Code::ChecksumMismatch => "copy the whole token again",
            Code::Empty
            | Code::MultipleLines
            | Code::InnerWhitespace
            | Code::ControlCharacter
            | Code::InvalidUtf8
            | Code::InvalidCharacter
            | Code::TooShort
            | Code::TooLong
            | Code::Rejected => {
                "pipe exactly one token, e.g. `echo \"$CHOREO_TOKEN\" | choreo login --with-token`"
            }
            Code::StorageCorrupt => "log out (`choreo logout --all`) and log in again",
            Code::StsExpired => "get a new choreo sts access token and set it as CLOUD_STS_TOKEN",
            Code::StsMissingOrganization | Code::StsExpected => {
                "set CLOUD_STS_TOKEN to a choreo sts access token, or put a personal access token \
                 in CHOREO_TOKEN"
            }
            _ => return None,
        })
    }

    /// Offline findings worth listing under the message (notices included).
    pub fn problems(&self) -> &[Problem] {
        match self {
            CliError::Login(e) => e.problems(),
            _ => &[],
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::TokenInArguments => f.write_str(
                "a token given as an argument is refused: arguments end up in shell history and \
                 are visible to every local user in `ps`; pipe it on stdin instead, e.g. \
                 `choreo login --with-token < token.txt`",
            ),
            CliError::MissingWithToken => f.write_str(
                "`choreo login` takes the token on stdin: run `choreo login --with-token` and \
                 pipe or paste the token",
            ),
            CliError::Input(e) => write!(f, "could not read the token from stdin: {e}"),
            CliError::Output(e) => write!(f, "could not write to stdout: {e}"),
            CliError::ApiBase(e) => e.fmt(f),
            CliError::InvalidTimeout => f.write_str(
                "CHOREO_TIMEOUT must be a whole number of seconds from 1 to 3600; fix or unset it",
            ),
            CliError::Login(e) => e.fmt(f),
            CliError::Status(e) => e.fmt(f),
            CliError::Logout(e) => e.fmt(f),
            CliError::Store(e) => e.fmt(f),
            CliError::Account(e) => e.fmt(f),
            CliError::NoAccounts => f.write_str(
                "not logged in to any api base; run `choreo login --with-token` or set CHOREO_TOKEN",
            ),
            CliError::Runtime(e) => write!(f, "could not start the async runtime: {e}"),
            CliError::Scan(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CliError {}

impl From<ApiBaseError> for CliError {
    fn from(e: ApiBaseError) -> Self {
        CliError::ApiBase(e)
    }
}

impl From<FindError> for CliError {
    fn from(e: FindError) -> Self {
        match e {
            FindError::Unread(e) => CliError::Store(e),
            FindError::Missing(e) => CliError::Account(e),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::Store(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_exit_2_and_not_logged_in_exits_4() {
        assert_eq!(CliError::TokenInArguments.exit_code(), EXIT_USAGE);
        let not_in = CliError::NoAccounts;
        assert_eq!(
            (not_in.exit_code(), not_in.code().as_str()),
            (4, "not-logged-in")
        );
        let store = CliError::Store(StoreError::Unavailable {
            message: "m".into(),
        });
        assert_eq!(
            (store.exit_code(), store.code().as_str()),
            (1, "storage-unavailable")
        );
    }

    #[test]
    fn messages_are_lowercase_without_trailing_period() {
        for e in [CliError::TokenInArguments, CliError::MissingWithToken] {
            let m = e.to_string();
            assert!(!m.ends_with('.'), "{m}");
            assert!(m.starts_with(|c: char| !c.is_uppercase()), "{m}");
        }
    }
}
