//! Tokens from the environment, as scripts and hosted shells written for the Choreo CLI set
//! them. Commands use them before any stored credential, in memory only, in this order:
//!
//! 1. `CHOREO_TOKEN`: a personal access token (Choreo's guide exports it);
//! 2. `WSO2IP_PAT`: a personal access token (the Choreo CLI's own variable);
//! 3. `CLOUD_STS_TOKEN`: a Choreo STS access token ([`crate::sts`]).
//!
//! Hosts report which variables are set; [`choose`] decides which one is used and says so when
//! it shadows others, and [`authenticate`] checks its token with the flow its name calls for.
//! A browser has no environment: the npm package takes the variables (or the STS token) as
//! arguments and applies the same rules.

use crate::api::ApiBase;
use crate::credential::{Credential, Session};
use crate::failure::Failure;
use crate::formats::FormatRules;
use crate::host::{Clock, HttpClient, Random};
use crate::login::{self, Host, LoginError, Policy};
use crate::problem::{Code, Problem};
use crate::report::{self, Inspection};
use crate::secret::SecretToken;
pub use crate::source::CHOREO_TOKEN;
use crate::sts;
use serde::Serialize;

/// The Choreo CLI's variable for a personal access token.
pub const WSO2IP_PAT: &str = "WSO2IP_PAT";
/// The Choreo CLI's variable for a Choreo STS access token.
pub const CLOUD_STS_TOKEN: &str = "CLOUD_STS_TOKEN";
/// Every token variable, in the order commands use them.
pub const TOKEN_VARIABLES: [&str; 3] = [CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN];

/// How a variable's token is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// A personal access token: introspection, organizations ([`login::authenticate`]).
    Pat,
    /// A Choreo STS access token: its claims, then its organization ([`sts::authenticate`]).
    Sts,
}

/// The flow for variable `name`, if it is a token variable.
pub fn flow(name: &str) -> Option<Flow> {
    match name {
        CHOREO_TOKEN | WSO2IP_PAT => Some(Flow::Pat),
        CLOUD_STS_TOKEN => Some(Flow::Sts),
        _ => None,
    }
}

/// The variable commands use, and what to tell the user about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub name: &'static str,
    pub flow: Flow,
    /// `env-token-precedence` when the variable shadows others that are set.
    pub notes: Vec<Problem>,
}

/// Decides which token variable commands use from the names of those `set` (to something not
/// empty: an empty variable counts as unset, as gh treats `GH_TOKEN`): the first in
/// [`TOKEN_VARIABLES`] order, named in a notice when it shadows others. Other names are ignored.
pub fn choose(set: &[&str]) -> Option<Chosen> {
    let mut found = TOKEN_VARIABLES.into_iter().filter(|v| set.contains(v));
    let name = found.next()?;
    let shadowed: Vec<&str> = found.collect();
    let notes = if shadowed.is_empty() {
        Vec::new()
    } else {
        let others = match shadowed[..] {
            [one] => format!("{one} is"),
            [ref first @ .., last] => format!("{} and {last} are", first.join(", ")),
            [] => unreachable!("not empty"),
        };
        vec![Problem::notice(
            Code::EnvTokenPrecedence,
            format!(
                "{name} is used: {others} set too, and the order is {}",
                TOKEN_VARIABLES.join(", ")
            ),
        )]
    };
    Some(Chosen {
        name,
        flow: flow(name)?,
        notes,
    })
}

/// The variable commands use among those `set`, as [`choose`] decides; when none is, core's
/// `not-logged-in` for `api`, its message naming the variables to set.
pub fn choose_for(api: &ApiBase, set: &[&str]) -> Result<Chosen, Failure> {
    choose(set).ok_or_else(|| {
        let e = login::StatusError::NotLoggedIn {
            api_base: api.to_string(),
            org: None,
        };
        let names = TOKEN_VARIABLES.join(", ");
        Failure::new(e.code(), format!("{e}: no token variable is set ({names})"))
    })
}

impl Chosen {
    /// `CLOUD_STS_TOKEN`'s choice, for a host given an STS token itself.
    pub fn sts() -> Self {
        Self {
            name: CLOUD_STS_TOKEN,
            flow: Flow::Sts,
            notes: Vec::new(),
        }
    }
}

/// The offline verdict on the value of a variable checked with `flow`, at `now`: the report,
/// refused as that flow would refuse it (an STS token as a PAT, anything else as an STS token).
pub fn examine(flow: Flow, value: &[u8], now: i64) -> Inspection {
    match flow {
        Flow::Pat => {
            let inspection = report::examine(value, FormatRules::builtin(), now);
            if inspection.report.kind.as_deref() == Some(report::STS_KIND) {
                return Inspection {
                    report: login::not_a_pat(inspection.report),
                    token: None,
                };
            }
            inspection
        }
        Flow::Sts => sts::examine(value, now),
    }
}

/// The token of the variable `chosen` names, given its raw `value`, checked offline at `now`,
/// for hosts that hand it on (`choreo auth token`, VS Code's `accessToken`).
pub fn token(chosen: &Chosen, value: &[u8], now: i64) -> Result<SecretToken, LoginError> {
    let inspection = examine(chosen.flow, value, now);
    inspection
        .token
        .ok_or_else(|| LoginError::Rejected(Box::new(inspection.report)))
}

