//! The login flow, written once against the host traits: intake → recognise → introspect →
//! policy → organization → credential → store. Also `status` and `logout`.

use crate::account::AccountRef;
use crate::api::{self, ApiBase, ApiError, Introspection, Organization};
use crate::credential::{Credential, Session};
use crate::formats::FormatRules;
use crate::host::{Clock, CredentialStore, Random, StoreError};
use crate::http::{
    DEFAULT_TIMEOUT_MS, Deadline, HttpClient, HttpError, MAX_RESPONSE_BYTES, Transport,
};
use crate::problem::{Code, Problem};
use crate::report::{Report, examine};
use crate::secret::SecretToken;
use crate::time::{format_rfc3339, parse_rfc3339};
use serde::Serialize;
use std::fmt;

/// Under this much validity left, a login succeeds with a `pat-expiring-soon` warning.
pub const EXPIRY_WARNING_SECS: i64 = 7 * 24 * 3600;

/// The capabilities a host brings. Each field is one small trait of [`crate::host`].
#[derive(Debug)]
pub struct Host<H, C, R, S> {
    pub http: H,
    pub clock: C,
    pub random: R,
    pub store: S,
}

/// What the user asked for beyond the token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Scopes the token must carry; empty by default.
    pub required_scopes: Vec<String>,
    /// The time limit of the whole exchange with the API, every request and answer of it, in
    /// milliseconds; `None` is [`DEFAULT_TIMEOUT_MS`].
    pub timeout_ms: Option<u32>,
}

impl Policy {
    /// The time limit in force.
    pub fn timeout_ms(&self) -> u32 {
        self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)
    }
}

/// Why the API, or the policy applied to its answer, refused the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    Network(HttpError),
    /// A redirect, never followed: the token goes to the API base only.
    Redirected,
    /// An answer larger than [`MAX_RESPONSE_BYTES`].
    TooLarge,
    Unauthorized {
        detail: Option<String>,
    },
    Server {
        status: u16,
        detail: Option<String>,
    },
    BadResponse {
        what: &'static str,
    },
    PatInactive {
        status: String,
    },
    PatExpired {
        valid_until: String,
    },
    MissingScopes {
        missing: Vec<String>,
    },
    OrgNotFound,
}

impl CheckError {
    pub fn code(&self) -> Code {
        match self {
            CheckError::Network(_) => Code::NetworkError,
            CheckError::Redirected => Code::ServerError,
            CheckError::TooLarge => Code::BadResponse,
            CheckError::Unauthorized { .. } => Code::Unauthorized,
            CheckError::Server { .. } => Code::ServerError,
            CheckError::BadResponse { .. } => Code::BadResponse,
            CheckError::PatInactive { .. } => Code::PatInactive,
            CheckError::PatExpired { .. } => Code::PatExpired,
            CheckError::MissingScopes { .. } => Code::MissingScopes,
            CheckError::OrgNotFound => Code::OrgNotFound,
        }
    }
}

fn with_detail(f: &mut fmt::Formatter<'_>, text: &str, detail: &Option<String>) -> fmt::Result {
    match detail {
        Some(d) => write!(f, "{text} ({d})"),
        None => f.write_str(text),
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Network(HttpError::Timeout) => f.write_str(
                "could not reach the choreo api: no complete answer within the time limit; try \
                 again, or allow more time",
            ),
            CheckError::Network(e) => write!(f, "could not reach the choreo api: {e}"),
            CheckError::Redirected => f.write_str(
                "the choreo api answered with a redirect, which is never followed so the token \
                 only goes to the api base; check the api base",
            ),
            CheckError::TooLarge => write!(
                f,
                "an answer from the choreo api is larger than {MAX_RESPONSE_BYTES} bytes, which \
                 is not what the protocol says"
            ),
            CheckError::Unauthorized { detail } => with_detail(
                f,
                "the choreo api did not accept this token; it may be revoked, expired or for another region",
                detail,
            ),
            CheckError::Server { status, detail } => {
                with_detail(f, &format!("the choreo api answered http {status}"), detail)
            }
            CheckError::BadResponse { what } => write!(
                f,
                "{what} from the choreo api is not what the protocol says"
            ),
            CheckError::PatInactive { status } => {
                write!(f, "the token is not active (its status is \"{status}\")")
            }
            CheckError::PatExpired { valid_until } => {
                write!(f, "the token expired at {valid_until}")
            }
            CheckError::MissingScopes { missing } => {
                write!(f, "the token lacks required scopes: {}", missing.join(", "))
            }
            CheckError::OrgNotFound => {
                f.write_str("the token's organization is not among the organizations it can see")
            }
        }
    }
}

