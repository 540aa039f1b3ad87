//! A contribution's secret factors: drawn from the operating system's entropy and the
//! contributor's text, used once, and wiped.

use ark_bn254::Fr;
use ark_ff::{One, Zero};
use ark_std::rand::RngCore;
use ark_std::UniformRand;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

/// Secret factors, wiped when dropped, with the stream that drew them (it also draws the
/// proofs of knowledge' randomness).
pub struct Secrets {
    factors: Vec<Fr>,
    /// The stream the factors came from.
    pub rng: ChaCha20Rng,
}

impl Drop for Secrets {
    fn drop(&mut self) {
        self.factors.zeroize();
    }
}

impl Secrets {
    /// `count` factors from a 32-byte seed (never 0 or 1).
    pub fn from_seed(seed: [u8; 32], count: usize) -> Self {
        let seed = Zeroizing::new(seed);
        let mut rng = ChaCha20Rng::from_seed(*seed);
        let factors = (0..count)
            .map(|_| loop {
                let x = Fr::rand(&mut rng);
                if !x.is_zero() && !x.is_one() {
                    break x;
                }
            })
            .collect();
        Self { factors, rng }
    }

    /// `count` factors from 32 bytes of the operating system's entropy hashed with `text`.
    pub fn from_entropy(text: &str, count: usize) -> Self {
        let mut os = Zeroizing::new([0u8; 32]);
        ark_std::rand::rngs::OsRng.fill_bytes(os.as_mut());
        let mut hash = Sha256::new();
        hash.update(b"vsies/ceremony/entropy/v1");
        hash.update(os.as_ref());
        hash.update(text.as_bytes());
        Self::from_seed(hash.finalize().into(), count)
    }

    /// The `i`-th factor.
    pub fn factor(&self, i: usize) -> &Fr {
        &self.factors[i]
    }
}
