//! One shape for every failed operation, as the hosts with a JSON boundary hand it out (the
//! npm package's errors, the host protocol's error answers).

use crate::api::ApiBaseError;
use crate::credential::Session;
use crate::host::StoreError;
use crate::kv::SwitchError;
use crate::login::{LoginError, LogoutError, StatusError};
use crate::problem::{Code, Problem};
use serde::Serialize;

/// Why an operation failed: core's stable code, a lowercase message naming the next step, and
/// what the failure found worth keeping.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Failure {
    /// Core's stable kebab-case code, e.g. `missing-scopes`, `unauthorized`, `not-logged-in`.
    pub code: Code,
    /// Lowercase, naming the next step.
    pub message: String,
    /// Every problem found offline, when the token was refused before any request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", tsify(optional))]
    pub problems: Vec<Problem>,
    /// The stored session, when `status` found it no longer valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", tsify(optional))]
    pub session: Option<Box<Session>>,
}

impl Failure {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            problems: Vec::new(),
            session: None,
        }
    }
}

/// Errors whose failure is their code and message.
macro_rules! plain {
    ($($error:ty),*) => {$(
        impl From<$error> for Failure {
            fn from(e: $error) -> Self {
                Self::new(e.code(), e.to_string())
            }
        }
    )*};
}

plain!(ApiBaseError, StoreError, LogoutError, SwitchError);

impl From<LoginError> for Failure {
    fn from(e: LoginError) -> Self {
        Self {
            problems: e.problems().to_vec(),
            ..Self::new(e.code(), e.to_string())
        }
    }
}

impl From<StatusError> for Failure {
    fn from(e: StatusError) -> Self {
        let failure = Self::new(e.code(), e.to_string());
        match e {
            StatusError::Check { session, .. } => Self {
                session: Some(session),
                ..failure
            },
            _ => failure,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiBase;

    #[test]
    fn a_failure_keeps_the_code_message_and_details_of_its_error() {
        let api = ApiBase::parse("http://127.0.0.1:1").unwrap();
        let gone = Failure::from(StatusError::NotLoggedIn {
            api_base: api.to_string(),
            org: Some("acme".into()),
        });
        assert_eq!(gone.code, Code::NotLoggedIn);
        assert_eq!(
            gone.message,
            "not logged in to http://127.0.0.1:1 (organization acme)"
        );
        let refused = crate::report::inspect(b"", 0);
        let rejected = Failure::from(LoginError::Rejected(Box::new(refused.clone())));
        assert_eq!(rejected.code, Code::Empty);
        assert_eq!(rejected.problems, refused.problems);
        assert!(rejected.session.is_none());
    }

    #[test]
    fn its_json_leaves_out_the_details_a_failure_has_not() {
        let json =
            serde_json::to_string(&Failure::new(Code::NotLoggedIn, "not logged in")).unwrap();
        assert_eq!(
            json,
            r#"{"code":"not-logged-in","message":"not logged in"}"#
        );
    }
}
