//! Several accounts side by side, as gh 2.40+ has them. An account is an organization on an
//! API base (a PAT is pinned to one organization). Each base has one active account: the one
//! commands use unless they name an organization. A login adds its account, or replaces the
//! credential of the same organization, and makes it active.
//!
//! Pure data and rules. Hosts persist an [`AccountIndex`] (it holds no secret) and keep each
//! account's credential where their `T` says (the CLI: a store and a key in it).

use crate::api::ApiBase;
use crate::credential::Session;
use crate::problem::Code;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Which account a command means: the organization named (handle or uuid), else the active
/// account of the API base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountRef<'a> {
    pub api_base: &'a ApiBase,
    pub org: Option<&'a str>,
}

impl<'a> AccountRef<'a> {
    /// The active account of `api_base`.
    pub fn active(api_base: &'a ApiBase) -> Self {
        Self {
            api_base,
            org: None,
        }
    }

    /// Whether `session` belongs to the organization named, if one is.
    pub fn matches(&self, session: &Session) -> bool {
        self.org.is_none_or(|org| {
            session.organization.handle == org || session.organization.uuid == org
        })
    }
}

/// One account: an organization, and where the host keeps its credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account<T> {
    /// The organization's handle, as users name it (`--org`).
    pub org: String,
    /// The organization's uuid: the account's identity (a handle can be renamed).
    pub org_uuid: String,
    #[serde(flatten)]
    pub at: T,
}

impl<T> Account<T> {
    /// Whether `name`, a handle or a uuid, names this account's organization.
    pub fn is(&self, name: &str) -> bool {
        self.org == name || self.org_uuid == name
    }
}

/// The accounts of one API base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseAccounts<T> {
    /// The organization uuid of the active account.
    pub active: String,
    /// In the order they were added.
    pub accounts: Vec<Account<T>>,
}

/// Every account on every API base. Serialises as `{api base: {active, accounts}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountIndex<T> {
    bases: Bases<T>,
}

impl<T> Default for AccountIndex<T> {
    fn default() -> Self {
        Self {
            bases: Bases(Vec::new()),
        }
    }
}

/// The accounts of each API base, sorted by API base: a map with the serde form and the
/// order of a `BTreeMap<String, _>` (keys in byte order, the last of duplicate keys wins) in
/// a fraction of the wasm package's code. An index holds a handful of bases.
#[derive(Clone, PartialEq, Eq)]
struct Bases<T>(Vec<(String, BaseAccounts<T>)>);

impl<T> Bases<T> {
    /// Where `api_base` is, or where it would go.
    fn position(&self, api_base: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(api_base))
    }

    fn get(&self, api_base: &str) -> Option<&BaseAccounts<T>> {
        let at = self.position(api_base).ok()?;
        Some(&self.0[at].1)
    }

    fn get_mut(&mut self, api_base: &str) -> Option<&mut BaseAccounts<T>> {
        let at = self.position(api_base).ok()?;
        Some(&mut self.0[at].1)
    }

    /// The accounts of `api_base`, made by `new` if it has none.
    fn entry(
        &mut self,
        api_base: &str,
        new: impl FnOnce() -> BaseAccounts<T>,
    ) -> &mut BaseAccounts<T> {
        let at = match self.position(api_base) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (api_base.to_owned(), new()));
                at
            }
        };
        &mut self.0[at].1
    }

    fn remove(&mut self, api_base: &str) {
        if let Ok(at) = self.position(api_base) {
            self.0.remove(at);
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Bases<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl<T: Serialize> Serialize for Bases<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Bases<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = Bases<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Bases<T>, A::Error> {
                let mut bases = Bases(Vec::new());
                while let Some((api_base, accounts)) = map.next_entry::<String, _>()? {
                    match bases.position(&api_base) {
                        Ok(at) => bases.0[at].1 = accounts,
                        Err(at) => bases.0.insert(at, (api_base, accounts)),
                    }
                }
                Ok(bases)
            }
        }
        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

/// One row of [`AccountIndex::iter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed<'a, T> {
    pub api_base: &'a str,
    pub account: &'a Account<T>,
    pub active: bool,
}

