//! Credentials in a storage of string values under string keys: VS Code's `SecretStorage`, a
//! page's or an application's own object (the wasm package's `storage` option). The layout
//! follows the CLI's: a non-secret account index ([`AccountIndex`]) under one key, and each
//! account's credential under a key of its own.
//!
//! - `choreo:accounts`: the index, `[{apiBase, org, orgUuid, key, active}]`.
//! - `choreo:{api base}#{org uuid}`: an account's credential (core's stored JSON form).
//! - `choreo:{api base}`: the layout before accounts, one credential per API base. It is read
//!   and adopted into the index where it is, nothing lost, whenever its base is used.
//!
//! Every rule of the layout lives here; the host adapts `get`, `set` and `delete` only.
#![allow(async_fn_in_trait)]

use crate::account::{Account, AccountError, AccountIndex, AccountRef, Adopted, Switched};
use crate::api::ApiBase;
use crate::credential::Credential;
use crate::host::{CredentialStore, StoreError};
use crate::problem::Code;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fmt;
use zeroize::Zeroizing;

/// The key of the account index.
pub const INDEX_KEY: &str = "choreo:accounts";

/// A storage of strings by key. Adapters report what the storage did; they never interpret it.
pub trait KeyValue {
    async fn get(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError>;
    async fn set(&self, key: &str, value: &str) -> Result<(), StoreError>;
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// Where an account's credential is: its key in the storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub key: String,
}

/// The index as stored: a list of accounts, by API base in the order added, each with its key
/// and whether it is its base's active account. (A list of plain records reads with a
/// fraction of the code a map of nested records takes in the wasm package.)
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row<S> {
    api_base: S,
    org: S,
    org_uuid: S,
    key: S,
    active: bool,
}

/// The key of the layout before accounts: one credential per API base.
pub fn base_key(api: &ApiBase) -> String {
    format!("choreo:{api}")
}

/// A new account's key. An API base holds no `#`, so it never equals a [`base_key`].
fn account_key(api: &ApiBase, org_uuid: &str) -> String {
    format!("choreo:{api}#{org_uuid}")
}

/// One stored account of an API base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccount {
    /// Whether commands use this account when they name no organization.
    pub active: bool,
    pub credential: Credential,
}

fn corrupt(message: String) -> StoreError {
    StoreError::Corrupt { message }
}

/// The index of one API base's use: its accounts, and the error of a credential of the layout
/// before accounts that could not be read (given when the base has no account to offer).
struct Read {
    index: AccountIndex<Slot>,
    unread: Option<StoreError>,
    /// What adopting that credential did, for the next change to write.
    adopted: Option<Adopted>,
}

impl Read {
    fn find(&self, which: AccountRef<'_>) -> Result<Option<&Account<Slot>>, StoreError> {
        match (self.index.lookup(which), &self.unread) {
            (Some(account), _) => Ok(Some(account)),
            (None, Some(e)) => Err(e.clone()),
            (None, None) => Ok(None),
        }
    }
}

/// Core's [`CredentialStore`] over a [`KeyValue`] storage, with the account operations the
/// CLI has: list and switch.
#[derive(Debug)]
pub struct KvStore<K> {
    pub storage: K,
}

impl<K: KeyValue> KvStore<K> {
    async fn write_index(&self, index: &AccountIndex<Slot>) -> Result<(), StoreError> {
        if index.is_empty() {
            return self.storage.delete(INDEX_KEY).await;
        }
        let rows: Vec<Row<&str>> = index
            .iter()
            .map(|l| Row {
                api_base: l.api_base,
                org: &l.account.org,
                org_uuid: &l.account.org_uuid,
                key: &l.account.at.key,
                active: l.active,
            })
            .collect();
        // Strings only: serialising cannot fail.
        let json = serde_json::to_string(&rows).unwrap_or_default();
        self.storage.set(INDEX_KEY, &json).await
    }

