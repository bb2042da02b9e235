//! Where credentials live: the OS keyring by default, a plaintext file when asked, and
//! `config.json`, the non-secret account index (core's `AccountIndex`): which accounts exist,
//! which one is active on each api base, and which store holds each credential under which
//! key, so commands never guess (and never fall back silently).

pub mod file;
pub mod fsutil;
pub mod keyring;

use choreo_auth_core::account::{Account, AccountError, AccountIndex, Adopted, Switched};
use choreo_auth_core::host::{CredentialStore, StoreError};
pub use choreo_auth_core::source::StoreKind;
use choreo_auth_core::{AccountRef, ApiBase, Credential, Session};
use file::FileStore;
use keyring::KeyringStore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use tracing::debug;

pub const CONFIG_FILE: &str = "config.json";
pub const CONFIG_DIR_ENV: &str = "CHOREO_CONFIG_DIR";

/// Where one account's credential is: a store, and its key there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub store: StoreKind,
    pub key: String,
}

pub type Index = AccountIndex<Location>;

/// The key of a new account's credential. An api base holds no `#`, so it never equals a key
/// of the previous layout (the api base alone).
fn new_key(api: &ApiBase, org_uuid: &str) -> String {
    format!("{api}#{org_uuid}")
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default, skip_serializing_if = "AccountIndex::is_empty")]
    accounts: Index,
    /// The layout before accounts: one credential per api base, kept in this store under the
    /// api base itself. Read, adopted into `accounts`, then dropped.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    credential_stores: BTreeMap<String, StoreKind>,
}

/// The account index, and the api bases whose credential of the previous layout could not be
/// read yet, with the reason, given when that base is asked for.
#[derive(Debug)]
pub struct Accounts {
    pub index: Index,
    pub unread: BTreeMap<String, StoreError>,
}

/// Why [`Accounts::find`] found nothing.
#[derive(Debug)]
pub enum FindError {
    /// The base's credential of the previous layout could not be read.
    Unread(StoreError),
    Missing(AccountError),
}

impl Accounts {
    /// The account `which` names.
    pub fn find(&self, which: AccountRef<'_>) -> Result<&Account<Location>, FindError> {
        self.index
            .find(which)
            .map_err(|missing| match self.unread.get(which.api_base.as_str()) {
                Some(e) => FindError::Unread(e.clone()),
                None => FindError::Missing(missing),
            })
    }

    /// The reason a base's accounts may be incomplete, if they may be.
    pub fn unread(&self, api: &ApiBase) -> Result<(), StoreError> {
        self.unread.get(api.as_str()).cloned().map_or(Ok(()), Err)
    }
}

/// `CHOREO_CONFIG_DIR`, else the platform config directory + `choreo`.
pub fn config_dir() -> Result<PathBuf, StoreError> {
    match std::env::var_os(CONFIG_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => dirs::config_dir()
            .map(|d| d.join("choreo"))
            .ok_or(StoreError::Unavailable {
                message: format!("no configuration directory is known; set {CONFIG_DIR_ENV}"),
            }),
    }
}

fn io_failed(what: &str) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Failed {
        message: format!("{what}: {e}"),
    }
}

/// Every store of one configuration directory; `target` is where a login saves.
#[derive(Debug, Clone)]
pub struct Stores {
    dir: PathBuf,
    target: StoreKind,
    file: FileStore,
    keyring: KeyringStore,
}

impl Stores {
    pub fn new(dir: PathBuf, target: StoreKind) -> Self {
        Self {
            file: FileStore::new(dir.clone()),
            keyring: KeyringStore,
            dir,
            target,
        }
    }

    fn config_path(&self) -> PathBuf {
        self.dir.join(CONFIG_FILE)
    }

