//! An in-memory credential store: the default of the wasm package, and a store for tests.

use crate::api::ApiBase;
use crate::credential::Credential;
use crate::host::{CredentialStore, StoreError};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Credentials kept in process memory only; gone when the process or page goes.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: RefCell<BTreeMap<String, Credential>>,
}

impl CredentialStore for MemoryStore {
    async fn load(&self, api_base: &ApiBase) -> Result<Option<Credential>, StoreError> {
        Ok(self.entries.borrow().get(api_base.as_str()).cloned())
    }

    async fn save(&self, credential: &Credential) -> Result<(), StoreError> {
        self.entries
            .borrow_mut()
            .insert(credential.api_base.as_str().to_owned(), credential.clone());
        Ok(())
    }

    async fn delete(&self, api_base: &ApiBase) -> Result<Option<Credential>, StoreError> {
        Ok(self.entries.borrow_mut().remove(api_base.as_str()))
    }
}