    /// The index as stored: every account of every API base. (A credential of the layout
    /// before accounts joins it when its base is used: its key names no base until then.)
    pub async fn index(&self) -> Result<AccountIndex<Slot>, StoreError> {
        let mut index = AccountIndex::default();
        if let Some(json) = self.storage.get(INDEX_KEY).await? {
            let rows: Vec<Row<String>> = crate::json::from_str(&json)
                .map_err(|_| corrupt(format!("{INDEX_KEY} is not an account index")))?;
            for r in rows {
                let at = Slot { key: r.key };
                let (org, org_uuid) = (r.org, r.org_uuid);
                index.push(r.api_base, Account { org, org_uuid, at }, r.active);
            }
        }
        Ok(index)
    }

    /// The index, with `api`'s credential of the layout before accounts adopted where it is
    /// (in memory: [`Self::settle`] writes it).
    async fn read(&self, api: &ApiBase) -> Result<Read, StoreError> {
        let index = self.index().await?;
        let key = base_key(api);
        let mut read = Read {
            index,
            unread: None,
            adopted: None,
        };
        let Some(json) = self.storage.get(&key).await? else {
            return Ok(read);
        };
        match Credential::from_stored_json(&json).filter(|c| c.api_base == *api) {
            Some(c) => read.adopted = Some(read.index.adopt(api, &c.session, Slot { key })),
            None => read.unread = Some(corrupt(format!("the value of {key} is not a credential"))),
        }
        Ok(read)
    }

    /// Before a change: writes what a read adopted, and removes a copy the index supersedes
    /// (else a logout would bring it back). Reads never write, so they never race a change.
    async fn settle(&self, api: &ApiBase, read: &Read) -> Result<(), StoreError> {
        match read.adopted {
            Some(Adopted::Added) => self.write_index(&read.index).await,
            Some(Adopted::Superseded) => self.storage.delete(&base_key(api)).await,
            _ => Ok(()),
        }
    }

    /// The credential in `account`'s slot, checked to be that organization's.
    async fn credential(
        &self,
        account: &Account<Slot>,
        api: &ApiBase,
    ) -> Result<Option<Credential>, StoreError> {
        let Some(json) = self.storage.get(&account.at.key).await? else {
            return Ok(None);
        };
        match Credential::from_stored_json(&json) {
            Some(c) if c.api_base == *api && c.session.organization.uuid == account.org_uuid => {
                Ok(Some(c))
            }
            _ => Err(corrupt(format!(
                "the value of {} is not a credential of organization {}",
                account.at.key, account.org
            ))),
        }
    }

    /// Every account of `api` whose credential is there, in the order added.
    pub async fn accounts(&self, api: &ApiBase) -> Result<Vec<StoredAccount>, StoreError> {
        let read = self.read(api).await?;
        if read.index.accounts(api).is_empty()
            && let Some(e) = read.unread
        {
            return Err(e);
        }
        let active = read.index.lookup(AccountRef::active(api));
        let mut list = Vec::new();
        for account in read.index.accounts(api) {
            if let Some(credential) = self.credential(account, api).await? {
                list.push(StoredAccount {
                    active: active.is_some_and(|a| a.org_uuid == account.org_uuid),
                    credential,
                });
            }
        }
        Ok(list)
    }

    /// Makes an account of `api` active by [`AccountIndex::switch`]'s rule, the CLI's `auth
    /// switch`: the account of `org` (handle or uuid); without `org`, the other of exactly two,
    /// the only one of one, and among more an [`AccountError::Ambiguous`] naming them. Only the
    /// index is written, when the active account changes or a credential of the layout before
    /// accounts joins it: a switch never rewrites a credential.
    pub async fn switch(
        &self,
        api: &ApiBase,
        org: Option<&str>,
    ) -> Result<Switched<Slot>, SwitchError> {
        let mut read = self.read(api).await?;
        if read.index.accounts(api).is_empty()
            && let Some(e) = read.unread.take()
        {
            return Err(e.into());
        }
        let switched = read.index.switch(api, org)?;
        self.settle(api, &read).await?;
        if switched.changed {
            self.write_index(&read.index).await?;
        }
        Ok(switched)
    }
}

