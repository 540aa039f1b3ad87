//! The seeded randomness of the spec: MT19937 and numpy's legacy permutation.
//!
//! Both the train/test split and the per-epoch batch order are permutations drawn from
//! `numpy.random.RandomState(seed)`. Choosing numpy's legacy generator (rather than a
//! Rust-native one) means the split is exactly scikit-learn's
//! `train_test_split(test_size=f, random_state=seed)` and any Python implementation of the
//! training spec reproduces the batch order with one line, which is how the reference
//! fixtures in the tests were produced and can be re-checked.

/// Number of 32-bit words in MT19937's state.
const STATE_WORDS: usize = 624;
const MIDDLE: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// The 32-bit Mersenne Twister (Matsumoto and Nishimura, 1998), seeded with `init_genrand`
/// as `numpy.random.RandomState(seed)` does for an integer seed.
#[derive(Clone)]
pub struct Mt19937 {
    state: [u32; STATE_WORDS],
    index: usize,
    /// Outputs drawn so far: the generator's position in its stream.
    draws: u64,
}

impl Mt19937 {
    /// `init_genrand(seed)`: the generator of `numpy.random.RandomState(seed)`.
    pub fn new(seed: u32) -> Self {
        let mut state = [0u32; STATE_WORDS];
        state[0] = seed;
        for i in 1..STATE_WORDS {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        }
        Self { state, index: STATE_WORDS, draws: 0 }
    }

    fn twist(&mut self) {
        for i in 0..STATE_WORDS {
            let y = (self.state[i] & UPPER_MASK) | (self.state[(i + 1) % STATE_WORDS] & LOWER_MASK);
            let mut next = self.state[(i + MIDDLE) % STATE_WORDS] ^ (y >> 1);
            if y & 1 == 1 {
                next ^= MATRIX_A;
            }
            self.state[i] = next;
        }
        self.index = 0;
    }

    /// `genrand_int32`: the next tempered 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= STATE_WORDS {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        self.draws += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// How many 32-bit outputs have been drawn since seeding: the generator's position.
    pub fn draws(&self) -> u64 {
        self.draws
    }

    /// numpy's `random_interval(max)`: uniform in `[0, max]` by masked rejection sampling.
    fn interval(&mut self, max: u32) -> u32 {
        if max == 0 {
            return 0;
        }
        let mask = u32::MAX >> max.leading_zeros();
        loop {
            let value = self.next_u32() & mask;
            if value <= max {
                return value;
            }
        }
    }

    /// `RandomState.permutation(n)`: Fisher-Yates from the top, `j = interval(i)` for
    /// `i = n-1 .. 1`, swapping positions `i` and `j` of `0..n`.
    ///
    /// # Panics
    /// If `n` exceeds `u32::MAX` (numpy would switch to 64-bit draws; vsies datasets are
    /// limited to `u32::MAX` rows by the canonical encoding).
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        assert!(n <= u32::MAX as usize, "permutation of more than 2^32 - 1 elements");
        let mut items: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.interval(i as u32) as usize;
            items.swap(i, j);
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_mt19937_outputs() {
        // The reference implementation's init_genrand(5489) outputs (mt19937ar.c).
        let mut rng = Mt19937::new(5489);
        let first: Vec<u32> = (0..3).map(|_| rng.next_u32()).collect();
        assert_eq!(first, [3_499_211_612, 581_869_302, 3_890_346_734]);
    }

    #[test]
    fn permutation_matches_numpy_random_state() {
        // numpy 2.4: np.random.RandomState(0).permutation(10)
        assert_eq!(Mt19937::new(0).permutation(10), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
        // np.random.RandomState(42).permutation(5)
        assert_eq!(Mt19937::new(42).permutation(5), [1, 4, 2, 0, 3]);
    }

    #[test]
    fn permutation_of_small_sets() {
        assert!(Mt19937::new(1).permutation(0).is_empty());
        assert_eq!(Mt19937::new(1).permutation(1), [0]);
    }
}
