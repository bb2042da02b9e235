//! Where the next token prefix is in a text. Natively, an Aho-Corasick automaton (`aho-corasick`,
//! whose SIMD prefilter is the search ripgrep uses); in wasm builds, a byte loop over the same
//! prefixes, as the automaton's code would cost the npm package 44 KB gzip (BENCHMARKS.md) and a
//! package scans an editor's document, not a tree. Both give the same answer: the earliest place
//! any prefix starts, and there the first prefix in the rules' order (leftmost-first); tests
//! compare them on generated texts.

/// The prefixes of a rule set, compiled for searching.
#[derive(Debug)]
pub(super) struct Prefixes {
    #[cfg(not(target_family = "wasm"))]
    automaton: aho_corasick::AhoCorasick,
    #[cfg(target_family = "wasm")]
    plain: Plain,
}

impl Prefixes {
    /// `prefixes` in the rules' order; none is empty.
    pub(super) fn new(prefixes: &[&str]) -> Self {
        Self {
            #[cfg(not(target_family = "wasm"))]
            automaton: aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(prefixes)
                .expect("an automaton of token prefixes fits the default limits"),
            #[cfg(target_family = "wasm")]
            plain: Plain::new(prefixes),
        }
    }

    /// The first prefix in `hay[at..]`: where it starts and ends in `hay`.
    pub(super) fn find(&self, hay: &[u8], at: usize) -> Option<(usize, usize)> {
        #[cfg(not(target_family = "wasm"))]
        {
            let input = aho_corasick::Input::new(hay).span(at..hay.len());
            self.automaton.find(input).map(|m| (m.start(), m.end()))
        }
        #[cfg(target_family = "wasm")]
        self.plain.find(hay, at)
    }
}

/// The search without an automaton: each byte that starts some prefix is tried against the
/// prefixes in order.
#[cfg(any(test, target_family = "wasm"))]
#[derive(Debug)]
struct Plain {
    prefixes: Vec<Box<[u8]>>,
    /// Whether some prefix starts with the byte.
    first: [bool; 256],
}

#[cfg(any(test, target_family = "wasm"))]
impl Plain {
    fn new(prefixes: &[&str]) -> Self {
        let mut first = [false; 256];
        for p in prefixes {
            first[usize::from(p.as_bytes()[0])] = true;
        }
        let prefixes = prefixes.iter().map(|p| p.as_bytes().into()).collect();
        Self { prefixes, first }
    }

    fn find(&self, hay: &[u8], at: usize) -> Option<(usize, usize)> {
        let mut from = at;
        while let Some(i) = hay[from..].iter().position(|&b| self.first[usize::from(b)]) {
            let start = from + i;
            if let Some(p) = self.prefixes.iter().find(|p| hay[start..].starts_with(p)) {
                return Some((start, start + p.len()));
            }
            from = start + 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::FormatRules;
    use proptest::prelude::*;

    fn builtin() -> Vec<&'static str> {
        FormatRules::builtin()
            .formats
            .iter()
            .flat_map(|f| f.prefixes.iter().map(|p| p.as_ref()))
            .collect()
    }

    /// Every match of a search from `at`, each search starting after the last match's start.
    fn all(find: impl Fn(usize) -> Option<(usize, usize)>, len: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut at = 0;
        while at <= len {
            let Some(m) = find(at) else { break };
            out.push(m);
            at = m.0 + 1;
        }
        out
    }

    #[test]
    fn of_prefixes_at_one_place_the_first_in_the_rules_order_is_found() {
        let plain = Plain::new(&["ab", "a", "abc", "b"]);
        assert_eq!(plain.find(b"xxabc", 0), Some((2, 4)));
        assert_eq!(plain.find(b"xxabc", 3), Some((3, 4)));
        assert_eq!(plain.find(b"xxa", 0), Some((2, 3)));
        assert_eq!(plain.find(b"xxc", 0), None);
        assert_eq!(plain.find(b"ab", 2), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Texts of prefixes, their pieces and neighbours, searched from every place.
        #[test]
        fn the_plain_search_finds_what_the_automaton_finds(
            pieces in prop::collection::vec(
                prop_oneof![
                    prop::sample::select(builtin()).prop_map(str::to_owned),
                    prop::sample::select(builtin()).prop_flat_map(|p| {
                        (0..p.len()).prop_map(move |n| p[..n].to_owned())
                    }),
                    "[a-zA-Z_0-9 -]{0,4}",
                    "[é😀\n]",
                ],
                0..24,
            ),
        ) {
            let text = pieces.concat();
            let hay = text.as_bytes();
            let automaton = Prefixes::new(&builtin());
            let plain = Plain::new(&builtin());
            prop_assert_eq!(
                all(|at| plain.find(hay, at), hay.len()),
                all(|at| automaton.find(hay, at), hay.len())
            );
        }
    }
}