impl std::error::Error for CheckError {}

impl From<Transport> for CheckError {
    fn from(t: Transport) -> Self {
        match t {
            Transport::Unreachable(e) => CheckError::Network(e),
            Transport::Redirected => CheckError::Redirected,
            Transport::TooLarge => CheckError::TooLarge,
        }
    }
}

impl From<ApiError> for CheckError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unauthorized { detail } => CheckError::Unauthorized { detail },
            ApiError::Server { status, detail } => CheckError::Server { status, detail },
            ApiError::BadResponse { what } => CheckError::BadResponse { what },
        }
    }
}

/// The token as the API sees it, after policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub introspection: Introspection,
    pub organization: Organization,
    /// `pat-expiring-soon`, if it applies.
    pub warnings: Vec<Problem>,
}

/// Applies the login policy to an introspection answer at `now` (Unix seconds).
pub fn apply_policy(
    i: &Introspection,
    policy: &Policy,
    now: i64,
) -> Result<Vec<Problem>, CheckError> {
    if !i.status.eq_ignore_ascii_case("active") {
        return Err(CheckError::PatInactive {
            // Cleaned when the answer was read; only cut here.
            status: i.status.chars().take(40).collect(),
        });
    }
    let mut warnings = Vec::new();
    if let Some(valid_until) = &i.valid_until {
        let until = parse_rfc3339(valid_until).ok_or(CheckError::BadResponse {
            what: "the validUntil timestamp",
        })?;
        if until <= now {
            return Err(CheckError::PatExpired {
                valid_until: format_rfc3339(until),
            });
        }
        if until - now < EXPIRY_WARNING_SECS {
            let days = (until - now) / 86_400;
            let left = match days {
                0 => "less than a day".to_owned(),
                1 => "1 day".to_owned(),
                n => format!("{n} days"),
            };
            warnings.push(Problem::warning(
                Code::PatExpiringSoon,
                format!(
                    "the token expires in {left} (at {}); create a new one soon",
                    format_rfc3339(until)
                ),
            ));
        }
    }
    let missing: Vec<String> = policy
        .required_scopes
        .iter()
        .filter(|s| !i.allowed_scopes.contains(s))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(CheckError::MissingScopes { missing });
    }
    Ok(warnings)
}