/// What a recorded login changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded<T> {
    /// Whether the index differs from before (hosts skip writing it otherwise).
    pub changed: bool,
    /// Where the organization's previous credential was, when that is somewhere else: the
    /// host removes that copy.
    pub previous: Option<T>,
}

/// What adopting a credential of the one-account-per-base layout did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adopted {
    /// A new account; active if its base had none.
    Added,
    /// The index already records this credential where it is.
    Present,
    /// The index has a newer credential of the same organization elsewhere: the host removes
    /// the old copy.
    Superseded,
}

/// The result of a switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switched<T> {
    pub to: Account<T>,
    /// False when the account was already the active one.
    pub changed: bool,
}

/// Why no account could be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountError {
    /// No account on the base, or none of the organization named.
    NotLoggedIn {
        api_base: String,
        org: Option<String>,
        /// The handles of the base's accounts.
        known: Vec<String>,
    },
    /// A switch without an organization among more than two accounts.
    Ambiguous {
        api_base: String,
        known: Vec<String>,
    },
}

impl AccountError {
    pub fn code(&self) -> Code {
        match self {
            AccountError::NotLoggedIn { .. } => Code::NotLoggedIn,
            AccountError::Ambiguous { .. } => Code::AmbiguousAccount,
        }
    }
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountError::NotLoggedIn {
                api_base,
                org: None,
                ..
            } => write!(f, "not logged in to {api_base}"),
            AccountError::NotLoggedIn {
                api_base,
                org: Some(org),
                known,
            } if known.is_empty() => {
                write!(f, "not logged in to {api_base} (organization {org})")
            }
            AccountError::NotLoggedIn {
                api_base,
                org: Some(org),
                known,
            } => write!(
                f,
                "no account of organization {org} on {api_base}; its accounts are {}",
                known.join(", ")
            ),
            AccountError::Ambiguous { api_base, known } => write!(
                f,
                "{} accounts on {api_base} ({}): name the organization to switch to",
                known.len(),
                known.join(", ")
            ),
        }
    }
}

impl std::error::Error for AccountError {}

impl<T: Clone + PartialEq> AccountIndex<T> {
    pub fn is_empty(&self) -> bool {
        self.bases.0.is_empty()
    }

