//! `--insecure-storage`: a plaintext JSON file mapping a key → stored credential. An account's
//! key is recorded in the account index (`config.json`); credentials stored before accounts
//! existed are keyed by their api base.

use super::fsutil::{self, DirLock};
use choreo_auth_core::host::StoreError;
use choreo_auth_core::{ApiBase, Credential};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const CREDENTIALS_FILE: &str = "credentials.json";

type Entries = BTreeMap<String, Value>;

#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

fn failed(what: &str, e: std::io::Error) -> StoreError {
    StoreError::Failed {
        message: format!("{what}: {e}"),
    }
}

fn corrupt(path: &Path) -> StoreError {
    StoreError::Corrupt {
        message: format!(
            "{} is not a credentials file; remove it and log in again",
            path.display()
        ),
    }
}

impl FileStore {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(CREDENTIALS_FILE)
    }

    fn read(&self) -> Result<Entries, StoreError> {
        let path = self.path();
        match fsutil::read_secret_optional(&path)
            .map_err(|e| failed("reading the credentials file", e))?
        {
            None => Ok(Entries::new()),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|_| corrupt(&path)),
        }
    }

    fn write(&self, lock: &DirLock, entries: &Entries) -> Result<(), StoreError> {
        if entries.is_empty() {
            return fsutil::remove(lock, &self.dir, CREDENTIALS_FILE)
                .map_err(|e| failed("removing the credentials file", e));
        }
        let json =
            Zeroizing::new(serde_json::to_vec_pretty(entries).map_err(|_| corrupt(&self.path()))?);
        fsutil::write_atomic(lock, &self.dir, CREDENTIALS_FILE, &json)
            .map_err(|e| failed("writing the credentials file", e))?;
        // Read back: a full disk or a misbehaving filesystem must not pass as a login.
        let back = fsutil::read_secret_optional(&self.path())
            .map_err(|e| failed("reading the credentials file back", e))?;
        if back.as_deref().map(|b| &b[..]) != Some(&json[..]) {
            return Err(StoreError::Failed {
                message: "the credentials file did not read back as written".into(),
            });
        }
        Ok(())
    }

    /// The credential under `key`, which must be one for `api`.
    pub fn load(&self, key: &str, api: &ApiBase) -> Result<Option<Credential>, StoreError> {
        let entries = self.read()?;
        let Some(value) = entries.get(key) else {
            return Ok(None);
        };
        let json = Zeroizing::new(value.to_string());
        Credential::from_stored_json(&json)
            .filter(|c| c.api_base == *api)
            .map(Some)
            .ok_or_else(|| corrupt(&self.path()))
    }

    /// Read-modify-write inside the lock, so concurrent logins never lose an entry.
    pub fn put(
        &self,
        lock: &DirLock,
        key: &str,
        credential: &Credential,
    ) -> Result<(), StoreError> {
        let mut entries = self.read()?;
        let value: Value = serde_json::from_str(&credential.to_stored_json())
            .map_err(|_| corrupt(&self.path()))?;
        entries.insert(key.to_owned(), value);
        self.write(lock, &entries)
    }

    pub fn remove(
        &self,
        lock: &DirLock,
        key: &str,
        api: &ApiBase,
    ) -> Result<Option<Credential>, StoreError> {
        let found = self.load(key, api)?;
        let mut entries = self.read()?;
        if entries.remove(key).is_some() {
            self.write(lock, &entries)?;
        }
        Ok(found)
    }
}
