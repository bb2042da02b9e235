//! `--git` and `--staged`: blobs read from the repository with gix, in process. A blob is read
//! whole (git stores it compressed as one object), one at a time per thread.

use super::files::is_binary;
use super::utf16;
use super::{Found, ScanError, Totals};
use choreo_auth_core::finder::Finder;
use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};
use gix::objs::tree::EntryMode;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// A blob to scan, and where it was first seen.
struct Job {
    id: ObjectId,
    path: BString,
    commit: Option<ObjectId>,
}

fn open(path: &Path) -> Result<gix::Repository, ScanError> {
    gix::discover(path).map_err(|e| ScanError::NotARepository {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

fn git_error(what: &'static str) -> impl Fn(gix::Error) -> ScanError {
    move |e| ScanError::Git {
        what,
        reason: e.to_string(),
    }
}

/// Every blob reachable from any ref (and HEAD), each once, attributed to the oldest commit
/// (by commit time) whose tree has it.
pub fn history(path: &Path, near_misses: bool) -> Result<(Vec<Found>, Totals), ScanError> {
    let repo = open(path)?;
    let mut tips: Vec<ObjectId> = Vec::new();
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    let references = repo.references().map_err(git_error("the refs"))?;
    for reference in references.all().map_err(git_error("the refs"))? {
        // Refs to something other than a commit (a tag of a blob) have no history to walk.
        let Ok(mut reference) = reference else {
            continue;
        };
        if let Ok(commit) = reference.peel_to_commit() {
            tips.push(commit.id);
        }
    }
    // Newest first from the tips, then reversed and sorted by time: oldest first, parents
    // before children among commits of the same second.
    let mut commits = Vec::new();
    if !tips.is_empty() {
        let walk = repo
            .rev_walk(tips)
            .sorting(gix::revision::walk::Sorting::ByCommitTime(
                gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
            ))
            .all()
            .map_err(git_error("the history"))?;
        for info in walk {
            let info = info.map_err(git_error("the history"))?;
            commits.push((info.commit_time.unwrap_or_default(), info.id));
        }
    }
    commits.reverse();
    commits.sort_by_key(|&(time, _)| time);
    let mut seen_trees = HashSet::new();
    let mut seen_blobs = HashSet::new();
    let mut jobs = Vec::new();
    for (_, commit) in commits {
        let tree = repo
            .find_commit(commit)
            .and_then(|c| c.tree_id())
            .map_err(git_error("a commit"))?;
        let enter = |tree| seen_trees.insert(tree);
        each_entry(&repo, tree.detach(), enter, |path, mode, id| {
            if mode.is_blob() && seen_blobs.insert(id) {
                jobs.push(Job {
                    id,
                    path,
                    commit: Some(commit),
                });
            }
        })
        .map_err(git_error("a tree"))?;
    }
    scan_jobs(repo, jobs, near_misses)
}

/// The index's blobs whose content differs from HEAD's at the same path: what the next commit
/// adds. Conflicted entries (stages 1–3) are all scanned.
pub fn staged(path: &Path, near_misses: bool) -> Result<(Vec<Found>, Totals), ScanError> {
    let repo = open(path)?;
    let index = repo.index_or_empty().map_err(git_error("the index"))?;
    let mut head: HashMap<BString, ObjectId> = HashMap::new();
    // No HEAD yet (the first commit): everything staged is new.
    if let Ok(tree) = repo.head_tree_id() {
        each_entry(
            &repo,
            tree.detach(),
            |_| true,
            |path, _, id| {
                head.insert(path, id);
            },
        )
        .map_err(git_error("HEAD's tree"))?;
    }
    let jobs = index
        .entries()
        .iter()
        .filter(|e| e.mode.to_tree_entry_mode().is_some_and(|m| m.is_blob()))
        .filter_map(|e| {
            let path = e.path(&index);
            (head.get(path) != Some(&e.id)).then(|| Job {
                id: e.id,
                path: path.to_owned(),
                commit: None,
            })
        })
        .collect();
    scan_jobs(repo, jobs, near_misses)
}

/// Calls `visit` with the path, mode and id of every entry under `tree` that is not a tree,
/// entering only the subtrees `enter` agrees to.
fn each_entry(
    repo: &gix::Repository,
    tree: ObjectId,
    mut enter: impl FnMut(ObjectId) -> bool,
    mut visit: impl FnMut(BString, EntryMode, ObjectId),
) -> Result<(), gix::Error> {
    let mut pending = vec![(tree, BString::default())];
    while let Some((tree, dir)) = pending.pop() {
        if !enter(tree) {
            continue;
        }
        for entry in repo.find_tree(tree)?.iter() {
            let entry = entry?.inner;
            let mut path = dir.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(entry.filename);
            if entry.mode.is_tree() {
                pending.push((entry.oid.to_owned(), path));
            } else {
                visit(path, entry.mode, entry.oid.to_owned());
            }
        }
    }
    Ok(())
}

/// Reads and scans the jobs' blobs on every core.
fn scan_jobs(
    repo: gix::Repository,
    jobs: Vec<Job>,
    near_misses: bool,
) -> Result<(Vec<Found>, Totals), ScanError> {
    let finder = Finder::builtin();
    // gix built without its `parallel` feature keeps a repository on one thread: each thread
    // opens its own.
    let git_dir = repo.git_dir().to_owned();
    drop(repo);
    let next = AtomicUsize::new(0);
    let (files, bytes) = (AtomicU64::new(0), AtomicU64::new(0));
    let found = Mutex::new(Vec::new());
    let failure = Mutex::new(None);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..threads.min(jobs.len()) {
            scope.spawn(|| {
                let repo = match gix::open(&git_dir) {
                    Ok(repo) => repo,
                    Err(e) => {
                        let mut failure = failure.lock().unwrap_or_else(|e| e.into_inner());
                        failure.get_or_insert_with(|| git_error("the repository")(e));
                        return;
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else {
                        return;
                    };
                    let blob = match repo.find_blob(job.id) {
                        Ok(blob) => blob,
                        Err(e) => {
                            let mut failure = failure.lock().unwrap_or_else(|e| e.into_inner());
                            failure.get_or_insert_with(|| git_error("a blob")(e));
                            next.store(jobs.len(), Ordering::Relaxed);
                            return;
                        }
                    };
                    let text = utf16::decode(&blob.data);
                    let text = text.as_deref().unwrap_or(&blob.data);
                    if is_binary(text) {
                        continue;
                    }
                    files.fetch_add(1, Ordering::Relaxed);
                    bytes.fetch_add(blob.data.len() as u64, Ordering::Relaxed);
                    let findings = finder.find_all(text, near_misses);
                    if findings.is_empty() {
                        continue;
                    }
                    let path = job.path.to_str_lossy().into_owned();
                    let commit = job.commit.map(|c| c.to_string());
                    let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
                    found.extend(findings.into_iter().map(|finding| Found {
                        path: path.clone(),
                        commit: commit.clone(),
                        finding,
                        verified: None,
                    }));
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    let totals = Totals {
        files: files.into_inner(),
        bytes: bytes.into_inner(),
        missing_path: false,
    };
    Ok((
        found.into_inner().unwrap_or_else(|e| e.into_inner()),
        totals,
    ))
}
