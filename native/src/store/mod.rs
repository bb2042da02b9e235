//! Where credentials live: the OS keyring by default, a plaintext file when asked, and a
//! small non-secret config file that remembers which one holds each api base's credential so
//! `status`, `token` and `logout` never guess (and never fall back silently).

pub mod file;
pub mod fsutil;
pub mod keyring;

use choreo_auth_core::host::{CredentialStore, StoreError};
pub use choreo_auth_core::source::StoreKind;
use choreo_auth_core::{ApiBase, Credential};
use file::FileStore;
use keyring::KeyringStore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use tracing::debug;

pub const CONFIG_FILE: &str = "config.json";
pub const CONFIG_DIR_ENV: &str = "CHOREO_CONFIG_DIR";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    credential_stores: BTreeMap<String, StoreKind>,
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

    fn record(
        &self,
        lock: &fsutil::DirLock,
        api: &ApiBase,
        kind: Option<StoreKind>,
    ) -> Result<(), StoreError> {
        let mut config = self.read_config()?;
        if config.credential_stores.get(api.as_str()).copied() == kind {
            // Unchanged: skip the write and its two fsyncs.
            return Ok(());
        }
        match kind {
            Some(kind) => config.credential_stores.insert(api.to_string(), kind),
            None => config.credential_stores.remove(api.as_str()),
        };
        let json = serde_json::to_vec_pretty(&config).unwrap_or_default();
        fsutil::write_atomic(lock, &self.dir, CONFIG_FILE, &json)
            .map_err(io_failed("writing the config file"))
    }

    fn lock(&self) -> Result<fsutil::DirLock, StoreError> {
        fsutil::lock(&self.dir).map_err(io_failed("locking the config directory"))
    }

    /// Which store holds the credential for `api`, if any.
    pub fn kind_for(&self, api: &ApiBase) -> Result<Option<StoreKind>, StoreError> {
        Ok(self
            .read_config()?
            .credential_stores
            .get(api.as_str())
            .copied())
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
    async fn load(&self, api: &ApiBase) -> Result<Option<Credential>, StoreError> {
        match self.kind_for(api)? {
            None => Ok(None),
            Some(StoreKind::File) => self.file.load(api),
            Some(StoreKind::Keyring) => self.keyring.load(api).await,
        }
    }

    async fn save(&self, credential: &Credential) -> Result<(), StoreError> {
        let api = &credential.api_base;
        match self.target {
            StoreKind::File => {
                let lock = self.lock()?;
                let before = self.kind_for(api)?;
                self.file.put(&lock, credential)?;
                self.record(&lock, api, Some(StoreKind::File))?;
                drop(lock);
                if before == Some(StoreKind::Keyring) {
                    // The keyring copy is stale now; failing to remove it changes nothing.
                    let removed = self.keyring.delete(api).await;
                    debug!(ok = removed.is_ok(), "removed the keyring copy");
                }
            }
            StoreKind::Keyring => {
                // Which store is in effect decides what may fail after the keyring write, so
                // it is read first: an unreadable record stops the login before anything is
                // written, and so does an unavailable keyring.
                let before = self.kind_for(api)?;
                self.keyring.save(credential).await?;
                if before != Some(StoreKind::Keyring) {
                    // The new keyring entry is not in effect until recorded: if recording
                    // fails it is removed, and the previous store stays in effect.
                    let lock = match self.lock().and_then(|lock| {
                        self.record(&lock, api, Some(StoreKind::Keyring))?;
                        Ok(lock)
                    }) {
                        Ok(lock) => lock,
                        Err(e) => {
                            let removed = self.keyring.delete(api).await;
                            debug!(ok = removed.is_ok(), "removed the unrecorded keyring entry");
                            return Err(e);
                        }
                    };
                    if before == Some(StoreKind::File) {
                        // No plaintext copy outlives a move to the keyring.
                        self.file.remove(&lock, api)?;
                    }
                }
            }
        }
        debug!(store = self.target.as_str(), "saved the credential");
        Ok(())
    }

    async fn delete(&self, api: &ApiBase) -> Result<Option<Credential>, StoreError> {
        let removed = match self.kind_for(api)? {
            None => return Ok(None),
            Some(StoreKind::File) => {
                let lock = self.lock()?;
                let removed = self.file.remove(&lock, api)?;
                self.record(&lock, api, None)?;
                return Ok(removed);
            }
            Some(StoreKind::Keyring) => self.keyring.delete(api).await?,
        };
        let lock = self.lock()?;
        self.record(&lock, api, None)?;
        Ok(removed)
    }
}