    /// Every account, by API base, in the order added, each with whether it is active.
    pub fn iter(&self) -> impl Iterator<Item = Listed<'_, T>> {
        self.bases.0.iter().flat_map(|(api_base, base)| {
            base.accounts.iter().map(move |account| Listed {
                api_base,
                account,
                active: account.org_uuid == base.active,
            })
        })
    }

    /// The accounts of `api`, in the order added.
    pub fn accounts(&self, api: &ApiBase) -> &[Account<T>] {
        self.bases
            .get(api.as_str())
            .map_or(&[], |b| b.accounts.as_slice())
    }

    /// The account of organization `org_uuid` on `api`.
    pub fn get(&self, api: &ApiBase, org_uuid: &str) -> Option<&Account<T>> {
        self.accounts(api).iter().find(|a| a.org_uuid == org_uuid)
    }

    /// The account `which` names.
    pub fn find(&self, which: AccountRef<'_>) -> Result<&Account<T>, AccountError> {
        self.lookup(which).ok_or_else(|| AccountError::NotLoggedIn {
            api_base: which.api_base.to_string(),
            org: which.org.map(str::to_owned),
            known: self.handles(which.api_base),
        })
    }

    /// The account `which` names, if there is one ([`Self::find`] says why not).
    pub fn lookup(&self, which: AccountRef<'_>) -> Option<&Account<T>> {
        let base = self.bases.get(which.api_base.as_str())?;
        match which.org {
            Some(org) => base.accounts.iter().find(|a| a.is(org)),
            None => base.accounts.iter().find(|a| a.org_uuid == base.active),
        }
    }

    /// The accounts of `api`; a new base starts with `org_uuid` active.
    fn base_for(&mut self, api: &ApiBase, org_uuid: &str) -> &mut BaseAccounts<T> {
        self.bases.entry(api.as_str(), || BaseAccounts {
            active: org_uuid.to_owned(),
            accounts: Vec::new(),
        })
    }

    fn handles(&self, api: &ApiBase) -> Vec<String> {
        self.accounts(api).iter().map(|a| a.org.clone()).collect()
    }

    /// Adds `account` to the accounts of `api_base`, active if `active` or the base's first:
    /// for hosts that keep the index as a list.
    pub fn push(&mut self, api_base: String, account: Account<T>, active: bool) {
        let base = self.bases.entry(&api_base, || BaseAccounts {
            active: account.org_uuid.clone(),
            accounts: Vec::new(),
        });
        if active {
            base.active.clone_from(&account.org_uuid);
        }
        base.accounts.push(account);
    }

    /// Records a login of `session` kept `at`: adds its account, or updates the one of the
    /// same organization, and makes it the active account of its base.
    pub fn record_login(&mut self, api: &ApiBase, session: &Session, at: T) -> Recorded<T> {
        let org = &session.organization;
        let base = self.base_for(api, &org.uuid);
        let mut changed = base.active != org.uuid;
        base.active.clone_from(&org.uuid);
        let mut previous = None;
        match base.accounts.iter_mut().find(|a| a.org_uuid == org.uuid) {
            Some(account) => {
                if account.at != at {
                    previous = Some(std::mem::replace(&mut account.at, at));
                    changed = true;
                }
                if account.org != org.handle {
                    account.org.clone_from(&org.handle);
                    changed = true;
                }
            }
            None => {
                base.accounts.push(Account {
                    org: org.handle.clone(),
                    org_uuid: org.uuid.clone(),
                    at,
                });
                changed = true;
            }
        }
        Recorded { changed, previous }
    }

    /// Removes the account of organization `org_uuid`. When it was active, the most recently
    /// added of the others becomes active.
    pub fn remove(&mut self, api: &ApiBase, org_uuid: &str) -> Option<Account<T>> {
        let base = self.bases.get_mut(api.as_str())?;
        let at = base.accounts.iter().position(|a| a.org_uuid == org_uuid)?;
        let removed = base.accounts.remove(at);
        match base.accounts.last() {
            None => {
                self.bases.remove(api.as_str());
            }
            Some(last) if base.active == org_uuid => base.active.clone_from(&last.org_uuid),
            Some(_) => {}
        }
        Some(removed)
    }

    /// Makes the account of `org` active. Without `org`, toggles between exactly two accounts
    /// (and keeps a single one active).
    pub fn switch(
        &mut self,
        api: &ApiBase,
        org: Option<&str>,
    ) -> Result<Switched<T>, AccountError> {
        let to = match org {
            Some(_) => self.find(AccountRef { api_base: api, org })?.clone(),
            None => match self.accounts(api) {
                [] => {
                    return Err(AccountError::NotLoggedIn {
                        api_base: api.to_string(),
                        org: None,
                        known: Vec::new(),
                    });
                }
                [only] => only.clone(),
                [a, b] => {
                    let active = self.find(AccountRef::active(api))?;
                    (if active.org_uuid == a.org_uuid { b } else { a }).clone()
                }
                _ => {
                    return Err(AccountError::Ambiguous {
                        api_base: api.to_string(),
                        known: self.handles(api),
                    });
                }
            },
        };
        let base = self
            .bases
            .get_mut(api.as_str())
            .expect("found above, so the base exists");
        let changed = base.active != to.org_uuid;
        base.active.clone_from(&to.org_uuid);
        Ok(Switched { to, changed })
    }

    /// Adopts a credential kept `at` by a layout with one credential per API base. A newer
    /// credential of the same organization in the index wins.
    pub fn adopt(&mut self, api: &ApiBase, session: &Session, at: T) -> Adopted {
        match self.get(api, &session.organization.uuid) {
            Some(account) if account.at == at => Adopted::Present,
            Some(_) => Adopted::Superseded,
            None => {
                let org = &session.organization;
                let base = self.base_for(api, &org.uuid);
                base.accounts.push(Account {
                    org: org.handle.clone(),
                    org_uuid: org.uuid.clone(),
                    at,
                });
                Adopted::Added
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Organization;

    fn api() -> ApiBase {
        ApiBase::parse("https://apis.choreo.dev").unwrap()
    }

    fn session(handle: &str) -> Session {
        Session {
            id: "s".into(),
            api_base: api().to_string(),
            kind: "choreo-pat".into(),
            masked: "chp_…abcd".into(),
            user_id: "u".into(),
            pat_id: "p".into(),
            organization: Organization {
                id: "1".into(),
                uuid: format!("uuid-{handle}"),
                handle: handle.into(),
                name: handle.into(),
            },
            scopes: vec![],
            valid_until: None,
            created_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn logged_in(handles: &[&str]) -> AccountIndex<&'static str> {
        let mut index = AccountIndex::default();
        for h in handles {
            index.record_login(&api(), &session(h), "keyring");
        }
        index
    }

    fn active(index: &AccountIndex<&'static str>) -> String {
        index.find(AccountRef::active(&api())).unwrap().org.clone()
    }

    #[test]
    fn a_login_adds_its_account_and_makes_it_active() {
        let index = logged_in(&["acme", "globex"]);
        assert_eq!(active(&index), "globex");
        let rows: Vec<(&str, bool)> = index
            .iter()
            .map(|l| (l.account.org.as_str(), l.active))
            .collect();
        assert_eq!(rows, [("acme", false), ("globex", true)]);
    }

    #[test]
    fn a_login_to_the_same_organization_replaces_its_account_and_reports_the_old_place() {
        let mut index = logged_in(&["acme", "globex"]);
        let again = index.record_login(&api(), &session("acme"), "keyring");
        assert_eq!(
            again,
            Recorded {
                changed: true,
                previous: None
            }
        );
        assert_eq!(active(&index), "acme");
        assert_eq!(index.accounts(&api()).len(), 2);
        let unchanged = index.record_login(&api(), &session("acme"), "keyring");
        assert!(!unchanged.changed);
        let moved = index.record_login(&api(), &session("acme"), "file");
        assert_eq!(moved.previous, Some("keyring"));
    }

    #[test]
    fn an_account_is_found_by_handle_or_uuid_else_the_active_one() {
        let index = logged_in(&["acme", "globex"]);
        let find = |org| {
            index
                .find(AccountRef {
                    api_base: &api(),
                    org,
                })
                .map(|a| a.org.clone())
        };
        assert_eq!(find(Some("acme")).unwrap(), "acme");
        assert_eq!(find(Some("uuid-acme")).unwrap(), "acme");
        assert_eq!(find(None).unwrap(), "globex");
        let missing = find(Some("initech")).unwrap_err();
        assert_eq!(missing.code(), Code::NotLoggedIn);
        assert_eq!(
            missing.to_string(),
            "no account of organization initech on https://apis.choreo.dev; its accounts are \
             acme, globex"
        );
        let other = ApiBase::parse("https://apis.example.com").unwrap();
        let none = index.find(AccountRef::active(&other)).unwrap_err();
        assert_eq!(
            none.to_string(),
            "not logged in to https://apis.example.com"
        );
    }

    #[test]
    fn switching_without_an_organization_toggles_between_two_and_refuses_to_guess_among_three() {
        let mut index = logged_in(&["acme", "globex"]);
        let toggled = index.switch(&api(), None).unwrap();
        assert_eq!((toggled.to.org.as_str(), toggled.changed), ("acme", true));
        index.switch(&api(), None).unwrap();
        assert_eq!(active(&index), "globex");

        let mut one = logged_in(&["acme"]);
        let stays = one.switch(&api(), None).unwrap();
        assert_eq!((stays.to.org.as_str(), stays.changed), ("acme", false));

        let mut three = logged_in(&["acme", "globex", "initech"]);
        let refused = three.switch(&api(), None).unwrap_err();
        assert_eq!(refused.code(), Code::AmbiguousAccount);
        assert_eq!(active(&three), "initech");
        let chosen = three.switch(&api(), Some("acme")).unwrap();
        assert_eq!(chosen.to.org, "acme");
        assert_eq!(active(&three), "acme");
        assert_eq!(
            AccountIndex::<()>::default()
                .switch(&api(), None)
                .unwrap_err()
                .code(),
            Code::NotLoggedIn
        );
    }

    #[test]
    fn removing_the_active_account_activates_the_most_recent_other_one() {
        let mut index = logged_in(&["acme", "globex", "initech"]);
        index.switch(&api(), Some("acme")).unwrap();
        assert_eq!(index.remove(&api(), "uuid-globex").unwrap().org, "globex");
        assert_eq!(active(&index), "acme");
        index.remove(&api(), "uuid-acme").unwrap();
        assert_eq!(active(&index), "initech");
        index.remove(&api(), "uuid-initech").unwrap();
        assert!(index.is_empty());
        assert_eq!(index.remove(&api(), "uuid-initech"), None);
    }

    #[test]
    fn a_credential_of_the_one_per_base_layout_is_adopted_unless_a_newer_one_exists() {
        let mut index = AccountIndex::default();
        assert_eq!(
            index.adopt(&api(), &session("acme"), "legacy"),
            Adopted::Added
        );
        assert_eq!(active(&index), "acme");
        assert_eq!(
            index.adopt(&api(), &session("acme"), "legacy"),
            Adopted::Present
        );
        index.record_login(&api(), &session("globex"), "new");
        index.record_login(&api(), &session("initech"), "new");
        assert_eq!(
            index.adopt(&api(), &session("initech"), "legacy"),
            Adopted::Superseded
        );
        assert_eq!(index.accounts(&api()).len(), 3);
        assert_eq!(active(&index), "initech");
    }

    #[test]
    fn the_index_serialises_as_bases_with_their_active_account_and_accounts() {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct At {
            store: String,
        }
        let mut index = AccountIndex::default();
        index.record_login(
            &api(),
            &session("acme"),
            At {
                store: "keyring".into(),
            },
        );
        let json = serde_json::to_value(&index).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"https://apis.choreo.dev": {
                "active": "uuid-acme",
                "accounts": [{"org": "acme", "orgUuid": "uuid-acme", "store": "keyring"}]
            }})
        );
        let back: AccountIndex<At> = serde_json::from_value(json).unwrap();
        assert_eq!(back, index);
    }

    #[test]
    fn the_index_keeps_the_serde_form_and_order_of_a_btree_map_of_bases() {
        use std::collections::BTreeMap;
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct At {
            store: usize,
        }
        let mut index = AccountIndex::default();
        let bases = [
            "https://apis.example.com",
            "http://127.0.0.1:8080",
            "https://apis.choreo.dev",
            "https://apis.choreo.dev/v2",
            "http://localhost:9",
        ];
        for (i, base) in bases.iter().enumerate() {
            let api = ApiBase::parse(base).unwrap();
            index.record_login(&api, &session(&format!("org{i}")), At { store: i });
        }
        let by_base: BTreeMap<String, BaseAccounts<At>> = index
            .iter()
            .map(|l| {
                let api = ApiBase::parse(l.api_base).unwrap();
                let base = index.bases.get(api.as_str()).unwrap().clone();
                (l.api_base.to_owned(), base)
            })
            .collect();
        assert_eq!(by_base.len(), bases.len());
        let text = serde_json::to_string(&index).unwrap();
        assert_eq!(text, serde_json::to_string(&by_base).unwrap());
        assert_eq!(
            format!("{index:?}"),
            format!("AccountIndex {{ bases: {by_base:?} }}")
        );
        let listed: Vec<&str> = index.iter().map(|l| l.api_base).collect();
        let sorted: Vec<&String> = by_base.keys().collect();
        assert_eq!(listed, sorted);

        // Read back in any key order, the last of a repeated base winning, as a map reads.
        let shuffled = r#"{"https://b": {"active": "x", "accounts": []},
            "https://a": {"active": "y", "accounts": []},
            "https://b": {"active": "z", "accounts": []}}"#;
        let back: AccountIndex<At> = serde_json::from_str(shuffled).unwrap();
        let map: BTreeMap<String, BaseAccounts<At>> = serde_json::from_str(shuffled).unwrap();
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert_eq!(back.bases.get("https://b").unwrap().active, "z");
        let read: AccountIndex<At> = serde_json::from_str(&text).unwrap();
        assert_eq!(read, index);
        let not_a_map = serde_json::from_str::<AccountIndex<At>>("[]").unwrap_err();
        let map_error = serde_json::from_str::<BTreeMap<String, BaseAccounts<At>>>("[]");
        assert_eq!(not_a_map.to_string(), map_error.unwrap_err().to_string());
    }
}