/// Checks the token of the variable `chosen` names, given its raw `value`, with the API: the
/// PAT flow for a personal access token, the STS flow for an STS token. Nothing is stored: the
/// credential is for the caller's command, in memory. `chosen`'s notes come first among the
/// warnings.
pub async fn authenticate(
    http: &impl HttpClient,
    clock: &impl Clock,
    random: &impl Random,
    api: &ApiBase,
    chosen: &Chosen,
    value: &[u8],
    policy: &Policy,
) -> Result<(Credential, Vec<Problem>), LoginError> {
    let (credential, warnings) = match chosen.flow {
        Flow::Pat => login::authenticate(http, clock, random, api, value, policy).await?,
        Flow::Sts => sts::authenticate(http, clock, random, api, value, policy).await?,
    };
    let mut all = chosen.notes.clone();
    all.extend(warnings);
    Ok((credential, all))
}

/// What checking a variable's token gives a host that hands out values: the session, the
/// caller's for as long as it holds the token.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct EnvironmentResult {
    pub session: Session,
    /// `env-token-precedence` when the variable shadows others, intake notices, `jwt-not-pat`,
    /// `pat-expiring-soon`.
    pub warnings: Vec<Problem>,
    /// The variable whose token was used: `CHOREO_TOKEN`, `WSO2IP_PAT` or `CLOUD_STS_TOKEN`.
    pub variable: String,
}

/// [`authenticate`] with the host's capabilities, its result as hosts hand it out.
pub async fn check<H: HttpClient, C: Clock, R: Random, S>(
    host: &Host<H, C, R, S>,
    api: &ApiBase,
    chosen: &Chosen,
    value: &[u8],
    policy: &Policy,
) -> Result<EnvironmentResult, LoginError> {
    let (credential, warnings) = authenticate(
        &host.http,
        &host.clock,
        &host.random,
        api,
        chosen,
        value,
        policy,
    )
    .await?;
    Ok(EnvironmentResult {
        session: credential.session,
        warnings,
        variable: chosen.name.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(set: &[&str]) -> Option<(&'static str, Flow, Vec<String>)> {
        choose(set).map(|c| {
            let notes = c.notes.iter().map(|p| p.message.to_string()).collect();
            (c.name, c.flow, notes)
        })
    }

    #[test]
    fn with_no_variable_set_the_failure_names_them_all() {
        let api = ApiBase::parse("http://127.0.0.1:1").unwrap();
        let none = choose_for(&api, &["HOME"]).unwrap_err();
        assert_eq!(none.code, Code::NotLoggedIn);
        assert_eq!(
            none.message,
            "not logged in to http://127.0.0.1:1: no token variable is set (CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN)"
        );
        assert_eq!(choose_for(&api, &[WSO2IP_PAT]).unwrap().name, WSO2IP_PAT);
    }

    #[test]
    fn the_first_variable_set_is_used_in_the_documented_order() {
        assert_eq!(chosen(&[]), None);
        assert_eq!(chosen(&["CHOREO_API", "HOME"]), None);
        assert_eq!(
            chosen(&[CLOUD_STS_TOKEN]),
            Some((CLOUD_STS_TOKEN, Flow::Sts, vec![]))
        );
        assert_eq!(chosen(&[WSO2IP_PAT]), Some((WSO2IP_PAT, Flow::Pat, vec![])));
        assert_eq!(
            chosen(&[CHOREO_TOKEN]),
            Some((CHOREO_TOKEN, Flow::Pat, vec![]))
        );
        // The order the host lists them in does not matter.
        assert_eq!(
            chosen(&[CLOUD_STS_TOKEN, WSO2IP_PAT]).unwrap().0,
            WSO2IP_PAT
        );
        assert_eq!(
            chosen(&[CLOUD_STS_TOKEN, WSO2IP_PAT, CHOREO_TOKEN])
                .unwrap()
                .0,
            CHOREO_TOKEN
        );
    }

    #[test]
    fn each_variable_refuses_offline_what_its_flow_cannot_use() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let sts = format!(
            "{}.{}.c2lnbmF0dXJl",
            b64(r#"{"alg":"RS256"}"#),
            b64(r#"{"sub":"u","exp":1900000000,"organization":{"handle":"acme","uuid":"o"}}"#)
        );
        let pat = crate::checksum::mint("chp_", || 7);
        let verdict = |flow, value: &str| {
            let i = examine(flow, value.as_bytes(), 1_800_000_000);
            let codes: Vec<&str> = i.report.problems.iter().map(|p| p.code.as_str()).collect();
            (i.token.is_some(), codes)
        };
        assert_eq!(verdict(Flow::Sts, &sts), (true, vec!["sts-token"]));
        assert_eq!(verdict(Flow::Pat, &sts), (false, vec!["sts-not-pat"]));
        assert_eq!(verdict(Flow::Pat, &pat), (true, vec![]));
        assert_eq!(verdict(Flow::Sts, &pat), (false, vec!["sts-expected"]));
        assert_eq!(verdict(Flow::Sts, ""), (false, vec!["empty"]));
    }

    #[test]
    fn a_variable_that_shadows_others_is_named_with_them_in_a_notice() {
        let c = choose(&[CLOUD_STS_TOKEN, CHOREO_TOKEN]).unwrap();
        assert_eq!(c.notes.len(), 1);
        assert_eq!(c.notes[0].code, Code::EnvTokenPrecedence);
        assert_eq!(
            c.notes[0].message,
            "CHOREO_TOKEN is used: CLOUD_STS_TOKEN is set too, and the order is CHOREO_TOKEN, \
             WSO2IP_PAT, CLOUD_STS_TOKEN"
        );
        let all = chosen(&TOKEN_VARIABLES).unwrap().2;
        assert_eq!(
            all,
            [
                "CHOREO_TOKEN is used: WSO2IP_PAT and CLOUD_STS_TOKEN are set too, and the order \
              is CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN"
            ]
        );
    }
}