    fn read_config(&self) -> Result<ConfigFile, StoreError> {
        let path = self.config_path();
        match fsutil::read_optional(&path).map_err(io_failed("reading the config file"))? {
            None => Ok(ConfigFile::default()),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt {
                message: format!("{} is not a choreo config file", path.display()),
            }),
        }
    }

    fn write_config(&self, lock: &fsutil::DirLock, config: &ConfigFile) -> Result<(), StoreError> {
        let json = serde_json::to_vec_pretty(config).unwrap_or_default();
        fsutil::write_atomic(lock, &self.dir, CONFIG_FILE, &json)
            .map_err(io_failed("writing the config file"))
    }

    fn lock(&self) -> Result<fsutil::DirLock, StoreError> {
        fsutil::lock(&self.dir).map_err(io_failed("locking the config directory"))
    }

    /// Every account. Credentials of the previous layout are adopted first, where they can
    /// be read.
    pub async fn accounts(&self) -> Result<Accounts, StoreError> {
        let config = self.read_config()?;
        if config.credential_stores.is_empty() {
            return Ok(Accounts {
                index: config.accounts,
                unread: BTreeMap::new(),
            });
        }
        self.adopt_previous_layout().await
    }

    /// Moves the previous layout's records into the index, nothing lost: each credential stays
    /// where it is, under its api base; a base whose credential cannot be read now keeps its
    /// record for a later run.
    async fn adopt_previous_layout(&self) -> Result<Accounts, StoreError> {
        let lock = self.lock()?;
        let mut config = self.read_config()?;
        let mut unread = BTreeMap::new();
        let records = std::mem::take(&mut config.credential_stores);
        let before = records.len();
        for (base, store) in records {
            let at = Location {
                store,
                key: base.clone(),
            };
            let adopted = match ApiBase::parse(&base) {
                Ok(api) => self.adopt(&lock, &mut config.accounts, &api, &at).await,
                Err(_) => Err(StoreError::Corrupt {
                    message: format!("{} lists an invalid api base", self.config_path().display()),
                }),
            };
            if let Err(e) = adopted {
                debug!(
                    store = store.as_str(),
                    "a credential of the previous layout is unread"
                );
                unread.insert(base.clone(), e);
                config.credential_stores.insert(base, store);
            }
        }
        if config.credential_stores.len() != before {
            self.write_config(&lock, &config)?;
        }
        Ok(Accounts {
            index: config.accounts,
            unread,
        })
    }

    async fn adopt(
        &self,
        lock: &fsutil::DirLock,
        index: &mut Index,
        api: &ApiBase,
        at: &Location,
    ) -> Result<(), StoreError> {
        // Nothing stored there: nothing to adopt.
        let Some(credential) = self.load_at(at, api).await? else {
            return Ok(());
        };
        if index.adopt(api, &credential.session, at.clone()) == Adopted::Superseded {
            // The index holds a newer credential of that organization: the old copy goes.
            self.remove_at(lock, at, api).await?;
        }
        Ok(())
    }

    async fn load_at(
        &self,
        at: &Location,
        api: &ApiBase,
    ) -> Result<Option<Credential>, StoreError> {
        match at.store {
            StoreKind::File => self.file.load(&at.key, api),
            StoreKind::Keyring => self.keyring.load(&at.key, api).await,
        }
    }

    async fn remove_at(
        &self,
        lock: &fsutil::DirLock,
        at: &Location,
        api: &ApiBase,
    ) -> Result<Option<Credential>, StoreError> {
        match at.store {
            StoreKind::File => self.file.remove(lock, &at.key, api),
            StoreKind::Keyring => self.keyring.delete(&at.key, api).await,
        }
    }

    /// Records a login in the index, under the lock. Returns where the organization's previous
    /// credential was, when that is somewhere else.
    fn record(
        &self,
        lock: &fsutil::DirLock,
        api: &ApiBase,
        session: &Session,
        at: Location,
    ) -> Result<Option<Location>, StoreError> {
        let mut config = self.read_config()?;
        let recorded = config.accounts.record_login(api, session, at);
        if recorded.changed {
            self.write_config(lock, &config)?;
        }
        Ok(recorded.previous)
    }

    fn unrecord(
        &self,
        lock: &fsutil::DirLock,
        api: &ApiBase,
        org_uuid: &str,
    ) -> Result<(), StoreError> {
        let mut config = self.read_config()?;
        if config.accounts.remove(api, org_uuid).is_some() {
            self.write_config(lock, &config)?;
        }
        Ok(())
    }

    /// Makes the account of `org` active on `api` (without `org`, core's toggle rule).
    pub async fn switch(
        &self,
        api: &ApiBase,
        org: Option<&str>,
    ) -> Result<Result<Switched<Location>, AccountError>, StoreError> {
        self.accounts().await?.unread(api)?;
        let lock = self.lock()?;
        let mut config = self.read_config()?;
        let switched = config.accounts.switch(api, org);
        if switched.as_ref().is_ok_and(|s| s.changed) {
            self.write_config(&lock, &config)?;
        }
        Ok(switched)
    }

    /// Removes every account of `api`; returns their credentials.
    pub async fn delete_all(&self, api: &ApiBase) -> Result<Vec<Credential>, StoreError> {
        let accounts = self.accounts().await?;
        accounts.unread(api)?;
        let mut removed = Vec::new();
        for account in accounts.index.accounts(api) {
            let which = AccountRef {
                api_base: api,
                org: Some(&account.org_uuid),
            };
            removed.extend(self.delete(which).await?);
        }
        Ok(removed)
    }

    /// The `--insecure-storage` file.
    pub fn file_path(&self) -> PathBuf {
        self.file.path()
    }

    /// A human description of where `kind` keeps credentials.
    pub fn describe(&self, kind: StoreKind) -> String {
        match kind {
            StoreKind::Keyring => {
                format!("{}, service \"{}\"", keyring::DESCRIPTION, keyring::SERVICE)
            }
            StoreKind::File => format!("plaintext file {}", self.file.path().display()),
        }
    }
}

