//! Personal access tokens: minted from the OS random source, kept only as SHA-256 digests,
//! found by comparing digests in constant time.

use crate::orgs;
use choreo_auth_core::SecretToken;
use choreo_auth_core::checksum;
use choreo_auth_core::time::format_rfc3339;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const TOKEN_PREFIX: &str = "chp_";
pub const DEFAULT_TTL_SECS: i64 = 30 * 24 * 3600;
pub const DEFAULT_USER_ID: &str = "7c1f0e5a-2b4d-4e8f-9a6b-3d5c7e9f1a2b";
pub const DEFAULT_SCOPES: [&str; 3] = [
    "apim:api_view",
    "choreo:project_view",
    "choreo:component_view",
];

/// A stored token: everything but the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pat {
    pub id: String,
    digest: [u8; 32],
    pub organization_uuid: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    /// Unix seconds.
    pub valid_until: i64,
    pub status: String,
}

/// What to mint; [`PatSpec::demo`] is the demo token's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatSpec {
    pub organization_uuid: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub valid_until: i64,
    pub status: String,
}

impl PatSpec {
    /// An active token of `acme` with the default scopes, valid for 30 days from `now`.
    pub fn demo(now: i64) -> Self {
        Self {
            organization_uuid: orgs::ACME.uuid.to_owned(),
            user_id: DEFAULT_USER_ID.to_owned(),
            scopes: DEFAULT_SCOPES.map(str::to_owned).to_vec(),
            valid_until: now.saturating_add(DEFAULT_TTL_SECS),
            status: "active".to_owned(),
        }
    }
}

/// Why a token may not use the org endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    Unknown,
    Inactive,
    Expired,
}

impl Unusable {
    pub fn description(self) -> &'static str {
        match self {
            Unusable::Unknown => "the access token is not recognised",
            Unusable::Inactive => "the access token is revoked or inactive",
            Unusable::Expired => "the access token has expired",
        }
    }
}

impl Pat {
    /// The introspection answer.
    pub fn introspection(&self) -> Value {
        json!({
            "id": self.id,
            "organizationUuid": self.organization_uuid,
            "userId": self.user_id,
            "allowedScopes": self.scopes,
            "validUntil": format_rfc3339(self.valid_until),
            "status": self.status,
        })
    }

    /// The admin view: the introspection fields under the admin names, never the token.
    pub fn admin_view(&self) -> Value {
        json!({
            "id": self.id,
            "organizationUuid": self.organization_uuid,
            "userId": self.user_id,
            "scopes": self.scopes,
            "validUntil": format_rfc3339(self.valid_until),
            "status": self.status,
        })
    }

    /// Whether the org endpoints accept it at `now`. The status is read in any case, as
    /// clients read it.
    pub fn usable(&self, now: i64) -> Result<(), Unusable> {
        if !self.status.eq_ignore_ascii_case("active") {
            Err(Unusable::Inactive)
        } else if self.valid_until <= now {
            Err(Unusable::Expired)
        } else {
            Ok(())
        }
    }
}

#[derive(Debug, Default)]
pub struct PatStore {
    pats: Vec<Pat>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomUnavailable;

impl std::fmt::Display for RandomUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the os random source failed")
    }
}

impl std::error::Error for RandomUnavailable {}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A fresh `chp_` token: 30 base62 characters from the OS random source and their checksum.
pub fn mint_token() -> Result<SecretToken, RandomUnavailable> {
    // Core rejects bytes >= 248 to stay uniform; draw until 30 usable bytes are in hand so its
    // callback can never run dry.
    loop {
        let mut pool = [0u8; 64];
        getrandom::fill(&mut pool).map_err(|_| RandomUnavailable)?;
        if pool.iter().filter(|&&b| b < 248).count() >= checksum::BODY_LEN {
            let mut bytes = pool.into_iter();
            let token = checksum::mint(TOKEN_PREFIX, || bytes.next().unwrap_or(0));
            return Ok(SecretToken::new(token));
        }
    }
}

fn random_id() -> Result<String, RandomUnavailable> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| RandomUnavailable)?;
    // RFC 9562 version 4 layout, so ids look like the real service's.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

impl PatStore {
    /// Mints a token for `spec`; the store keeps only its digest.
    pub fn mint(&mut self, spec: PatSpec) -> Result<(SecretToken, Pat), RandomUnavailable> {
        let token = mint_token()?;
        let pat = Pat {
            id: random_id()?,
            digest: digest(token.expose()),
            organization_uuid: spec.organization_uuid,
            user_id: spec.user_id,
            scopes: spec.scopes,
            valid_until: spec.valid_until,
            status: spec.status,
        };
        self.pats.push(pat.clone());
        Ok((token, pat))
    }

    /// The stored token whose digest equals `token`'s. Every digest is compared, in constant
    /// time, so the answer time says nothing about how close a guess was.
    pub fn find(&self, token: &str) -> Option<&Pat> {
        let wanted = digest(token);
        let mut found = None;
        for pat in &self.pats {
            if bool::from(pat.digest.ct_eq(&wanted)) {
                found = Some(pat);
            }
        }
        found
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Pat> {
        self.pats.iter_mut().find(|p| p.id == id)
    }

    pub fn len(&self) -> usize {
        self.pats.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pats.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_carry_a_valid_checksum_and_differ() {
        let a = mint_token().unwrap();
        let b = mint_token().unwrap();
        assert!(a.expose().starts_with("chp_"));
        assert_eq!(a.len(), 4 + 36);
        assert!(checksum::verify(&a.expose()[4..]));
        assert_ne!(a, b);
    }

    #[test]
    fn the_store_finds_tokens_by_digest_only() {
        let mut store = PatStore::default();
        let (token, pat) = store.mint(PatSpec::demo(0)).unwrap();
        assert_eq!(store.find(token.expose()), Some(&pat));
        assert_eq!(store.find("chp_somethingelse"), None);
        let stored = format!("{store:?}");
        assert!(!stored.contains(token.expose()), "{stored}");
    }

    #[test]
    fn revoked_and_expired_tokens_are_not_usable() {
        let mut pat = PatStore::default().mint(PatSpec::demo(1000)).unwrap().1;
        assert_eq!(pat.usable(1000), Ok(()));
        assert_eq!(pat.usable(1000 + DEFAULT_TTL_SECS), Err(Unusable::Expired));
        pat.status = "revoked".into();
        assert_eq!(pat.usable(1000), Err(Unusable::Inactive));
    }

    #[test]
    fn the_status_is_read_in_any_case_as_clients_read_it() {
        let mut pat = PatStore::default().mint(PatSpec::demo(1000)).unwrap().1;
        for active in ["ACTIVE", "Active", "active"] {
            pat.status = active.into();
            assert_eq!(pat.usable(1000), Ok(()), "{active}");
        }
    }
}