/// Introspects the token, applies the policy and finds its organization.
pub async fn verify(
    http: &impl HttpClient,
    api: &ApiBase,
    token: &SecretToken,
    policy: &Policy,
    now_unix: i64,
) -> Result<Verified, CheckError> {
    // The transport policy, once for every host: redirects and oversized answers are refused.
    let send = async |req| crate::http::judge(http.send(req).await).map_err(CheckError::from);
    let answer = send(api::introspect_request(api, token)).await?;
    let introspection = api::read_introspection(&answer, token)?;
    let warnings = apply_policy(&introspection, policy, now_unix)?;
    let orgs = api::read_orgs(&send(api::orgs_request(api, token)).await?, token)?;
    let listed = orgs
        .into_iter()
        .find(|o| o.uuid == introspection.organization_uuid)
        .ok_or(CheckError::OrgNotFound)?;
    let organization = api::read_org(
        &send(api::org_request(api, token, &listed.handle)).await?,
        token,
    )?;
    if organization.uuid != introspection.organization_uuid {
        return Err(CheckError::OrgNotFound);
    }
    Ok(Verified {
        introspection,
        organization,
        warnings,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub enum LoginError {
    /// Refused offline, before any request: the report says why.
    Rejected(Box<Report>),
    Check(CheckError),
    RandomUnavailable,
    Store(StoreError),
}

impl LoginError {
    /// The stable code: the first error of a rejected report, or the failing step's code.
    pub fn code(&self) -> Code {
        match self {
            LoginError::Rejected(r) => r.first_error().map_or(Code::Rejected, |p| p.code),
            LoginError::Check(e) => e.code(),
            LoginError::RandomUnavailable => Code::RandomUnavailable,
            LoginError::Store(e) => e.code(),
        }
    }

    /// Every problem found offline (notices included), for hosts that list them.
    pub fn problems(&self) -> &[Problem] {
        match self {
            LoginError::Rejected(r) => &r.problems,
            _ => &[],
        }
    }
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoginError::Rejected(r) => match r.first_error() {
                Some(p) => f.write_str(&p.message),
                None => f.write_str("the token was refused"),
            },
            LoginError::Check(e) => e.fmt(f),
            LoginError::RandomUnavailable => f.write_str("no secure random source is available"),
            LoginError::Store(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoginError {}

impl From<CheckError> for LoginError {
    fn from(e: CheckError) -> Self {
        LoginError::Check(e)
    }
}

/// A successful login: the stored session and everything worth telling the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct LoginResult {
    pub session: Session,
    /// Intake notices, `jwt-not-pat`, `pat-expiring-soon`, in that order.
    pub warnings: Vec<Problem>,
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The report of a Choreo STS access token met where a personal access token belongs (a login,
/// `CHOREO_TOKEN`, `WSO2IP_PAT`), refused with `sts-not-pat`.
pub fn not_a_pat(report: Report) -> Report {
    crate::report::refuse(
        report,
        Code::StsNotPat,
        "this is a choreo sts access token, not a personal access token: set it as \
         CLOUD_STS_TOKEN, which commands use in memory (it is short-lived and never stored)",
    )
}

/// Checks the input offline and online and builds the credential, without storing it.
pub async fn authenticate(
    http: &impl HttpClient,
    clock: &impl Clock,
    random: &impl Random,
    api: &ApiBase,
    input: &[u8],
    policy: &Policy,
) -> Result<(Credential, Vec<Problem>), LoginError> {
    let now = clock.now_unix_ms().div_euclid(1000);
    let inspection = examine(input, FormatRules::builtin(), now);
    let Some(token) = inspection.token else {
        return Err(LoginError::Rejected(Box::new(inspection.report)));
    };
    let report = inspection.report;
    if report.kind.as_deref() == Some(crate::report::STS_KIND) {
        return Err(LoginError::Rejected(Box::new(not_a_pat(report))));
    }
    let http = Deadline::new(http, policy.timeout_ms(), clock);
    let verified = verify(&http, api, &token, policy, now).await?;
    let mut id = [0u8; 16];
    random
        .fill(&mut id)
        .map_err(|_| LoginError::RandomUnavailable)?;
    let Verified {
        introspection,
        organization,
        warnings,
    } = verified;
    let session = Session {
        id: hex(&id),
        api_base: api.as_str().to_owned(),
        kind: report.kind.as_deref().unwrap_or_default().to_owned(),
        masked: report.masked.unwrap_or_default(),
        user_id: introspection.user_id,
        pat_id: introspection.id,
        organization,
        scopes: introspection.allowed_scopes,
        valid_until: introspection.valid_until,
        created_at: format_rfc3339(now),
    };
    let mut all = report.problems;
    all.extend(warnings);
    Ok((
        Credential {
            api_base: api.clone(),
            token,
            session,
        },
        all,
    ))
}

/// The whole login: on success the credential is stored; on any failure the store is untouched
/// (it is written last, and stores replace atomically).
pub async fn login<H: HttpClient, C: Clock, R: Random, S: CredentialStore>(
    host: &Host<H, C, R, S>,
    api: &ApiBase,
    input: &[u8],
    policy: &Policy,
) -> Result<LoginResult, LoginError> {
    let (credential, warnings) =
        authenticate(&host.http, &host.clock, &host.random, api, input, policy).await?;
    host.store
        .save(&credential)
        .await
        .map_err(LoginError::Store)?;
    Ok(LoginResult {
        session: credential.session,
        warnings,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatusError {
    NotLoggedIn {
        api_base: String,
        /// The organization asked for, if one was.
        org: Option<String>,
    },
    Store(StoreError),
    /// The stored credential no longer passes: the session is what was stored.
    Check {
        session: Box<Session>,
        error: CheckError,
    },
}

impl StatusError {
    pub fn code(&self) -> Code {
        match self {
            StatusError::NotLoggedIn { .. } => Code::NotLoggedIn,
            StatusError::Store(e) => e.code(),
            StatusError::Check { error, .. } => error.code(),
        }
    }
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusError::NotLoggedIn { api_base, org } => not_logged_in(f, api_base, org),
            StatusError::Store(e) => e.fmt(f),
            StatusError::Check { error, .. } => error.fmt(f),
        }
    }
}

impl std::error::Error for StatusError {}

fn not_logged_in(f: &mut fmt::Formatter<'_>, api_base: &str, org: &Option<String>) -> fmt::Result {
    match org {
        Some(org) => write!(f, "not logged in to {api_base} (organization {org})"),
        None => write!(f, "not logged in to {api_base}"),
    }
}

/// The stored session, re-checked against the API when `online`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct StatusResult {
    /// With what the API says now, when checked online.
    pub session: Session,
    pub checked_online: bool,
    /// `pat-expiring-soon`, if it applies.
    pub warnings: Vec<Problem>,
}

/// The credential of the account `which` names, `not-logged-in` when it has none.
pub async fn stored(
    store: &impl CredentialStore,
    which: AccountRef<'_>,
) -> Result<Credential, StatusError> {
    store
        .load(which)
        .await
        .map_err(StatusError::Store)?
        .ok_or_else(|| StatusError::NotLoggedIn {
            api_base: which.api_base.to_string(),
            org: which.org.map(str::to_owned),
        })
}

/// Loads the credential of the account `which` names and, when `online`, verifies it again
/// with the same policy as login. The store is only read.
pub async fn status<H: HttpClient, C: Clock, R: Random, S: CredentialStore>(
    host: &Host<H, C, R, S>,
    which: AccountRef<'_>,
    policy: &Policy,
    online: bool,
) -> Result<StatusResult, StatusError> {
    let api = which.api_base;
    let credential = stored(&host.store, which).await?;
    let now = host.clock.now_unix_ms().div_euclid(1000);
    let mut session = credential.session;
    if !online {
        let offline = Introspection {
            id: session.pat_id.clone(),
            organization_uuid: session.organization.uuid.clone(),
            user_id: session.user_id.clone(),
            allowed_scopes: session.scopes.clone(),
            valid_until: session.valid_until.clone(),
            status: "active".into(),
        };
        return match apply_policy(&offline, policy, now) {
            Ok(warnings) => Ok(StatusResult {
                session,
                checked_online: false,
                warnings,
            }),
            Err(error) => Err(StatusError::Check {
                session: Box::new(session),
                error,
            }),
        };
    }
    let http = Deadline::new(&host.http, policy.timeout_ms(), &host.clock);
    match verify(&http, api, &credential.token, policy, now).await {
        Ok(v) => {
            session.scopes = v.introspection.allowed_scopes;
            session.valid_until = v.introspection.valid_until;
            session.organization = v.organization;
            Ok(StatusResult {
                session,
                checked_online: true,
                warnings: v.warnings,
            })
        }
        Err(error) => Err(StatusError::Check {
            session: Box::new(session),
            error,
        }),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoutError {
    NotLoggedIn {
        api_base: String,
        org: Option<String>,
    },
    Store(StoreError),
}

impl LogoutError {
    pub fn code(&self) -> Code {
        match self {
            LogoutError::NotLoggedIn { .. } => Code::NotLoggedIn,
            LogoutError::Store(e) => e.code(),
        }
    }
}

impl fmt::Display for LogoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogoutError::NotLoggedIn { api_base, org } => {
                not_logged_in(f, api_base, org)?;
                f.write_str("; nothing to remove")
            }
            LogoutError::Store(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LogoutError {}

/// Removes the credential of the account `which` names and returns the session it held.
pub async fn logout(
    store: &impl CredentialStore,
    which: AccountRef<'_>,
) -> Result<Session, LogoutError> {
    match store.delete(which).await.map_err(LogoutError::Store)? {
        Some(c) => Ok(c.session),
        None => Err(LogoutError::NotLoggedIn {
            api_base: which.api_base.to_string(),
            org: which.org.map(str::to_owned),
        }),
    }
}
