//! Owner-only files, replaced atomically, under one lock per configuration directory.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use zeroize::Zeroizing;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

/// Held while reading, changing and writing any file of the directory.
pub const LOCK_FILE: &str = "credentials.lock";

/// Test-only knob, honoured by debug builds alone: milliseconds to sleep between writing the
/// temporary file and renaming it over the real one, so tests can kill a writer mid-write.
pub const TEST_PAUSE_ENV: &str = "CHOREO_TEST_PAUSE_BEFORE_RENAME_MS";

/// Proof that the directory lock is held; released on drop.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

/// Creates the directory owner-only (0700 from creation on, never chmod-ed later).
pub fn ensure_dir(dir: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)
}

fn owner_only(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    options.mode(0o600);
    options
}

/// Takes the directory's exclusive lock, waiting for other processes to release it. The lock
/// dies with the process, so a killed writer never blocks the next one.
pub fn lock(dir: &Path) -> io::Result<DirLock> {
    ensure_dir(dir)?;
    let file = owner_only(
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
    )
    .open(dir.join(LOCK_FILE))?;
    file.lock()?;
    Ok(DirLock { _file: file })
}

/// The whole file, or `None` if it does not exist.
pub fn read_optional(path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    match File::open(path) {
        Ok(mut file) => {
            let len = file.metadata().map_or(0, |m| m.len());
            let mut buf = Zeroizing::new(Vec::with_capacity(
                usize::try_from(len).unwrap_or(0).saturating_add(1),
            ));
            file.read_to_end(&mut buf)?;
            Ok(Some(buf))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn temp_name(name: &str) -> String {
    format!(".{name}.{}.tmp", std::process::id())
}

/// Replaces `dir/name` with `bytes` so that a reader (or a crash) sees the old or the new
/// content, never a mix: a 0600 temporary file in the same directory, fsync, rename, fsync of
/// the directory. Call with the lock held.
pub fn write_atomic(_lock: &DirLock, dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    remove_stale_temps(dir, name);
    let temp = dir.join(temp_name(name));
    let result = (|| {
        let mut file = owner_only(OpenOptions::new().write(true).create_new(true)).open(&temp)?;
        file.write_all(bytes)?;
        // Data (and size) on disk before the rename makes it visible; mtime need not be.
        file.sync_data()?;
        drop(file);
        test_pause();
        fs::rename(&temp, dir.join(name))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Removes `dir/name` durably; a missing file is fine. Call with the lock held.
pub fn remove(_lock: &DirLock, dir: &Path, name: &str) -> io::Result<()> {
    match fs::remove_file(dir.join(name)) {
        Ok(()) => sync_dir(dir),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Makes a rename or removal in `dir` durable. Unix only: Windows opens no directory handle
/// to flush.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Temporary files left by writers that were killed before their rename.
fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name.starts_with(&prefix) && file_name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn test_pause() {
    if cfg!(debug_assertions)
        && let Some(ms) = std::env::var(TEST_PAUSE_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_directory_are_owner_only_from_creation() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("choreo");
        let lock = lock(&dir).unwrap();
        write_atomic(&lock, &dir, "f.json", b"{}").unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("f.json")), 0o600);
        assert_eq!(mode(&dir.join(LOCK_FILE)), 0o600);
    }

    #[test]
    fn a_rewrite_replaces_the_content_and_leaves_no_temporary_file() {
        let root = tempfile::tempdir().unwrap();
        let lock = lock(root.path()).unwrap();
        write_atomic(&lock, root.path(), "f.json", b"old").unwrap();
        fs::write(root.path().join(".f.json.1.tmp"), b"stale").unwrap();
        write_atomic(&lock, root.path(), "f.json", b"new").unwrap();
        let path = root.path().join("f.json");
        assert_eq!(&read_optional(&path).unwrap().unwrap()[..], b"new");
        let names: Vec<_> = fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn a_missing_file_reads_as_none() {
        let root = tempfile::tempdir().unwrap();
        assert!(
            read_optional(&root.path().join("absent"))
                .unwrap()
                .is_none()
        );
    }
}
