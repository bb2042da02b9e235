//! The module's credential store: core's account index kept in the host's key-value store.
//!
//! The host keeps strings under keys and knows nothing of accounts. Key `accounts` holds the
//! index (no secret: API bases, organizations, which one is active); every other key holds one
//! credential (the token and its session), named `{api base}#{organization uuid}`.

use crate::protocol::AccountRow;
use choreo_auth_core::account::{Account, AccountError, AccountIndex, AccountRef};
use choreo_auth_core::credential::Credential;
use choreo_auth_core::host::{CredentialStore, StoreError};
use choreo_auth_core::{ApiBase, Code};
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

/// The host's store: strings under keys. Each call either happened or failed, as a whole.
pub trait Kv {
    fn load(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError>;
    fn save(&self, key: &str, value: &str) -> Result<(), StoreError>;
    fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// The key of the account index.
pub const INDEX_KEY: &str = "accounts";

/// Where an account's credential is: its key in the host's store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub key: String,
}

fn credential_key(api: &ApiBase, org_uuid: &str) -> String {
    format!("{api}#{org_uuid}")
}

fn corrupt(message: &str) -> StoreError {
    StoreError::Corrupt {
        message: message.to_owned(),
    }
}

/// Core's [`CredentialStore`] over a [`Kv`], with several accounts per API base.
#[derive(Debug)]
pub struct AccountStore<K> {
    pub kv: K,
}

/// Why a switch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwitchError {
    Account(AccountError),
    Store(StoreError),
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

impl<K: Kv> AccountStore<K> {
    fn index(&self) -> Result<AccountIndex<Slot>, StoreError> {
        match self.kv.load(INDEX_KEY)? {
            None => Ok(AccountIndex::default()),
            Some(json) => choreo_auth_core::json::from_str(&json)
                .map_err(|_| corrupt("the account index is not the json this module writes")),
        }
    }

    fn write_index(&self, index: &AccountIndex<Slot>) -> Result<(), StoreError> {
        if index.is_empty() {
            return self.kv.delete(INDEX_KEY);
        }
        // Strings and booleans only: serialising cannot fail.
        self.kv
            .save(INDEX_KEY, &serde_json::to_string(index).unwrap_or_default())
    }

    /// The credential of `account`, checked to be that account's.
    fn read(&self, account: &Account<Slot>) -> Result<Credential, StoreError> {
        let json = self.kv.load(&account.at.key)?.ok_or_else(|| {
            corrupt("the account index names a credential the store does not hold")
        })?;
        let credential = Credential::from_stored_json(&json)
            .ok_or_else(|| corrupt("a stored entry is not a credential"))?;
        if credential.session.organization.uuid != account.org_uuid {
            return Err(corrupt("a stored credential is not its account's"));
        }
        Ok(credential)
    }

    /// Every account, by API base, in the order added.
    pub fn rows(&self) -> Result<Vec<AccountRow>, StoreError> {
        Ok(self
            .index()?
            .iter()
            .map(|listed| AccountRow {
                api_base: listed.api_base.to_owned(),
                org: listed.account.org.clone(),
                org_uuid: listed.account.org_uuid.clone(),
                active: listed.active,
            })
            .collect())
    }

