//! Searching for a segment with `?` in linear time: the bit-parallel Shift-And algorithm.
//!
//! Bit `j` of the state says "the segment's first `j + 1` characters match the input ending
//! here". Each input character shifts the state one position and keeps the bits whose segment
//! character is `?` or that character, so a search costs `O(input × segment / 64)`, whatever
//! the input, instead of trying the segment at every position (`O(input × segment)`: 20 s for a
//! 50,000-character segment against a 500,000-character value).
//!
//! Which positions hold a character is kept in `O(segment)` memory whatever the alphabet: a
//! dense bit mask for the (at most 64) characters frequent enough to fill one, a sorted list of
//! positions for the rest, so updating the state with a character also costs at most one pass
//! over the state's words.

/// A compiled segment search.
#[derive(Clone, Debug)]
pub(super) struct ShiftAnd {
    /// Characters in the segment.
    len: usize,
    /// The positions of `?`.
    wild: Box<[u64]>,
    /// Characters with a dense mask, sorted by character.
    dense: Box<[(char, Box<[u64]>)]>,
    /// Characters with their positions, sorted by character; positions ascending.
    sparse: Box<[(char, Box<[u32]>)]>,
}

/// State words kept on the stack: segments up to 256 characters search without allocating.
const STACK_WORDS: usize = 8;

impl ShiftAnd {
    /// Compiles a segment of at least one character. Positions fit `u32` because pattern
    /// length is bounded far below that by the document limits.
    pub(super) fn new(segment: &str) -> ShiftAnd {
        let chars: Vec<char> = segment.chars().collect();
        let len = chars.len();
        let words = len.div_ceil(64);
        let mut wild = vec![0u64; words];
        let mut positions: Vec<(char, u32)> = Vec::new();
        for (at, &c) in chars.iter().enumerate() {
            if c == '?' {
                wild[at / 64] |= 1 << (at % 64);
            } else {
                positions.push((c, u32::try_from(at).unwrap_or(u32::MAX)));
            }
        }
        positions.sort_unstable();
        let mut dense = Vec::new();
        let mut sparse = Vec::new();
        for run in positions.chunk_by(|a, b| a.0 == b.0) {
            let c = run[0].0;
            // A mask costs `words` words and updates in `words` steps; a list, one `u32` and one
            // step per position: a character takes a mask once it is that frequent.
            if run.len() >= 2 * words {
                let mut mask = vec![0u64; words];
                for &(_, at) in run {
                    let at = at as usize;
                    mask[at / 64] |= 1 << (at % 64);
                }
                dense.push((c, mask.into_boxed_slice()));
            } else {
                sparse.push((c, run.iter().map(|&(_, at)| at).collect()));
            }
        }
        ShiftAnd {
            len,
            wild: wild.into_boxed_slice(),
            dense: dense.into_boxed_slice(),
            sparse: sparse.into_boxed_slice(),
        }
    }

    /// The byte offset just past the leftmost match in `hay`.
    pub(super) fn find_end(&self, hay: &str) -> Option<usize> {
        let words = self.wild.len();
        let mut stack = [0u64; STACK_WORDS];
        let mut heap = Vec::new();
        let (state, scratch) = if 2 * words <= STACK_WORDS {
            stack[..2 * words].split_at_mut(words)
        } else {
            heap.resize(2 * words, 0);
            heap.split_at_mut(words)
        };
        let last = self.len - 1;
        for (at, c) in hay.char_indices() {
            self.step(state, scratch, c);
            if state[last / 64] & (1 << (last % 64)) != 0 {
                return Some(at + c.len_utf8());
            }
        }
        None
    }

    /// Advances `state` over one input character; `shifted` is scratch space of equal length.
    fn step(&self, state: &mut [u64], shifted: &mut [u64], c: char) {
        // Shift left by one, a match starting at this character setting bit 0.
        let mut carry = 1;
        for (word, out) in state.iter().zip(shifted.iter_mut()) {
            *out = (word << 1) | carry;
            carry = word >> 63;
        }
        for ((word, out), wild) in state.iter_mut().zip(shifted.iter()).zip(&*self.wild) {
            *word = out & wild;
        }
        if let Ok(at) = self.dense.binary_search_by_key(&c, |(k, _)| *k) {
            for ((word, out), mask) in state.iter_mut().zip(shifted.iter()).zip(&*self.dense[at].1)
            {
                *word |= out & mask;
            }
        } else if let Ok(at) = self.sparse.binary_search_by_key(&c, |(k, _)| *k) {
            for &position in &*self.sparse[at].1 {
                let (word, bit) = (position as usize / 64, 1 << (position % 64));
                state[word] |= shifted[word] & bit;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The leftmost end by trying every start: the definition the search must agree with.
    fn naive_find_end(segment: &str, hay: &str) -> Option<usize> {
        let want: Vec<char> = segment.chars().collect();
        hay.char_indices().find_map(|(start, _)| {
            let mut chars = hay[start..].char_indices();
            for &w in &want {
                let (_, got) = chars.next()?;
                if w != '?' && w != got {
                    return None;
                }
            }
            Some(chars.next().map_or(hay.len(), |(end, _)| start + end))
        })
    }

    #[test]
    fn agrees_with_trying_every_start() {
        let segments = [
            "?", "a?", "?a", "a?b", "??", "a?a?a", "é?", "?日", "ab?ab?ab",
        ];
        let hays = [
            "",
            "a",
            "ab",
            "ba",
            "aab",
            "aaaaab",
            "xéy日",
            "日日",
            "abxabyabz",
            "ababab",
        ];
        for segment in segments {
            for hay in hays {
                assert_eq!(
                    ShiftAnd::new(segment).find_end(hay),
                    naive_find_end(segment, hay),
                    "{segment:?} in {hay:?}"
                );
            }
        }
    }

    #[test]
    fn long_segments_span_words_and_spill_to_the_heap() {
        // 70 and 300 characters: two words, then five (past the stack buffer).
        for n in [70, 300] {
            let segment = format!("{}?b", "a".repeat(n - 2));
            let hay = format!("{}cb{}xb", "a".repeat(n), "a".repeat(n - 2));
            assert_eq!(
                ShiftAnd::new(&segment).find_end(&hay),
                naive_find_end(&segment, &hay)
            );
            // The leftmost match takes `c` for the `?`: it starts at the third `a`.
            assert_eq!(ShiftAnd::new(&segment).find_end(&hay), Some(n + 2));
        }
    }

    #[test]
    fn frequent_and_rare_characters_both_match() {
        // `a` fills a dense mask, `z` stays a position list.
        let segment = format!("{}z?{}", "a".repeat(200), "a".repeat(200));
        let hay = format!("b{}zq{}", "a".repeat(200), "a".repeat(200));
        assert_eq!(ShiftAnd::new(&segment).find_end(&hay), Some(hay.len()));
        assert_eq!(
            ShiftAnd::new(&segment).find_end(&hay[..hay.len() - 1]),
            None
        );
    }
}
