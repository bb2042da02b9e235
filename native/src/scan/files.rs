//! Files, directories and stdin: ripgrep's walker (`ignore`, .gitignore honoured, parallel on
//! every core), each file read in chunks into one buffer per thread, so memory does not grow
//! with file size.

use super::utf16::{self, Utf16Reader};
use super::{Found, Totals, warn};
use choreo_auth_core::finder::{Finder, Finding, OVERLAP, Stream};
use ignore::{WalkBuilder, WalkState};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// New bytes read per chunk.
pub const CHUNK: usize = 256 * 1024;
/// A NUL byte in this many first bytes makes a file binary, and skipped (git's rule).
pub const BINARY_SNIFF: usize = 8000;

/// Scans `reader` to its end in chunks through `buf` (at least `OVERLAP` bytes longer than a
/// chunk). Returns the bytes read, or `None` for binary input. UTF-16 with a byte order mark is
/// scanned as the text it holds.
pub fn scan_reader(
    reader: &mut impl Read,
    finder: &Finder,
    near_misses: bool,
    buf: &mut [u8],
    out: &mut Vec<Finding>,
) -> io::Result<Option<u64>> {
    let (filled, end) = fill(reader, buf, 0)?;
    let mut stream = finder.stream(near_misses);
    if let Some(big_endian) = utf16::bom(&buf[..filled]) {
        let head = io::Cursor::new(buf[2..filled].to_vec());
        let mut text = Utf16Reader::new(head.chain(reader), big_endian);
        let (filled, end) = fill(&mut text, buf, 0)?;
        scan_chunks(&mut text, &mut stream, buf, (filled, end), out)?;
        return Ok(Some(2 + text.raw_read));
    }
    if is_binary(&buf[..filled]) {
        return Ok(None);
    }
    let rest = scan_chunks(reader, &mut stream, buf, (filled, end), out)?;
    Ok(Some(filled as u64 + rest))
}

/// Reads into `buf[filled..]` until it is full or the input ends: the new fill, and whether
/// the input ended.
fn fill(reader: &mut impl Read, buf: &mut [u8], mut filled: usize) -> io::Result<(usize, bool)> {
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => return Ok((filled, true)),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((filled, false))
}

/// Scans the `filled` bytes of `buf` and the rest of `reader`, a chunk at a time, keeping what
/// the stream leaves unconsumed; returns the bytes read from `reader`.
fn scan_chunks(
    reader: &mut impl Read,
    stream: &mut Stream<'_>,
    buf: &mut [u8],
    (mut filled, mut end): (usize, bool),
    out: &mut Vec<Finding>,
) -> io::Result<u64> {
    let mut read = 0;
    loop {
        let consumed = stream.scan(&buf[..filled], end, out);
        if end {
            return Ok(read);
        }
        buf.copy_within(consumed..filled, 0);
        let kept = filled - consumed;
        (filled, end) = fill(reader, buf, kept)?;
        read += (filled - kept) as u64;
    }
}

pub fn is_binary(start: &[u8]) -> bool {
    memchr::memchr(0, &start[..start.len().min(BINARY_SNIFF)]).is_some()
}

/// What the walking threads share.
struct Shared {
    found: Mutex<Vec<Found>>,
    files: AtomicU64,
    bytes: AtomicU64,
}

impl Shared {
    fn add(&self, path: &str, bytes: u64, findings: &mut Vec<Finding>) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        if findings.is_empty() {
            return;
        }
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        found.extend(findings.drain(..).map(|finding| Found {
            path: path.to_owned(),
            commit: None,
            finding,
            verified: None,
        }));
    }
}

/// Scans `paths` (the current directory if none; `-` is stdin).
pub fn scan(paths: &[PathBuf], near_misses: bool) -> (Vec<Found>, Totals) {
    let finder = Finder::builtin();
    let shared = Shared {
        found: Mutex::new(Vec::new()),
        files: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
    };
    let mut missing_path = false;
    let implicit = paths.is_empty();
    let mut roots: Vec<&Path> = Vec::new();
    let mut stdin = false;
    for path in paths {
        if path.as_os_str() == "-" {
            stdin = true;
        } else if std::fs::symlink_metadata(path).is_err() {
            warn(format_args!("{}: no such file or directory", shown(path)));
            missing_path = true;
        } else {
            roots.push(path);
        }
    }
    if implicit {
        roots.push(Path::new("."));
    }
    if stdin {
        let mut buf = vec![0; CHUNK + OVERLAP];
        let mut findings = Vec::new();
        match scan_reader(
            &mut io::stdin().lock(),
            finder,
            near_misses,
            &mut buf,
            &mut findings,
        ) {
            Ok(Some(bytes)) => shared.add("<stdin>", bytes, &mut findings),
            Ok(None) => {}
            Err(e) => warn(format_args!("could not read stdin: {e}")),
        }
    }
    if let Some((first, rest)) = roots.split_first() {
        walk(first, rest, implicit, finder, near_misses, &shared);
    }
    let totals = Totals {
        files: shared.files.into_inner(),
        bytes: shared.bytes.into_inner(),
        missing_path,
    };
    let found = shared.found.into_inner().unwrap_or_else(|e| e.into_inner());
    (found, totals)
}

fn walk(
    first: &Path,
    rest: &[&Path],
    implicit: bool,
    finder: &Finder,
    near_misses: bool,
    shared: &Shared,
) {
    let mut builder = WalkBuilder::new(first);
    for path in rest {
        builder.add(path);
    }
    builder
        // Dotfiles (.env, .npmrc) are where tokens leak most; .git holds objects, which --git
        // reads as git does.
        .hidden(false)
        .filter_entry(|e| e.file_name() != ".git")
        // .gitignore applies outside a git repository too.
        .require_git(false)
        .threads(std::thread::available_parallelism().map_or(2, |n| n.get()));
    builder.build_parallel().run(|| {
        let mut buf = vec![0; CHUNK + OVERLAP];
        let mut findings = Vec::new();
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    warn(format_args!("{e}"));
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let path = entry.path();
            // Walking `.` gives `./a/b`; the user typed nothing, so show `a/b`.
            let path = match path.strip_prefix(".") {
                Ok(p) if implicit => p,
                _ => path,
            };
            let read = std::fs::File::open(path).and_then(|mut file| {
                scan_reader(&mut file, finder, near_misses, &mut buf, &mut findings)
            });
            match read {
                Ok(Some(bytes)) => shared.add(&shown(path), bytes, &mut findings),
                Ok(None) => {}
                Err(e) => {
                    findings.clear();
                    warn(format_args!("{}: {e}", shown(path)));
                }
            }
            WalkState::Continue
        })
    });
}

/// A path as text (lossy for names that are not UTF-8).
pub fn shown(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