impl CredentialStore for Stores {
    async fn load(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError> {
        let accounts = self.accounts().await?;
        let account = match accounts.find(which) {
            Ok(account) => account,
            Err(FindError::Unread(e)) => return Err(e),
            Err(FindError::Missing(_)) => return Ok(None),
        };
        let credential = self.load_at(&account.at, which.api_base).await?;
        match credential {
            Some(c) if c.session.organization.uuid != account.org_uuid => {
                Err(StoreError::Corrupt {
                    message: format!(
                        "the credential stored for {} is not of organization {}",
                        which.api_base, account.org
                    ),
                })
            }
            other => Ok(other),
        }
    }

    async fn save(&self, credential: &Credential) -> Result<(), StoreError> {
        let api = &credential.api_base;
        let session = &credential.session;
        let uuid = &session.organization.uuid;
        // Read first: an unreadable index stops the login before anything is written.
        let accounts = self.accounts().await?;
        let before = accounts.index.get(api, uuid).map(|a| a.at.clone());
        let key = before
            .as_ref()
            .map_or_else(|| new_key(api, uuid), |at| at.key.clone());
        let at = Location {
            store: self.target,
            key,
        };
        match self.target {
            StoreKind::File => {
                let lock = self.lock()?;
                self.file.put(&lock, &at.key, credential)?;
                let previous = self.record(&lock, api, session, at)?;
                drop(lock);
                if let Some(previous) = previous.filter(|p| p.store == StoreKind::Keyring) {
                    // The keyring copy is stale now; failing to remove it changes nothing.
                    let removed = self.keyring.delete(&previous.key, api).await;
                    debug!(ok = removed.is_ok(), "removed the keyring copy");
                }
            }
            StoreKind::Keyring => {
                // Before any lock or file: with no keyring nothing at all is written.
                self.keyring.save(&at.key, credential).await?;
                let mut unchanged = accounts.index.clone();
                if !unchanged.record_login(api, session, at.clone()).changed {
                    // Already recorded and active: skip the lock, the write and its fsyncs.
                    debug!("saved the credential in the os keyring");
                    return Ok(());
                }
                let new_entry = before.as_ref() != Some(&at);
                // A new keyring entry is not in effect until recorded: if recording fails it
                // is removed, and the previous state stays in effect.
                let recorded = self.lock().and_then(|lock| {
                    let previous = self.record(&lock, api, session, at.clone())?;
                    Ok((lock, previous))
                });
                let (lock, previous) = match recorded {
                    Ok(done) => done,
                    Err(e) => {
                        if new_entry {
                            let removed = self.keyring.delete(&at.key, api).await;
                            debug!(ok = removed.is_ok(), "removed the unrecorded keyring entry");
                        }
                        return Err(e);
                    }
                };
                if let Some(previous) = previous.filter(|p| p.store == StoreKind::File) {
                    // No plaintext copy outlives a move to the keyring.
                    self.file.remove(&lock, &previous.key, api)?;
                }
            }
        }
        debug!(store = self.target.as_str(), "saved the credential");
        Ok(())
    }

    async fn delete(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError> {
        let accounts = self.accounts().await?;
        let account = match accounts.find(which) {
            Ok(account) => account.clone(),
            Err(FindError::Unread(e)) => return Err(e),
            Err(FindError::Missing(_)) => return Ok(None),
        };
        let api = which.api_base;
        let removed = match account.at.store {
            StoreKind::File => {
                let lock = self.lock()?;
                let removed = self.file.remove(&lock, &account.at.key, api)?;
                self.unrecord(&lock, api, &account.org_uuid)?;
                return Ok(removed);
            }
            StoreKind::Keyring => self.keyring.delete(&account.at.key, api).await?,
        };
        let lock = self.lock()?;
        self.unrecord(&lock, api, &account.org_uuid)?;
        Ok(removed)
    }
}
