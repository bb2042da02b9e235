//! `--insecure-storage`: a plaintext JSON file mapping a key → stored credential. An account's
//! key is recorded in the account index (`config.json`); credentials stored before accounts
//! existed are keyed by their api base.

use super::fsutil::{self, DirLock};
use choreo_auth_core::host::StoreError;
use choreo_auth_core::{ApiBase, Credential};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const CREDENTIALS_FILE: &str = "credentials.json";

/// Each key's credential as its JSON text, borrowed from the file's bytes (or from the
/// credential being stored): the tokens are never copied into memory that is freed unwiped.
type Entries<'a> = BTreeMap<String, &'a RawValue>;

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

    /// The file's bytes, wiped when dropped; `None` if there is no file.
    fn read(&self) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
        fsutil::read_secret_optional(&self.path())
            .map_err(|e| failed("reading the credentials file", e))
    }

    fn entries<'a>(
        &self,
        bytes: &'a Option<Zeroizing<Vec<u8>>>,
    ) -> Result<Entries<'a>, StoreError> {
        match bytes {
            None => Ok(Entries::new()),
            Some(bytes) => serde_json::from_slice(bytes).map_err(|_| corrupt(&self.path())),
        }
    }

    fn write(&self, lock: &DirLock, entries: &Entries<'_>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return fsutil::remove(lock, &self.dir, CREDENTIALS_FILE)
                .map_err(|e| failed("removing the credentials file", e));
        }
        // Written at its exact size, so no growing buffer leaves a token behind: `{`, then each
        // entry as `,\n  "key": value` (the first without its comma), then `\n}`.
        let keys: Vec<String> = entries
            .keys()
            .map(|k| serde_json::to_string(k).unwrap_or_default())
            .collect();
        let size: usize = keys
            .iter()
            .zip(entries.values())
            .map(|(k, v)| k.len() + v.get().len() + 6)
            .sum();
        let mut json = Zeroizing::new(Vec::with_capacity(size + 2));
        json.push(b'{');
        for (i, (key, value)) in keys.iter().zip(entries.values()).enumerate() {
            json.extend_from_slice(if i == 0 { b"\n  " } else { b",\n  " });
            json.extend_from_slice(key.as_bytes());
            json.extend_from_slice(b": ");
            json.extend_from_slice(value.get().as_bytes());
        }
        json.extend_from_slice(b"\n}");
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
        let bytes = self.read()?;
        let value = self.entries(&bytes)?.remove(key);
        value.map(|v| self.credential(v, api)).transpose()
    }

    /// A stored entry's credential, which must be one for `api`.
    fn credential(&self, value: &RawValue, api: &ApiBase) -> Result<Credential, StoreError> {
        Credential::from_stored_json(value.get())
            .filter(|c| c.api_base == *api)
            .ok_or_else(|| corrupt(&self.path()))
    }

    /// Read-modify-write inside the lock, so concurrent logins never lose an entry.
    pub fn put(
        &self,
        lock: &DirLock,
        key: &str,
        credential: &Credential,
    ) -> Result<(), StoreError> {
        let bytes = self.read()?;
        let mut entries = self.entries(&bytes)?;
        let json = credential.to_stored_json();
        let value = serde_json::from_str(&json).map_err(|_| corrupt(&self.path()))?;
        entries.insert(key.to_owned(), value);
        self.write(lock, &entries)
    }

    pub fn remove(
        &self,
        lock: &DirLock,
        key: &str,
        api: &ApiBase,
    ) -> Result<Option<Credential>, StoreError> {
        let bytes = self.read()?;
        let mut entries = self.entries(&bytes)?;
        let Some(value) = entries.remove(key) else {
            return Ok(None);
        };
        let found = self.credential(value, api)?;
        self.write(lock, &entries)?;
        Ok(Some(found))
    }
}

#[cfg(test)]
mod tests {
    //! The credentials file's tokens leave no copy in freed memory: a global allocator looks into
    //! every block the watching thread frees.
    // A global allocator is `unsafe` by definition. This one only forwards to the system's and,
    // when its thread watches, reads the block it is about to free.
    #![allow(unsafe_code)]

    use super::*;
    use choreo_auth_core::SecretToken;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    /// Tokens whose runs no other bytes of these tests contain.
    const TOKENS: [&str; 2] = [
        "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox",
        "chp_Wb5Kc8Nd1Pf4Rg7Tj0Vm3Xp6Zs9Ah2Bk0cdef",
    ];
    const NEEDLES: [&[u8]; 2] = [b"Xq7Lm2Pz9Rt4Vw8N", b"Wb5Kc8Nd1Pf4Rg7T"];

    struct Watching;

    thread_local! {
        /// Only the test's own thread is watched: the harness runs other tests beside it.
        static WATCHING: Cell<bool> = const { Cell::new(false) };
        static FREED_WITH_TOKEN: Cell<usize> = const { Cell::new(0) };
    }

    unsafe impl GlobalAlloc for Watching {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if WATCHING.get() {
                // SAFETY: the block is ours until it is handed back below, `layout.size()` long.
                let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
                if NEEDLES
                    .iter()
                    .any(|n| block.windows(n.len()).any(|w| w == *n))
                {
                    FREED_WITH_TOKEN.set(FREED_WITH_TOKEN.get() + 1);
                }
            }
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Watching = Watching;

    /// How many blocks freed while `f` ran held a token.
    fn freed_with_token(f: impl FnOnce()) -> usize {
        FREED_WITH_TOKEN.set(0);
        WATCHING.set(true);
        f();
        WATCHING.set(false);
        FREED_WITH_TOKEN.get()
    }

    fn credential(token: &str, org: &str) -> Credential {
        let session = serde_json::json!({
            "id": "s", "apiBase": "http://127.0.0.1:9", "kind": "choreo-pat", "masked": "m",
            "userId": "u", "patId": "p", "validUntil": null, "createdAt": "2026-01-01T00:00:00Z",
            "organization": { "id": "1", "uuid": org, "handle": org, "name": org },
            // Long enough that a growing buffer would move with the token in it.
            "scopes": ["s".repeat(4096)],
        });
        Credential {
            api_base: ApiBase::parse("http://127.0.0.1:9").unwrap(),
            token: SecretToken::new(token.to_owned()),
            session: serde_json::from_value(session).unwrap(),
        }
    }

    #[test]
    fn the_watch_sees_a_token_freed_as_it_was() {
        // Without this the other test could pass by seeing nothing.
        assert_eq!(freed_with_token(|| drop(TOKENS[0].to_owned())), 1);
    }

    #[test]
    fn storing_loading_and_removing_leave_no_copy_of_a_token_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().to_owned());
        let api = ApiBase::parse("http://127.0.0.1:9").unwrap();
        let (first, second) = (credential(TOKENS[0], "a"), credential(TOKENS[1], "b"));
        let freed = freed_with_token(|| {
            let lock = fsutil::lock(dir.path()).unwrap();
            store.put(&lock, "a", &first).unwrap();
            // The first token is read back and written again beside the second.
            store.put(&lock, "b", &second).unwrap();
            let loaded = store.load("a", &api).unwrap().unwrap();
            assert_eq!(loaded.token.expose(), TOKENS[0]);
            drop(loaded);
            assert!(store.remove(&lock, "b", &api).unwrap().is_some());
        });
        assert_eq!(freed, 0);
    }
}
