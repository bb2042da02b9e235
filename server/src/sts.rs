//! Choreo STS access tokens: RS256 JWTs with `sub`, `organization: {handle, uuid}` and `exp`,
//! minted on the admin surface (`POST /admin/sts`) and accepted as bearer on the organization
//! endpoints after their signature and expiry are checked.
//!
//! The signing key is an RSA-2048 key generated at start, off the request path
//! ([`crate::AppState::sts_key`]), and never leaves the process: a token minted by another run of
//! the server does not verify.

use crate::admin::{bad_request, body};
use crate::orgs;
use crate::pats::{DEFAULT_SCOPES, DEFAULT_USER_ID, RandomUnavailable};
use crate::{AppState, json_error, now_unix};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::sha2::Sha256;
use rsa::{PrivateKey, PublicKey};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Key size of the signing key.
pub const KEY_BITS: usize = 2048;
/// Lifetime of a minted token unless the request says otherwise: an hour, as STS tokens are
/// short-lived.
pub const DEFAULT_TTL_SECS: i64 = 3600;
/// The `iss` claim of minted tokens.
pub const ISSUER: &str = "https://sts.choreo.dev/oauth2/token";
/// The `kid` of minted tokens' header.
pub const KEY_ID: &str = "reference-sts";

/// The signing key and its public half.
#[derive(Debug)]
pub struct StsKey {
    private: PrivateKey,
    public: PublicKey,
}

impl StsKey {
    /// A fresh key from the OS random source (a blocking call: about a second in a debug build).
    pub fn generate() -> Result<Self, RandomUnavailable> {
        let mut rng = rsa::rand_core::UnwrapErr(getrandom::SysRng);
        let private = PrivateKey::new(&mut rng, KEY_BITS).map_err(|_| RandomUnavailable)?;
        let public = private.to_public_key();
        Ok(Self { private, public })
    }

    /// `header.payload.signature` of `claims`, signed RS256.
    pub fn sign(&self, claims: &Value) -> Result<String, rsa::Error> {
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": KEY_ID });
        let mut jwt = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.private.pkcs1v15_sign::<Sha256>(jwt.as_bytes())?;
        jwt.push('.');
        jwt.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(jwt)
    }

    /// The claims of `token` if it is a JWT this key signed (RS256 and nothing else) and has not
    /// expired at `now`; else why not, as a 401 description.
    pub fn verify(&self, token: &str, now: i64) -> Result<StsClaims, &'static str> {
        const MALFORMED: &str = "the sts token is not a well-formed jwt";
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(MALFORMED);
        };
        let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| MALFORMED);
        let header: Value = serde_json::from_slice(&decode(h)?).map_err(|_| MALFORMED)?;
        if header["alg"] != "RS256" {
            return Err("the sts token is not signed with rs256");
        }
        let signed = &token[..h.len() + 1 + p.len()];
        self.public
            .pkcs1v15_verify::<Sha256>(signed.as_bytes(), &decode(s)?)
            .map_err(|_| "the sts token's signature does not verify")?;
        let claims: StsClaims = serde_json::from_slice(&decode(p)?).map_err(|_| MALFORMED)?;
        if claims.exp <= now {
            return Err("the sts token has expired");
        }
        Ok(claims)
    }
}

/// The claims the organization endpoints check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StsClaims {
    pub sub: String,
    pub exp: i64,
    pub organization: OrgClaim,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrgClaim {
    pub handle: String,
    pub uuid: String,
}

/// What `POST /admin/sts` takes: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MintStsRequest {
    /// `acme` (default), `globex` or `nowhere`.
    pub org: Option<String>,
    /// The `organization.handle` claim, when it should differ from the org's (`""` to mint a
    /// token the CLI refuses).
    pub handle: Option<String>,
    /// Mint without an `organization` claim at all.
    #[serde(default)]
    pub omit_organization: bool,
    pub ttl_seconds: Option<i64>,
    pub sub: Option<String>,
    pub scopes: Option<Vec<String>>,
}

