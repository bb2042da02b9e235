//! Owner-only files, replaced atomically, under one lock per configuration directory.
//!
//! What a file store must not trust, and what happens: a configuration directory others can
//! write to, or a credentials file others can read, is refused (never repaired: the token
//! may already be out); a lock file that is a symbolic link is refused; a stored file that is not a
//! regular file (a FIFO would hang the CLI) or is larger than [`MAX_STORED_BYTES`] is refused;
//! temporary files of writers killed before their rename are removed by every write and every
//! removal (a logout is one or the other), which hold the lock, so no live writer has one.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use zeroize::Zeroizing;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

/// Held while reading, changing and writing any file of the directory.
pub const LOCK_FILE: &str = "credentials.lock";

/// Stored files are read up to this size; a larger one is refused.
pub const MAX_STORED_BYTES: u64 = 1024 * 1024;

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

fn refused(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, message)
}

/// Refuses a directory other users can write to: they could swap the files in it.
#[cfg(unix)]
fn check_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(dir)?.permissions().mode();
    if mode & 0o022 != 0 {
        return Err(refused(format!(
            "{} can be written by other users (mode {:o}); run `chmod 700 {}`",
            dir.display(),
            mode & 0o777,
            dir.display()
        )));
    }
    Ok(())
}

/// Windows: the directory lies in the user's profile, whose ACL already keeps other users out.
#[cfg(not(unix))]
fn check_private_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Takes the directory's exclusive lock, waiting for other processes to release it. The lock
/// dies with the process, so a killed writer never blocks the next one. The lock file is never
/// reached through a symbolic link, and the directory must be private.
pub fn lock(dir: &Path) -> io::Result<DirLock> {
    ensure_dir(dir)?;
    check_private_dir(dir)?;
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    options.custom_flags(libc::O_NOFOLLOW);
    let file = owner_only(&mut options).open(dir.join(LOCK_FILE))?;
    file.lock()?;
    Ok(DirLock { _file: file })
}

/// The whole file, or `None` if it does not exist. Refused: anything but a regular file
/// (opened without blocking, so a FIFO cannot hang us), a file larger than
/// [`MAX_STORED_BYTES`].
pub fn read_optional(path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    read_checked(path, false)
}

/// [`read_optional`] for a file that holds secrets: also refused if others can read it.
pub fn read_secret_optional(path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    read_checked(path, true)
}

fn read_checked(path: &Path, secret: bool) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    options.custom_flags(libc::O_NONBLOCK);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(refused(format!("{} is not a regular file", path.display())));
    }
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(refused(format!(
                "{} can be read by other users (mode {:o}); run `chmod 600 {}`, and revoke \
                 the token if others may have read it",
                path.display(),
                mode & 0o777,
                path.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = secret;
    let too_large = || {
        refused(format!(
            "{} is larger than {MAX_STORED_BYTES} bytes",
            path.display()
        ))
    };
    if meta.len() > MAX_STORED_BYTES {
        return Err(too_large());
    }
    let mut buf = Zeroizing::new(Vec::with_capacity(
        usize::try_from(meta.len()).unwrap_or(0).saturating_add(1),
    ));
    // It may grow while read: never past the cap.
    file.take(MAX_STORED_BYTES + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_STORED_BYTES {
        return Err(too_large());
    }
    Ok(Some(buf))
}

fn temp_name(name: &str) -> String {
    format!(".{name}.{}.tmp", std::process::id())
}

/// Replaces `dir/name` with `bytes` so that a reader (or a crash) sees the old or the new
/// content, never a mix: a 0600 temporary file in the same directory, fsync, rename, fsync of
/// the directory. Call with the lock held.
pub fn write_atomic(_lock: &DirLock, dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    remove_stale_temps(dir);
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
    remove_stale_temps(dir);
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

/// Temporary files (`.<name>.<pid>.tmp`) left by writers that were killed before their
/// rename. Called with the lock held, when no live writer has one.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let pid = file_name
            .strip_prefix('.')
            .and_then(|n| n.strip_suffix(".tmp"))
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, pid)| pid);
        if pid.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
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
    fn a_removal_under_the_lock_also_clears_a_killed_writers_temporary_file() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("choreo");
        let lock1 = lock(&dir).unwrap();
        write_atomic(&lock1, &dir, "f.json", b"{}").unwrap();
        drop(lock1);
        // What a writer killed between write and rename leaves: a copy of the secret.
        fs::write(dir.join(".f.json.4242.tmp"), b"secret").unwrap();
        let lock2 = lock(&dir).unwrap();
        remove(&lock2, &dir, "f.json").unwrap();
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, [LOCK_FILE]);
    }

    #[test]
    fn a_lock_file_that_is_a_symbolic_link_is_not_followed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("choreo");
        ensure_dir(&dir).unwrap();
        let target = root.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, dir.join(LOCK_FILE)).unwrap();
        assert!(lock(&dir).is_err());
        assert!(!target.exists(), "the link was followed");
    }

    #[test]
    fn a_directory_others_can_write_to_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("choreo");
        ensure_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        let e = lock(&dir).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        assert!(e.to_string().contains("chmod 700"), "{e}");
    }

    #[test]
    fn stored_files_others_can_read_or_that_are_not_regular_or_too_large_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("f.json");
        fs::write(&path, b"{}").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let e = read_secret_optional(&path).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
        // A file without secrets may be readable.
        assert!(read_optional(&path).unwrap().is_some());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(read_secret_optional(&path).unwrap().is_some());
        // A FIFO: opening it to read would wait for a writer forever.
        let fifo = root.path().join("fifo.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = read_optional(&fifo).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        // Past the cap, even if only by a byte.
        let big = root.path().join("big.json");
        fs::write(&big, vec![b' '; MAX_STORED_BYTES as usize + 1]).unwrap();
        fs::set_permissions(&big, fs::Permissions::from_mode(0o600)).unwrap();
        let e = read_optional(&big).unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
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
