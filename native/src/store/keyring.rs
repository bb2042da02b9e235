//! The default store: the OS keyring (Secret Service on Linux), one entry per account, its
//! user name the key the account index records (credentials stored before accounts existed
//! are under their api base).

use choreo_auth_core::host::StoreError;
use choreo_auth_core::{ApiBase, Credential};
use std::time::Duration;
use tracing::debug;
use zeroize::Zeroizing;

pub const SERVICE: &str = "choreo-cli";
/// A keyring that waits for an unlock prompt nobody sees (SSH, CI) must not hang the CLI.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Both ways out, named in every "no keyring" message.
pub const WAYS_OUT: &str = "set CHOREO_TOKEN to use a token without storing it (as in ci), \
                            or log in with --insecure-storage to keep it in a plaintext file";

#[cfg(target_os = "linux")]
pub const DESCRIPTION: &str = "os keyring (secret service)";
#[cfg(target_os = "macos")]
pub const DESCRIPTION: &str = "os keyring (macos keychain)";
#[cfg(target_os = "windows")]
pub const DESCRIPTION: &str = "os keyring (windows credential manager)";
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
compile_error!("no os keyring backend for this platform: keyring would fall back to a mock");

#[derive(Debug, Clone, Copy, Default)]
pub struct KeyringStore;

fn unavailable(detail: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable {
        message: format!("no os keyring is reachable ({detail}); {WAYS_OUT}"),
    }
}

fn map_error(e: keyring::Error) -> StoreError {
    match e {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => unavailable(e),
        // Other variants may carry the secret's bytes: never print them.
        keyring::Error::BadEncoding(_) => StoreError::Corrupt {
            message: "the keyring entry is not text".into(),
        },
        keyring::Error::TooLong(attr, _) => StoreError::Failed {
            message: format!("the keyring refused an over-long {attr}"),
        },
        keyring::Error::Ambiguous(_) => StoreError::Corrupt {
            message: format!("the keyring holds several {SERVICE} entries for this account"),
        },
        _ => StoreError::Failed {
            message: "the keyring refused the request".into(),
        },
    }
}

/// Runs one blocking keyring call off the runtime thread, bounded by [`TIMEOUT`].
async fn call<T: Send + 'static>(
    op: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<Option<T>, StoreError> {
    let task = tokio::task::spawn_blocking(op);
    match tokio::time::timeout(TIMEOUT, task).await {
        Err(_) => Err(unavailable(format_args!(
            "it did not answer within {} s; is it locked?",
            TIMEOUT.as_secs()
        ))),
        Ok(Err(_)) => Err(StoreError::Failed {
            message: "the keyring call crashed".into(),
        }),
        Ok(Ok(Err(keyring::Error::NoEntry))) => Ok(None),
        Ok(Ok(Err(e))) => Err(map_error(e)),
        Ok(Ok(Ok(v))) => Ok(Some(v)),
    }
}

fn entry(key: &str) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, key)
}

fn parse(json: &str, api: &ApiBase) -> Result<Credential, StoreError> {
    Credential::from_stored_json(json)
        .filter(|c| c.api_base == *api)
        .ok_or(StoreError::Corrupt {
            message: format!("the keyring entry for {api} is not a credential"),
        })
}

impl KeyringStore {
    /// The credential under `key`, which must be one for `api`.
    pub async fn load(&self, key: &str, api: &ApiBase) -> Result<Option<Credential>, StoreError> {
        let user = key.to_owned();
        let secret = call(move || entry(&user)?.get_password().map(Zeroizing::new)).await?;
        secret.map(|json| parse(&json, api)).transpose()
    }

    /// Secret Service replaces an item with the same attributes in one call.
    pub async fn save(&self, key: &str, credential: &Credential) -> Result<(), StoreError> {
        let user = key.to_owned();
        let json = credential.to_stored_json();
        call(move || entry(&user)?.set_password(&json))
            .await?
            .ok_or(StoreError::Failed {
                message: "the keyring lost the entry while saving it".into(),
            })?;
        debug!(service = SERVICE, "saved the credential in the os keyring");
        Ok(())
    }

    pub async fn delete(&self, key: &str, api: &ApiBase) -> Result<Option<Credential>, StoreError> {
        let Some(found) = self.load(key, api).await? else {
            return Ok(None);
        };
        let user = key.to_owned();
        call(move || entry(&user)?.delete_credential()).await?;
        Ok(Some(found))
    }
}
