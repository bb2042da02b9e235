//! Core's modules depend on each other in one direction only: no module reaches, through the
//! modules it names, back to itself. A circle is where two rules end up written as one.
#![allow(
    clippy::disallowed_methods,
    reason = "a test reads core's sources; core/clippy.toml keeps I/O out of the library"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Each module of `core/src` (one file each) and the modules its code names as `crate::x`,
/// outside comments and its tests.
fn modules() -> BTreeMap<String, BTreeSet<String>> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut names = BTreeSet::new();
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(&src).expect("core/src") {
        let path = entry.expect("an entry of core/src").path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && name != "lib" {
            names.insert(name.to_owned());
            texts.push((
                name.to_owned(),
                std::fs::read_to_string(&path).expect("a module"),
            ));
        }
    }
    texts
        .into_iter()
        .map(|(name, text)| {
            let code = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default();
            let code: String = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            // `crate::x`, and each `x` of `crate::{x, y::z}`.
            let mut uses = BTreeSet::new();
            for (at, _) in code.match_indices("crate::") {
                let rest = &code[at + "crate::".len()..];
                let group = match rest.strip_prefix('{') {
                    Some(group) => &group[..group.find('}').unwrap_or(group.len())],
                    None => rest,
                };
                let parts =
                    group
                        .split(',')
                        .take(if rest.starts_with('{') { usize::MAX } else { 1 });
                for part in parts {
                    let word: String = (part.trim_start().chars())
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if names.contains(&word) && word != name {
                        uses.insert(word);
                    }
                }
            }
            (name, uses)
        })
        .collect()
}

/// A path from `from` back to itself, if there is one.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().expect("a path is never empty");
        for next in &graph[last] {
            if next == from {
                return Some([path.clone(), vec![next.clone()]].concat());
            }
            if seen.insert(next.clone()) {
                stack.push([path.clone(), vec![next.clone()]].concat());
            }
        }
    }
    None
}

#[test]
fn no_module_of_core_reaches_back_to_itself() {
    let graph = modules();
    // The reading above sees real dependencies: the flows name the HTTP types.
    assert!(graph["login"].contains("http"), "{:?}", graph["login"]);
    assert!(graph.len() > 20, "{}", graph.len());
    let circles: Vec<String> = graph
        .keys()
        .filter_map(|m| circle(&graph, m))
        .map(|path| path.join(" → "))
        .collect();
    assert!(circles.is_empty(), "{circles:#?}");
}