impl MintStsRequest {
    /// The claims to sign at `now`.
    pub fn into_claims(self, now: i64) -> Result<Value, &'static str> {
        let name = self.org.as_deref().unwrap_or(orgs::ACME.handle);
        let uuid = orgs::uuid_for(name).ok_or("org must be acme, globex or nowhere")?;
        let scopes = self
            .scopes
            .unwrap_or_else(|| DEFAULT_SCOPES.map(str::to_owned).to_vec());
        let mut claims = json!({
            "iss": ISSUER,
            "sub": self.sub.unwrap_or_else(|| DEFAULT_USER_ID.to_owned()),
            "aud": "choreo-cli",
            "iat": now,
            "exp": now.saturating_add(self.ttl_seconds.unwrap_or(DEFAULT_TTL_SECS)),
            "scope": scopes.join(" "),
        });
        if !self.omit_organization {
            let handle = self.handle.unwrap_or_else(|| name.to_owned());
            claims["organization"] = json!({ "handle": handle, "uuid": uuid });
        }
        Ok(claims)
    }
}

/// `POST /admin/sts` → 201 with a signed token and its claims.
pub async fn mint(State(state): State<AppState>, bytes: Bytes) -> Response {
    let request: MintStsRequest = match body(&bytes) {
        Ok(r) => r,
        Err(why) => return bad_request(&why),
    };
    let claims = match request.into_claims(now_unix()) {
        Ok(claims) => claims,
        Err(why) => return bad_request(why),
    };
    let server_error = |e: &dyn std::fmt::Display| {
        json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            &e.to_string(),
        )
    };
    let key = match state.sts_key().await {
        Ok(key) => key,
        Err(e) => return server_error(&e),
    };
    // Signing takes tens of milliseconds in a debug build: off the runtime thread.
    let signed = tokio::task::spawn_blocking({
        let claims = claims.clone();
        move || Arc::clone(&key).sign(&claims)
    })
    .await;
    match signed {
        Ok(Ok(token)) => {
            let mut view = claims;
            view["token"] = json!(token);
            (StatusCode::CREATED, Json(view)).into_response()
        }
        Ok(Err(e)) => server_error(&e),
        Err(e) => server_error(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static KEY: LazyLock<StsKey> = LazyLock::new(|| StsKey::generate().unwrap());

    fn minted(request: MintStsRequest) -> String {
        KEY.sign(&request.into_claims(1000).unwrap()).unwrap()
    }

    #[test]
    fn a_minted_token_verifies_until_it_expires() {
        let token = minted(MintStsRequest::default());
        let claims = KEY.verify(&token, 1000).unwrap();
        assert_eq!(claims.organization.handle, "acme");
        assert_eq!(claims.organization.uuid, orgs::ACME.uuid);
        assert_eq!(claims.exp, 1000 + DEFAULT_TTL_SECS);
        assert_eq!(
            KEY.verify(&token, 1000 + DEFAULT_TTL_SECS),
            Err("the sts token has expired")
        );
    }

    #[test]
    fn a_changed_payload_or_another_key_does_not_verify() {
        let token = minted(MintStsRequest::default());
        let [h, _, s] = token.split('.').collect::<Vec<_>>()[..] else {
            panic!("three parts")
        };
        let other = minted(MintStsRequest {
            org: Some("globex".into()),
            ..MintStsRequest::default()
        });
        let swapped = format!("{h}.{}.{s}", other.split('.').nth(1).unwrap());
        assert_eq!(
            KEY.verify(&swapped, 1000),
            Err("the sts token's signature does not verify")
        );
        let foreign = StsKey::generate().unwrap();
        assert!(foreign.verify(&token, 1000).is_err());
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            token.split('.').nth(1).unwrap()
        );
        assert_eq!(
            KEY.verify(&none, 1000),
            Err("the sts token is not signed with rs256")
        );
    }

    #[test]
    fn mint_requests_shape_the_organization_claim() {
        let claims = |r: MintStsRequest| r.into_claims(0).unwrap();
        let empty = claims(MintStsRequest {
            handle: Some(String::new()),
            ..MintStsRequest::default()
        });
        assert_eq!(empty["organization"]["handle"], "");
        let none = claims(MintStsRequest {
            omit_organization: true,
            ..MintStsRequest::default()
        });
        assert!(none.get("organization").is_none());
        let expired = claims(MintStsRequest {
            ttl_seconds: Some(-60),
            ..MintStsRequest::default()
        });
        assert_eq!(expired["exp"], -60);
        assert!(
            MintStsRequest {
                org: Some("initech".into()),
                ..MintStsRequest::default()
            }
            .into_claims(0)
            .is_err()
        );
    }
}