    /// Makes the account of `org` active on `api` (core's rules: without `org`, toggles
    /// between exactly two); the account and whether anything changed.
    pub fn switch(
        &self,
        api: &ApiBase,
        org: Option<&str>,
    ) -> Result<(AccountRow, bool), SwitchError> {
        let mut index = self.index().map_err(SwitchError::Store)?;
        let switched = index.switch(api, org).map_err(SwitchError::Account)?;
        if switched.changed {
            self.write_index(&index).map_err(SwitchError::Store)?;
        }
        let row = AccountRow {
            api_base: api.to_string(),
            org: switched.to.org,
            org_uuid: switched.to.org_uuid,
            active: true,
        };
        Ok((row, switched.changed))
    }
}

impl<K: Kv> CredentialStore for AccountStore<K> {
    async fn load(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError> {
        let index = self.index()?;
        match index.find(which) {
            Ok(account) => self.read(account).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// The credential first, then the index: a failure in between leaves the index as it was
    /// (and, for an organization already there, its credential replaced by a verified one).
    async fn save(&self, credential: &Credential) -> Result<(), StoreError> {
        // Read first: an unreadable index fails the save before anything is written.
        let mut index = self.index()?;
        let api = &credential.api_base;
        let key = credential_key(api, &credential.session.organization.uuid);
        self.kv.save(&key, &credential.to_stored_json())?;
        let slot = Slot { key: key.clone() };
        let recorded = index.record_login(api, &credential.session, slot);
        if recorded.changed {
            self.write_index(&index)?;
        }
        if let Some(previous) = recorded.previous
            && previous.key != key
        {
            self.kv.delete(&previous.key)?;
        }
        Ok(())
    }

    /// The index first, then the credential: a failure in between leaves an entry no account
    /// names, never an account without its credential.
    async fn delete(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError> {
        let mut index = self.index()?;
        let Ok(account) = index.find(which).cloned() else {
            return Ok(None);
        };
        let credential = self.read(&account)?;
        index.remove(which.api_base, &account.org_uuid);
        self.write_index(&index)?;
        self.kv.delete(&account.at.key)?;
        Ok(Some(credential))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use choreo_auth_core::api::Organization;
    use choreo_auth_core::credential::Session;
    use choreo_auth_core::secret::SecretToken;
    use choreo_auth_core::vectors::block_on_ready;
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    #[derive(Default)]
    struct Map {
        entries: RefCell<BTreeMap<String, String>>,
        /// Saving under this key fails.
        refuse: RefCell<Option<&'static str>>,
    }

    impl Kv for Map {
        fn load(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
            Ok(self.entries.borrow().get(key).cloned().map(Zeroizing::new))
        }
        fn save(&self, key: &str, value: &str) -> Result<(), StoreError> {
            if *self.refuse.borrow() == Some(key) {
                return Err(StoreError::Failed {
                    message: "disk full".into(),
                });
            }
            self.entries
                .borrow_mut()
                .insert(key.to_owned(), value.to_owned());
            Ok(())
        }
        fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.entries.borrow_mut().remove(key);
            Ok(())
        }
    }

    fn api() -> ApiBase {
        ApiBase::parse("https://apis.choreo.dev").unwrap()
    }

    fn credential(handle: &str, token: &str) -> Credential {
        Credential {
            api_base: api(),
            token: SecretToken::new(token.into()),
            session: Session {
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
            },
        }
    }

    fn active_org(store: &AccountStore<Map>) -> Option<String> {
        block_on_ready(store.load(AccountRef::active(&api())))
            .unwrap()
            .map(|c| c.session.organization.handle)
    }

    #[test]
    fn accounts_live_in_the_index_and_each_credential_under_its_own_key() {
        let store = AccountStore { kv: Map::default() };
        block_on_ready(store.save(&credential("acme", "chp_one"))).unwrap();
        block_on_ready(store.save(&credential("globex", "chp_two"))).unwrap();
        let keys: Vec<String> = store.kv.entries.borrow().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "accounts",
                "https://apis.choreo.dev#uuid-acme",
                "https://apis.choreo.dev#uuid-globex"
            ]
        );
        assert!(!store.kv.entries.borrow()["accounts"].contains("chp_"));
        assert_eq!(active_org(&store).as_deref(), Some("globex"));
        let rows = store.rows().unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| (r.org.as_str(), r.active))
                .collect::<Vec<_>>(),
            [("acme", false), ("globex", true)]
        );

        let (row, changed) = store.switch(&api(), None).unwrap();
        assert_eq!((row.org.as_str(), changed), ("acme", true));
        assert_eq!(active_org(&store).as_deref(), Some("acme"));

        let removed = block_on_ready(store.delete(AccountRef::active(&api()))).unwrap();
        assert_eq!(removed.unwrap().token.expose(), "chp_one");
        assert_eq!(active_org(&store).as_deref(), Some("globex"));
        block_on_ready(store.delete(AccountRef::active(&api()))).unwrap();
        assert!(store.kv.entries.borrow().is_empty(), "nothing is left");
    }

    #[test]
    fn a_save_that_fails_leaves_the_accounts_as_they_were() {
        let store = AccountStore { kv: Map::default() };
        block_on_ready(store.save(&credential("acme", "chp_one"))).unwrap();
        let before = store.rows().unwrap();
        for refused in ["https://apis.choreo.dev#uuid-globex", INDEX_KEY] {
            *store.kv.refuse.borrow_mut() = Some(refused);
            let failed = block_on_ready(store.save(&credential("globex", "chp_two")));
            assert_eq!(failed.unwrap_err().code(), Code::StorageFailed, "{refused}");
            assert_eq!(store.rows().unwrap(), before, "{refused}");
            assert_eq!(active_org(&store).as_deref(), Some("acme"), "{refused}");
        }
    }

    #[test]
    fn an_unreadable_index_or_a_credential_of_another_account_is_corrupt_never_ignored() {
        let store = AccountStore { kv: Map::default() };
        block_on_ready(store.save(&credential("acme", "chp_one"))).unwrap();
        let swapped = credential("globex", "chp_two").to_stored_json();
        store.kv.entries.borrow_mut().insert(
            "https://apis.choreo.dev#uuid-acme".into(),
            swapped.to_string(),
        );
        let read = block_on_ready(store.load(AccountRef::active(&api())));
        assert_eq!(read.unwrap_err().code(), Code::StorageCorrupt);

        store
            .kv
            .entries
            .borrow_mut()
            .insert("accounts".into(), "[]".into());
        let read = block_on_ready(store.load(AccountRef::active(&api())));
        assert_eq!(read.unwrap_err().code(), Code::StorageCorrupt);
        let saved = block_on_ready(store.save(&credential("acme", "chp_one")));
        assert_eq!(saved.unwrap_err().code(), Code::StorageCorrupt);
    }
}
