//! What a command can fail with, its stable code and its exit status.

use choreo_auth_core::api::ApiBaseError;
use choreo_auth_core::host::StoreError;
use choreo_auth_core::login::{LogoutError, StatusError};
use choreo_auth_core::{LoginError, Problem, Report};
use std::fmt;

/// Exit statuses: 0 success, 1 the server, network or storage said no, 2 usage or input
/// rejected before any network call, 4 not logged in.
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_NOT_LOGGED_IN: u8 = 4;

/// Why a command failed. Core errors keep their own codes and messages.
#[derive(Debug)]
pub enum CliError {
    /// A token was given on the command line.
    TokenInArguments,
    /// `login` without `--with-token`.
    MissingWithToken,
    /// `login` while CHOREO_TOKEN is set.
    EnvTokenSet,
    /// Stdin could not be read.
    Input(std::io::Error),
    /// Stdout could not be written.
    Output(std::io::Error),
    ApiBase(ApiBaseError),
    /// CHOREO_TIMEOUT is not a whole number of seconds from 1 to 3600.
    InvalidTimeout,
    /// A token from CHOREO_TOKEN or stdin that intake or recognition refused.
    Rejected(Box<Report>),
    Login(LoginError),
    Status(StatusError),
    Logout(LogoutError),
    Store(StoreError),
    NotLoggedIn {
        api_base: String,
    },
    Runtime(std::io::Error),
}

impl CliError {
    pub fn code(&self) -> &'static str {
        match self {
            CliError::TokenInArguments => "token-in-arguments",
            CliError::MissingWithToken => "missing-with-token",
            CliError::EnvTokenSet => "env-token-set",
            CliError::Input(_) => "input-unreadable",
            CliError::Output(_) => "output-failed",
            CliError::ApiBase(e) => e.code(),
            CliError::InvalidTimeout => "invalid-timeout",
            CliError::Rejected(r) => r.first_error().map_or("rejected", |p| p.code.as_str()),
            CliError::Login(e) => e.code(),
            CliError::Status(e) => e.code(),
            CliError::Logout(e) => e.code(),
            CliError::Store(e) => e.code(),
            CliError::NotLoggedIn { .. } => "not-logged-in",
            CliError::Runtime(_) => "runtime-unavailable",
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::TokenInArguments
            | CliError::MissingWithToken
            | CliError::EnvTokenSet
            | CliError::Input(_)
            | CliError::ApiBase(_)
            | CliError::InvalidTimeout
            | CliError::Rejected(_)
            | CliError::Login(LoginError::Rejected(_)) => EXIT_USAGE,
            CliError::NotLoggedIn { .. }
            | CliError::Status(StatusError::NotLoggedIn { .. })
            | CliError::Logout(LogoutError::NotLoggedIn { .. }) => EXIT_NOT_LOGGED_IN,
            _ => EXIT_FAILED,
        }
    }

    /// Offline findings worth listing under the message (notices included).
    pub fn problems(&self) -> &[Problem] {
        match self {
            CliError::Rejected(r) => &r.problems,
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
            CliError::EnvTokenSet => f.write_str(
                "refusing to log in while CHOREO_TOKEN is set: commands use that token as is and \
                 nothing is stored; unset it to store a token with `choreo login`",
            ),
            CliError::Input(e) => write!(f, "could not read the token from stdin: {e}"),
            CliError::Output(e) => write!(f, "could not write to stdout: {e}"),
            CliError::ApiBase(e) => e.fmt(f),
            CliError::InvalidTimeout => f.write_str(
                "CHOREO_TIMEOUT must be a whole number of seconds from 1 to 3600; fix or unset it",
            ),
            CliError::Rejected(r) => match r.first_error() {
                Some(p) => f.write_str(&p.message),
                None => f.write_str("the token was refused"),
            },
            CliError::Login(e) => e.fmt(f),
            CliError::Status(e) => e.fmt(f),
            CliError::Logout(e) => e.fmt(f),
            CliError::Store(e) => e.fmt(f),
            CliError::NotLoggedIn { api_base } => write!(
                f,
                "not logged in to {api_base}; run `choreo login --with-token` or set CHOREO_TOKEN"
            ),
            CliError::Runtime(e) => write!(f, "could not start the async runtime: {e}"),
        }
    }
}

impl std::error::Error for CliError {}

impl From<ApiBaseError> for CliError {
    fn from(e: ApiBaseError) -> Self {
        CliError::ApiBase(e)
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
        assert_eq!(CliError::EnvTokenSet.exit_code(), EXIT_USAGE);
        let not_in = CliError::NotLoggedIn {
            api_base: "https://x".into(),
        };
        assert_eq!((not_in.exit_code(), not_in.code()), (4, "not-logged-in"));
        let store = CliError::Store(StoreError::Unavailable {
            message: "m".into(),
        });
        assert_eq!(
            (store.exit_code(), store.code()),
            (1, "storage-unavailable")
        );
    }

    #[test]
    fn messages_are_lowercase_without_trailing_period() {
        for e in [
            CliError::TokenInArguments,
            CliError::MissingWithToken,
            CliError::EnvTokenSet,
        ] {
            let m = e.to_string();
            assert!(!m.ends_with('.'), "{m}");
            assert!(m.starts_with(|c: char| !c.is_uppercase()), "{m}");
        }
    }
}