/// Why [`KvStore::switch`] made no account active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwitchError {
    Account(AccountError),
    Store(StoreError),
}

impl From<AccountError> for SwitchError {
    fn from(e: AccountError) -> Self {
        SwitchError::Account(e)
    }
}

impl From<StoreError> for SwitchError {
    fn from(e: StoreError) -> Self {
        SwitchError::Store(e)
    }
}

impl SwitchError {
    pub fn code(&self) -> Code {
        match self {
            SwitchError::Account(e) => e.code(),
            SwitchError::Store(e) => e.code(),
        }
    }
}

impl fmt::Display for SwitchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SwitchError::Account(e) => e.fmt(f),
            SwitchError::Store(e) => e.fmt(f),
        }
    }
}

impl<K: KeyValue> CredentialStore for KvStore<K> {
    async fn load(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError> {
        let read = self.read(which.api_base).await?;
        match read.find(which)? {
            Some(account) => self.credential(account, which.api_base).await,
            None => Ok(None),
        }
    }

    async fn save(&self, credential: &Credential) -> Result<(), StoreError> {
        let api = &credential.api_base;
        let session = &credential.session;
        // Read first: an unreadable index stops the login before anything is written.
        let read = self.read(api).await?;
        self.settle(api, &read).await?;
        let mut index = read.index;
        let uuid = &session.organization.uuid;
        let before = index.get(api, uuid).map(|a| a.at.clone());
        let at = before.clone().unwrap_or_else(|| Slot {
            key: account_key(api, uuid),
        });
        let token = credential.token.expose();
        self.storage
            .set(&at.key, &credential.to_stored_json())
            .await
            // A storage's own error text may quote the value it was given.
            .map_err(|e| match e {
                StoreError::Unavailable { message }
                | StoreError::Corrupt { message }
                | StoreError::Failed { message }
                    if message.contains(token) =>
                {
                    StoreError::Failed {
                        message: "the storage's error quoted the credential, so it is not shown"
                            .into(),
                    }
                }
                e => e,
            })?;
        if index.record_login(api, session, at.clone()).changed
            && let Err(e) = self.write_index(&index).await
        {
            // A new key is not in effect until recorded: removed, the previous state stays.
            if before.is_none() {
                let _ = self.storage.delete(&at.key).await;
            }
            return Err(e);
        }
        Ok(())
    }

    async fn delete(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError> {
        let api = which.api_base;
        let mut read = self.read(api).await?;
        self.settle(api, &read).await?;
        let Some(account) = read.index.lookup(which).cloned() else {
            // An unreadable credential of the layout before accounts is still removed: logout
            // must always be able to clear it.
            if read.unread.is_some() {
                self.storage.delete(&base_key(api)).await?;
            }
            return Ok(None);
        };
        // A corrupt credential is removed too: logout must always be able to clear it.
        let old = self.credential(&account, api).await;
        self.storage.delete(&account.at.key).await?;
        read.index.remove(api, &account.org_uuid);
        self.write_index(&read.index).await?;
        match old {
            Err(StoreError::Corrupt { .. }) => Ok(None),
            old => old,
        }
    }
}

/// Strings in process memory, gone with the process or page: the wasm package's default
/// storage, and the storage of tests. A list: it holds a few keys.
#[derive(Debug, Default)]
pub struct MemoryKv {
    entries: RefCell<Vec<(String, Zeroizing<String>)>>,
}

impl MemoryKv {
    /// The keys in use, in order.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.entries.borrow().iter().map(|e| e.0.clone()).collect();
        keys.sort();
        keys
    }
}

impl KeyValue for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        let entries = self.entries.borrow();
        Ok(entries.iter().find(|e| e.0 == key).map(|e| e.1.clone()))
    }

    async fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let value = Zeroizing::new(value.to_owned());
        let mut entries = self.entries.borrow_mut();
        match entries.iter_mut().find(|e| e.0 == key) {
            Some(entry) => entry.1 = value,
            None => entries.push((key.to_owned(), value)),
        }
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let mut entries = self.entries.borrow_mut();
        if let Some(at) = entries.iter().position(|e| e.0 == key) {
            entries.swap_remove(at);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::tests::now;
    use crate::problem::Code;
    use crate::secret::SecretToken;

    fn api() -> ApiBase {
        ApiBase::parse("https://apis.choreo.dev").unwrap()
    }

    /// Organization `org`'s credential from its login `login`. The token shares no run of more
    /// than four characters with the session (core redacts such runs from a stored session).
    fn credential(org: &str, login: &str) -> Credential {
        let mut c = crate::memory::tests::credential(&api(), org);
        let org_mark = org.to_uppercase();
        c.token = SecretToken::new(format!("chp_token_{org_mark}_{login}"));
        c.session.id = format!("{org}-{login}");
        c
    }

    fn store() -> KvStore<MemoryKv> {
        KvStore {
            storage: MemoryKv::default(),
        }
    }

    fn value(store: &KvStore<MemoryKv>, key: &str) -> Option<String> {
        now(store.storage.get(key)).unwrap().map(|v| v.to_string())
    }

    static API: std::sync::LazyLock<ApiBase> = std::sync::LazyLock::new(api);

    fn org(which: Option<&str>) -> AccountRef<'_> {
        AccountRef {
            api_base: &API,
            org: which,
        }
    }

    /// The session id of the credential `which` names, if any.
    fn loaded(store: &KvStore<MemoryKv>, which: Option<&str>) -> Option<String> {
        now(store.load(org(which))).unwrap().map(|c| c.session.id)
    }

    #[test]
    fn each_account_has_its_own_key_and_the_index_says_which_is_active() {
        let store = store();
        now(store.save(&credential("acme", "1"))).unwrap();
        now(store.save(&credential("globex", "1"))).unwrap();
        assert_eq!(
            store.storage.keys(),
            [
                INDEX_KEY,
                "choreo:https://apis.choreo.dev#uuid-acme",
                "choreo:https://apis.choreo.dev#uuid-globex",
            ]
        );
        let index: serde_json::Value =
            serde_json::from_str(&value(&store, INDEX_KEY).unwrap()).unwrap();
        assert_eq!(
            index,
            serde_json::json!([
                {"apiBase": "https://apis.choreo.dev", "org": "acme", "orgUuid": "uuid-acme",
                 "key": "choreo:https://apis.choreo.dev#uuid-acme", "active": false},
                {"apiBase": "https://apis.choreo.dev", "org": "globex", "orgUuid": "uuid-globex",
                 "key": "choreo:https://apis.choreo.dev#uuid-globex", "active": true},
            ])
        );
        assert!(!value(&store, INDEX_KEY).unwrap().contains("chp_token"));
        let acme = value(&store, "choreo:https://apis.choreo.dev#uuid-acme").unwrap();
        assert_eq!(
            Credential::from_stored_json(&acme),
            Some(credential("acme", "1"))
        );
        assert_eq!(loaded(&store, None).as_deref(), Some("globex-1"));
        assert_eq!(loaded(&store, Some("acme")).as_deref(), Some("acme-1"));
        assert_eq!(loaded(&store, Some("uuid-acme")).as_deref(), Some("acme-1"));
        assert_eq!(loaded(&store, Some("initech")), None);
    }

    #[test]
    fn a_login_to_a_known_organization_replaces_its_credential_in_place_and_activates_it() {
        let store = store();
        now(store.save(&credential("acme", "1"))).unwrap();
        now(store.save(&credential("globex", "1"))).unwrap();
        now(store.save(&credential("acme", "2"))).unwrap();
        assert_eq!(store.storage.keys().len(), 3);
        assert_eq!(loaded(&store, None).as_deref(), Some("acme-2"));
        let listed: Vec<(bool, String)> = now(store.accounts(&api()))
            .unwrap()
            .into_iter()
            .map(|a| (a.active, a.credential.session.id))
            .collect();
        assert_eq!(
            listed,
            [(true, "acme-2".to_owned()), (false, "globex-1".to_owned())]
        );
    }

    #[test]
    fn removing_one_account_leaves_the_others_and_activates_the_latest() {
        let store = store();
        for o in ["acme", "globex", "initech"] {
            now(store.save(&credential(o, "1"))).unwrap();
        }
        now(store.switch(&api(), Some("acme"))).unwrap();
        let removed = now(store.delete(org(None))).unwrap().unwrap();
        assert_eq!(removed.session.id, "acme-1");
        assert_eq!(loaded(&store, None).as_deref(), Some("initech-1"));
        assert_eq!(loaded(&store, Some("globex")).as_deref(), Some("globex-1"));
        assert_eq!(now(store.delete(org(Some("acme")))).unwrap(), None);
        now(store.delete(org(Some("globex")))).unwrap().unwrap();
        now(store.delete(org(None))).unwrap().unwrap();
        assert_eq!(store.storage.keys(), Vec::<String>::new());
        assert_eq!(now(store.accounts(&api())).unwrap(), []);
    }

    /// The organizations of `api`'s accounts, each with whether it is active.
    fn active_rows<K: KeyValue>(store: &KvStore<K>) -> Vec<(String, bool)> {
        let index = now(store.index()).unwrap();
        index
            .iter()
            .map(|l| (l.account.org.clone(), l.active))
            .collect()
    }

    fn rows(list: &[(&str, bool)]) -> Vec<(String, bool)> {
        list.iter().map(|(o, a)| ((*o).to_owned(), *a)).collect()
    }

    #[test]
    fn switch_to_an_organization_by_handle_or_uuid_makes_its_account_active() {
        let store = store();
        now(store.save(&credential("acme", "1"))).unwrap();
        now(store.save(&credential("globex", "1"))).unwrap();
        let to = now(store.switch(&api(), Some("acme"))).unwrap();
        assert_eq!((to.to.org.as_str(), to.changed), ("acme", true));
        assert_eq!(loaded(&store, None).as_deref(), Some("acme-1"));
        let again = now(store.switch(&api(), Some("acme"))).unwrap();
        assert_eq!((again.to.org.as_str(), again.changed), ("acme", false));
        let to = now(store.switch(&api(), Some("uuid-globex"))).unwrap();
        assert_eq!((to.to.org.as_str(), to.changed), ("globex", true));
        assert_eq!(loaded(&store, None).as_deref(), Some("globex-1"));
        assert_eq!(store.storage.keys().len(), 3);
    }

    #[test]
    fn switch_to_an_unknown_organization_names_the_accounts_and_changes_nothing() {
        let store = store();
        let e = now(store.switch(&api(), Some("acme"))).unwrap_err();
        assert_eq!(e.code(), Code::NotLoggedIn);
        assert_eq!(
            e.to_string(),
            "not logged in to https://apis.choreo.dev (organization acme)"
        );
        now(store.save(&credential("acme", "1"))).unwrap();
        now(store.save(&credential("globex", "1"))).unwrap();
        let e = now(store.switch(&api(), Some("initech"))).unwrap_err();
        assert_eq!(e.code(), Code::NotLoggedIn);
        assert_eq!(
            e.to_string(),
            "no account of organization initech on https://apis.choreo.dev; its accounts are \
             acme, globex"
        );
        assert_eq!(loaded(&store, None).as_deref(), Some("globex-1"));
    }

    #[test]
    fn switch_without_an_organization_toggles_between_exactly_two_accounts() {
        let store = store();
        now(store.save(&credential("acme", "1"))).unwrap();
        now(store.save(&credential("globex", "1"))).unwrap();
        assert_eq!(
            active_rows(&store),
            rows(&[("acme", false), ("globex", true)])
        );
        let switched = now(store.switch(&api(), None)).unwrap();
        assert_eq!((switched.to.org.as_str(), switched.changed), ("acme", true));
        assert_eq!(
            active_rows(&store),
            rows(&[("acme", true), ("globex", false)])
        );
        assert_eq!(loaded(&store, None).as_deref(), Some("acme-1"));
        let back = now(store.switch(&api(), None)).unwrap();
        assert_eq!((back.to.org.as_str(), back.changed), ("globex", true));
        assert_eq!(loaded(&store, None).as_deref(), Some("globex-1"));
    }

    #[test]
    fn switch_without_an_organization_keeps_a_single_account_and_needs_one_to_exist() {
        let store = store();
        let e = now(store.switch(&api(), None)).unwrap_err();
        assert_eq!(e.code(), Code::NotLoggedIn);
        assert_eq!(e.to_string(), "not logged in to https://apis.choreo.dev");
        now(store.save(&credential("acme", "1"))).unwrap();
        let stays = now(store.switch(&api(), None)).unwrap();
        assert_eq!((stays.to.org.as_str(), stays.changed), ("acme", false));
        assert_eq!(loaded(&store, None).as_deref(), Some("acme-1"));
    }

    #[test]
    fn switch_without_an_organization_among_more_than_two_names_them_and_changes_nothing() {
        let store = store();
        for o in ["acme", "globex", "initech"] {
            now(store.save(&credential(o, "1"))).unwrap();
        }
        let index = value(&store, INDEX_KEY);
        let e = now(store.switch(&api(), None)).unwrap_err();
        assert_eq!(e.code(), Code::AmbiguousAccount);
        assert_eq!(
            e.to_string(),
            "3 accounts on https://apis.choreo.dev (acme, globex, initech): name the organization \
             to switch to"
        );
        assert_eq!(value(&store, INDEX_KEY), index);
        now(store.switch(&api(), Some("globex"))).unwrap();
        assert_eq!(loaded(&store, None).as_deref(), Some("globex-1"));
    }

    /// Memory that records every write, as `set KEY` or `delete KEY`.
    #[derive(Default)]
    struct Recording {
        inner: MemoryKv,
        writes: RefCell<Vec<String>>,
    }

    impl KeyValue for Recording {
        async fn get(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
            self.inner.get(key).await
        }
        async fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
            self.writes.borrow_mut().push(format!("set {key}"));
            self.inner.set(key, value).await
        }
        async fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.writes.borrow_mut().push(format!("delete {key}"));
            self.inner.delete(key).await
        }
    }

    #[test]
    fn a_switch_writes_the_index_only_and_never_a_credential() {
        let store = KvStore {
            storage: Recording::default(),
        };
        now(store.save(&credential("acme", "1"))).unwrap();
        now(store.save(&credential("globex", "1"))).unwrap();
        let acme = account_key(&api(), "uuid-acme");
        let before = now(store.storage.get(&acme)).unwrap();
        store.storage.writes.borrow_mut().clear();

        now(store.switch(&api(), Some("acme"))).unwrap();
        now(store.switch(&api(), None)).unwrap();
        assert_eq!(
            store.storage.writes.take(),
            [format!("set {INDEX_KEY}"), format!("set {INDEX_KEY}")]
        );
        // Already active: nothing is written at all.
        now(store.switch(&api(), Some("globex"))).unwrap();
        assert_eq!(store.storage.writes.take(), Vec::<String>::new());
        assert_eq!(now(store.storage.get(&acme)).unwrap(), before);
    }

    #[test]
    fn switch_adopts_a_credential_of_the_layout_before_accounts() {
        // acme under `choreo:{api}`, globex indexed: the index alone knows one account.
        let store = previous_layout("acme");
        let globex = account_key(&api(), "uuid-globex");
        let json = credential("globex", "1").to_stored_json();
        now(store.storage.set(&globex, &json)).unwrap();
        let mut index = AccountIndex::default();
        let session = &credential("globex", "1").session;
        index.record_login(&api(), session, Slot { key: globex });
        now(store.write_index(&index)).unwrap();
        assert_eq!(active_rows(&store), rows(&[("globex", true)]));

        let switched = now(store.switch(&api(), None)).unwrap();
        assert_eq!((switched.to.org.as_str(), switched.changed), ("acme", true));
        assert_eq!(
            active_rows(&store),
            rows(&[("globex", false), ("acme", true)])
        );
        assert_eq!(loaded(&store, None).as_deref(), Some("acme-old"));
        // Adopted where it is: no copy under an account key.
        assert_eq!(store.storage.keys().len(), 3);
    }

    #[test]
    fn switch_fails_closed_on_an_unreadable_index_or_credential_of_the_layout_before_accounts() {
        let garbage = store();
        now(garbage.storage.set(&base_key(&api()), "{not json")).unwrap();
        let e = now(garbage.switch(&api(), None)).unwrap_err();
        assert_eq!(e.code(), Code::StorageCorrupt);

        let store = store();
        now(store.save(&credential("acme", "1"))).unwrap();
        now(store.save(&credential("globex", "1"))).unwrap();
        now(store.storage.set(INDEX_KEY, "{}")).unwrap();
        let e = now(store.switch(&api(), Some("acme"))).unwrap_err();
        assert_eq!(e.code(), Code::StorageCorrupt);
        assert_eq!(
            e.to_string(),
            "stored credentials are unreadable: choreo:accounts is not an account index"
        );
        assert_eq!(value(&store, INDEX_KEY).as_deref(), Some("{}"));
    }

    /// A storage as the package wrote it before accounts: one credential under `choreo:{api}`.
    fn previous_layout(org: &str) -> KvStore<MemoryKv> {
        let store = store();
        let json = credential(org, "old").to_stored_json();
        now(store.storage.set(&base_key(&api()), &json)).unwrap();
        store
    }

    #[test]
    fn a_credential_of_the_layout_before_accounts_is_adopted_where_it_is_nothing_lost() {
        let store = previous_layout("acme");
        assert_eq!(loaded(&store, None).as_deref(), Some("acme-old"));
        assert_eq!(now(store.accounts(&api())).unwrap().len(), 1);
        // Reads never write: the next change writes the adopted index.
        assert_eq!(value(&store, INDEX_KEY), None);
        // A second organization comes beside it; the first stays under its key.
        now(store.save(&credential("globex", "1"))).unwrap();
        let index = value(&store, INDEX_KEY).unwrap();
        assert!(
            index.contains(r#""key":"choreo:https://apis.choreo.dev","#),
            "{index}"
        );
        assert_eq!(loaded(&store, Some("acme")).as_deref(), Some("acme-old"));
        assert_eq!(
            store.storage.keys(),
            [
                INDEX_KEY,
                "choreo:https://apis.choreo.dev",
                "choreo:https://apis.choreo.dev#uuid-globex",
            ]
        );
        // A new login of the same organization replaces it there.
        now(store.save(&credential("acme", "2"))).unwrap();
        assert_eq!(loaded(&store, None).as_deref(), Some("acme-2"));
        assert_eq!(store.storage.keys().len(), 3);
        now(store.delete(org(Some("acme")))).unwrap().unwrap();
        assert_eq!(value(&store, &base_key(&api())), None);
        assert_eq!(loaded(&store, None).as_deref(), Some("globex-1"));
    }

    #[test]
    fn an_older_copy_of_an_indexed_organization_in_the_layout_before_accounts_is_removed() {
        let store = previous_layout("acme");
        let mut index = AccountIndex::default();
        index.record_login(
            &api(),
            &credential("acme", "new").session,
            Slot {
                key: account_key(&api(), "uuid-acme"),
            },
        );
        now(store.write_index(&index)).unwrap();
        let json = credential("acme", "new").to_stored_json();
        now(store.storage.set(&account_key(&api(), "uuid-acme"), &json)).unwrap();
        assert_eq!(loaded(&store, None).as_deref(), Some("acme-new"));
        // The next change removes the old copy, so a logout cannot bring it back.
        now(store.delete(org(None))).unwrap().unwrap();
        assert_eq!(store.storage.keys(), Vec::<String>::new());
        assert_eq!(loaded(&store, None), None);
    }

    #[test]
    fn an_unreadable_credential_fails_closed_and_logout_clears_it() {
        let store = store();
        now(store.storage.set(&base_key(&api()), "{not json")).unwrap();
        let e = now(store.load(org(None))).unwrap_err();
        assert_eq!(e.code(), Code::StorageCorrupt);
        assert_eq!(
            e.to_string(),
            "stored credentials are unreadable: the value of choreo:https://apis.choreo.dev is \
             not a credential"
        );
        assert_eq!(now(store.accounts(&api())).unwrap_err(), e);
        assert_eq!(now(store.delete(org(None))).unwrap(), None);
        assert_eq!(store.storage.keys(), Vec::<String>::new());
        assert_eq!(loaded(&store, None), None);

        // An account's own key holding another organization's credential is no credential of it.
        now(store.save(&credential("acme", "1"))).unwrap();
        let globex = credential("globex", "1").to_stored_json();
        now(store
            .storage
            .set(&account_key(&api(), "uuid-acme"), &globex))
        .unwrap();
        assert_eq!(
            now(store.load(org(None))).unwrap_err().code(),
            Code::StorageCorrupt
        );
        now(store.storage.set(INDEX_KEY, "{}")).unwrap();
        assert_eq!(
            now(store.load(org(None))).unwrap_err().to_string(),
            "stored credentials are unreadable: choreo:accounts is not an account index"
        );
    }

    /// Memory whose writes of one key fail.
    struct Failing {
        inner: MemoryKv,
        key: &'static str,
    }

    impl KeyValue for Failing {
        async fn get(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
            self.inner.get(key).await
        }
        async fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
            if key == self.key {
                return Err(StoreError::Failed {
                    message: "locked".into(),
                });
            }
            self.inner.set(key, value).await
        }
        async fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.inner.delete(key).await
        }
    }

    /// Memory whose writes fail with an error that quotes the value.
    struct Quoting;

    impl KeyValue for Quoting {
        async fn get(&self, _: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
            Ok(None)
        }
        async fn set(&self, _: &str, value: &str) -> Result<(), StoreError> {
            Err(StoreError::Failed {
                message: format!("cannot keep {value}"),
            })
        }
        async fn delete(&self, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
    }

    #[test]
    fn a_storage_error_that_quotes_the_credential_is_not_shown() {
        let store = KvStore { storage: Quoting };
        let e = now(store.save(&credential("acme", "1"))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "credential storage failed: the storage's error quoted the credential, so it is not \
             shown"
        );
    }

    #[test]
    fn a_login_whose_index_cannot_be_written_leaves_the_previous_state() {
        let store = KvStore {
            storage: Failing {
                inner: MemoryKv::default(),
                key: INDEX_KEY,
            },
        };
        let before = credential("acme", "old").to_stored_json();
        now(store.storage.inner.set(&base_key(&api()), &before)).unwrap();
        let e = now(store.save(&credential("globex", "1"))).unwrap_err();
        assert_eq!(e.code(), Code::StorageFailed);
        assert_eq!(
            store.storage.inner.keys(),
            ["choreo:https://apis.choreo.dev"]
        );
        let active = now(store.load(org(None))).unwrap().unwrap();
        assert_eq!(active.session.id, "acme-old");
    }
}
