//! The Choreo STS flow, beside the PAT flow of [`crate::login`](mod@crate::login) and against the same host
//! traits: a Choreo STS access token (a JWT whose `organization` claim is `{handle, uuid}`, as
//! `CLOUD_STS_TOKEN` holds it in hosted shells) becomes a session in memory.
//!
//! - Its claims are read without checking the signature (core has no issuer key; the API checks
//!   it), and refused offline when the handle is missing or empty, when it has expired, or when
//!   it is unsigned (`alg: none`, in any case): the report's own rules ([`crate::report`]).
//! - The organization is confirmed with `GET {api}/orgs/1.0.0/orgs/{handle}`, the JWT as bearer:
//!   the answer `{"organization": {...}}` must name the claim's handle and uuid.
//! - Nothing is exchanged and nothing is stored: the JWT itself is the bearer token commands
//!   use, for as long as it lasts (README, "Tokens from the environment").

use crate::api::{self, ApiBase};
use crate::credential::{Credential, Session};
use crate::formats::FormatRules;
use crate::host::{Clock, HttpClient, Random};
use crate::http::{Deadline, judge};
use crate::login::{CheckError, LoginError, Policy, hex};
use crate::problem::{Code, Problem};
use crate::report::{self, Inspection, Report, STS_KIND};
use crate::secret::SecretToken;
use crate::time::format_rfc3339;
use std::borrow::Cow;

/// What the STS flow reads from the token's claims.
struct Claims {
    sub: Option<String>,
    handle: String,
    uuid: Option<String>,
    exp: Option<i64>,
    scopes: Vec<String>,
}

/// The token, its report and the claims the flow needs, or the report refused: by the report's
/// own rules, or because the token is not a JWT, or a JWT without an organization handle.
fn examine_claims(input: &[u8], now: i64) -> Result<(SecretToken, Report, Claims), Box<Report>> {
    let inspection = report::examine(input, FormatRules::builtin(), now);
    let Some(token) = inspection.token else {
        return Err(Box::new(inspection.report));
    };
    let (claims, report) = claims(inspection.report)?;
    debug_assert_eq!(report.kind.as_deref(), Some(STS_KIND));
    Ok((token, report, claims))
}

/// The offline verdict on a token given as a Choreo STS access token: [`report::examine`]'s,
/// refused as well when the token is not a JWT or names no organization.
pub fn examine(input: &[u8], now: i64) -> Inspection {
    match examine_claims(input, now) {
        Ok((token, report, _)) => Inspection {
            report,
            token: Some(token),
        },
        Err(report) => Inspection {
            report: *report,
            token: None,
        },
    }
}

fn claims(report: Report) -> Result<(Claims, Report), Box<Report>> {
    let Some(jwt) = &report.jwt else {
        let what = report.label.clone().unwrap_or(Cow::Borrowed("token"));
        let message = format!(
            "this is a {what}, not a choreo sts access token (a jwt with an organization claim)"
        );
        return Err(Box::new(report::refuse(report, Code::StsExpected, message)));
    };
    let organization = jwt.organization();
    let Some(handle) = organization
        .and_then(|o| o.handle)
        .filter(|h| !h.is_empty())
    else {
        return Err(Box::new(report::refuse(
            report,
            Code::StsMissingOrganization,
            "the jwt names no organization: a choreo sts access token has an organization \
             claim with a handle",
        )));
    };
    let claims = Claims {
        sub: jwt.sub().map(str::to_owned),
        handle: handle.to_owned(),
        uuid: organization
            .and_then(|o| o.uuid)
            .filter(|u| !u.is_empty())
            .map(str::to_owned),
        exp: jwt.exp,
        scopes: jwt.scopes().map(str::to_owned).collect(),
    };
    Ok((claims, report))
}

/// Checks a Choreo STS access token offline, then confirms its organization with the API, and
/// builds the credential: in memory, for the caller to use and never to store.
pub async fn authenticate(
    http: &impl HttpClient,
    clock: &impl Clock,
    random: &impl Random,
    api: &ApiBase,
    input: &[u8],
    policy: &Policy,
) -> Result<(Credential, Vec<Problem>), LoginError> {
    let now = clock.now_unix_ms().div_euclid(1000);
    let (token, report, claims) = examine_claims(input, now).map_err(LoginError::Rejected)?;
    let missing: Vec<String> = policy
        .required_scopes
        .iter()
        .filter(|s| !claims.scopes.contains(s))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(CheckError::MissingScopes { missing }.into());
    }
    // The same transport policy and time limit as the PAT flow.
    let http = Deadline::new(http, policy.timeout_ms(), clock);
    let answer = judge(
        http.send(api::org_request(api, &token, &claims.handle))
            .await,
    )
    .map_err(CheckError::from)?;
    let organization = api::read_org(&answer, &token).map_err(CheckError::from)?;
    let same_uuid = claims.uuid.as_ref().is_none_or(|u| *u == organization.uuid);
    if organization.handle != claims.handle || !same_uuid {
        return Err(CheckError::OrgNotFound.into());
    }
    let mut id = [0u8; 16];
    random
        .fill(&mut id)
        .map_err(|_| LoginError::RandomUnavailable)?;
    let session = Session {
        id: hex(&id),
        api_base: api.as_str().to_owned(),
        kind: STS_KIND.to_owned(),
        masked: report.masked.unwrap_or_default(),
        user_id: claims.sub.unwrap_or_default(),
        pat_id: String::new(),
        organization,
        scopes: claims.scopes,
        valid_until: claims.exp.map(format_rfc3339),
        created_at: format_rfc3339(now),
    };
    let mut warnings = report.problems;
    warnings.retain(|p| p.code != Code::StsToken);
    Ok((
        Credential {
            api_base: api.clone(),
            token,
            session,
        },
        warnings,
    ))
}
