//! An in-memory credential store: the default of the wasm package, and a store for tests.

use crate::account::{AccountIndex, AccountRef};
use crate::credential::Credential;
use crate::host::{CredentialStore, StoreError};
use std::cell::RefCell;

/// Credentials kept in process memory only; gone when the process or page goes. Several
/// accounts per API base, as core's [`AccountIndex`] keeps them.
#[derive(Debug, Default)]
pub struct MemoryStore {
    accounts: RefCell<AccountIndex<Credential>>,
}

impl MemoryStore {
    /// Every account, for listing.
    pub fn accounts(&self) -> AccountIndex<Credential> {
        self.accounts.borrow().clone()
    }
}

impl CredentialStore for MemoryStore {
    async fn load(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError> {
        Ok(self
            .accounts
            .borrow()
            .find(which)
            .ok()
            .map(|a| a.at.clone()))
    }

    async fn save(&self, credential: &Credential) -> Result<(), StoreError> {
        self.accounts.borrow_mut().record_login(
            &credential.api_base,
            &credential.session,
            credential.clone(),
        );
        Ok(())
    }

    async fn delete(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError> {
        let mut accounts = self.accounts.borrow_mut();
        let Ok(found) = accounts.find(which) else {
            return Ok(None);
        };
        let uuid = found.org_uuid.clone();
        Ok(accounts.remove(which.api_base, &uuid).map(|a| a.at))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::{ApiBase, Organization};
    use crate::credential::Session;
    use crate::secret::SecretToken;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// The store's futures are ready at once.
    pub(crate) fn now<T>(future: impl Future<Output = T>) -> T {
        match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("a memory store future waited"),
        }
    }

    pub(crate) fn credential(api: &ApiBase, org: &str) -> Credential {
        Credential {
            api_base: api.clone(),
            token: SecretToken::new(format!("chp_token_of_{org}")),
            session: Session {
                id: org.into(),
                api_base: api.to_string(),
                kind: "choreo-pat".into(),
                masked: "chp_…".into(),
                user_id: "u".into(),
                pat_id: "p".into(),
                organization: Organization {
                    id: "1".into(),
                    uuid: format!("uuid-{org}"),
                    handle: org.into(),
                    name: org.into(),
                },
                scopes: vec![],
                valid_until: None,
                created_at: "2026-01-01T00:00:00Z".into(),
            },
        }
    }

    #[test]
    fn accounts_of_two_organizations_live_side_by_side() {
        let api = ApiBase::parse("https://apis.choreo.dev").unwrap();
        let store = MemoryStore::default();
        now(store.save(&credential(&api, "acme"))).unwrap();
        now(store.save(&credential(&api, "globex"))).unwrap();
        let org = |which| {
            now(store.load(which))
                .unwrap()
                .map(|c| c.session.organization.handle)
        };
        let acme = AccountRef {
            api_base: &api,
            org: Some("acme"),
        };
        assert_eq!(org(AccountRef::active(&api)).as_deref(), Some("globex"));
        assert_eq!(org(acme).as_deref(), Some("acme"));
        let removed = now(store.delete(AccountRef::active(&api)))
            .unwrap()
            .unwrap();
        assert_eq!(removed.session.organization.handle, "globex");
        assert_eq!(org(AccountRef::active(&api)).as_deref(), Some("acme"));
        assert_eq!(
            now(store.delete(acme)).unwrap().map(|c| c.session.id),
            Some("acme".into())
        );
        assert_eq!(now(store.delete(acme)).unwrap(), None);
        assert!(store.accounts().is_empty());
    }
}
