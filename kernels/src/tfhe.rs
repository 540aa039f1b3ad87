//! TFHE's key switch and programmable bootstrap on the kernel path (`cuda/keyswitch.cu`,
//! `cuda/bootstrap.cu`), modulo the NTT prime `p = 2^64 - 2^32 + 1` of tfhe-rs's
//! deterministic bootstrap. They are bit for bit tfhe-rs's `keyswitch_lwe_ciphertext` and
//! `programmable_bootstrap_ntt64_lwe_ciphertext` on the same keys and inputs (tested in
//! vsies-fhe, which holds tfhe-rs, through its `Emulated` bootstrap backend).
//!
//! Every array is tfhe-rs's own container layout: an LWE ciphertext is its mask then its
//! body; a GLWE ciphertext (and a lookup table) `k + 1` polynomials of `N` coefficients, masks
//! first; a bootstrap key, per input mask element, a GGSW ciphertext of `levels` matrices of
//! `(k + 1) x (k + 1)` polynomials; a key-switching key, per input mask element, `levels` LWE
//! ciphertexts. Levels are stored in the order tfhe-rs's decomposition yields digits.
//!
//! The bootstrap key goes through this crate's own negacyclic NTT once
//! ([`prepare_bootstrap_key_emulated`]); products computed in that domain are the same
//! integers mod `p` as tfhe-rs's, so the ciphertexts are identical although the two NTT
//! domains differ.

use crate::emulator::{self, Launch};
use crate::KernelError;

/// The NTT prime of tfhe-rs's deterministic bootstrap, `2^64 - 2^32 + 1`.
pub const P64: u64 = 0xFFFF_FFFF_0000_0001;

/// A generator of the multiplicative group of `Z_p`.
const GENERATOR: u64 = 7;

/// Threads per block of the emulated bootstrap and NTT: each block's threads are OS threads
/// meeting at a barrier after every NTT stage, so few of them keep the emulator quick.
pub const EMULATOR_BLOCK: u32 = 8;

fn mul(a: u64, b: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(P64)) as u64
}

fn pow(mut base: u64, mut exponent: u64) -> u64 {
    let mut result = 1;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = mul(result, base);
        }
        base = mul(base, base);
        exponent >>= 1;
    }
    result
}

/// The twiddle tables of the negacyclic NTT of `Z_p[X]/(X^N + 1)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NegacyclicPlan {
    /// log2 of `N`.
    pub log_n: u32,
    /// `ψ^bitrev(k)` for `k < N`, ψ a primitive `2N`-th root of unity.
    pub psi_rev: Vec<u64>,
    /// `ψ^-bitrev(k)` for `k < N`.
    pub psi_inv_rev: Vec<u64>,
    /// `1/N mod p`.
    pub n_inv: u64,
}

impl NegacyclicPlan {
    /// The plan for polynomials of `polynomial_size` coefficients (a power of two from 2 to
    /// 2^16: tfhe-rs's range, and `2N` must divide `p - 1 = 2^32 · (2^32 - 1)`).
    pub fn new(polynomial_size: usize) -> Result<Self, KernelError> {
        if !(2..=1 << 16).contains(&polynomial_size) || !polynomial_size.is_power_of_two() {
            return Err(KernelError::Shape(format!(
                "a polynomial of {polynomial_size} coefficients: the size must be a power of two from 2 to 65536"
            )));
        }
        let n = polynomial_size as u64;
        let log_n = n.trailing_zeros();
        let psi = pow(GENERATOR, (P64 - 1) / (2 * n));
        let psi_inv = pow(psi, 2 * n - 1);
        let reversed = |k: u64| k.reverse_bits() >> (64 - log_n);
        let psi_rev = (0..n).map(|k| pow(psi, reversed(k))).collect();
        let psi_inv_rev = (0..n).map(|k| pow(psi_inv, reversed(k))).collect();
        Ok(Self { log_n, psi_rev, psi_inv_rev, n_inv: pow(n, P64 - 2) })
    }

    /// `N`.
    pub fn polynomial_size(&self) -> usize {
        1 << self.log_n
    }
}

fn check_decomposition(base_log: usize, levels: usize) -> Result<(), KernelError> {
    if base_log == 0 || levels == 0 || base_log * levels >= 64 {
        return Err(KernelError::Shape(format!(
            "a decomposition of {levels} levels of base 2^{base_log}: both must be at least 1 and cover fewer than 64 bits"
        )));
    }
    Ok(())
}

fn check_canonical(name: &str, values: &[u64]) -> Result<(), KernelError> {
    match values.iter().position(|&v| v >= P64) {
        Some(i) => Err(KernelError::Shape(format!("{name}[{i}] = {} is not reduced modulo p", values[i]))),
        None => Ok(()),
    }
}

/// The dimensions of a bootstrap key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootstrapShape {
    /// The input LWE dimension `n`.
    pub lwe_dimension: usize,
    /// `N`.
    pub polynomial_size: usize,
    /// `k + 1`.
    pub glwe_size: usize,
    /// log2 of the decomposition base.
    pub base_log: usize,
    /// Decomposition levels.
    pub levels: usize,
}

impl BootstrapShape {
    /// Values in one GLWE ciphertext, `(k + 1) · N`.
    pub fn glwe_len(&self) -> usize {
        self.glwe_size * self.polynomial_size
    }

    /// Values in the key, `n · levels · (k + 1)^2 · N`.
    pub fn key_len(&self) -> usize {
        self.lwe_dimension * self.levels * self.glwe_size * self.glwe_len()
    }

    /// The output LWE size, `k · N + 1`.
    pub fn output_lwe_size(&self) -> usize {
        self.glwe_len() - self.polynomial_size + 1
    }

    fn check(&self) -> Result<NegacyclicPlan, KernelError> {
        check_decomposition(self.base_log, self.levels)?;
        if self.lwe_dimension == 0 || self.glwe_size < 2 {
            return Err(KernelError::Shape(format!(
                "a bootstrap from dimension {} into GLWE size {}: needs a nonzero dimension and a GLWE size of at least 2",
                self.lwe_dimension, self.glwe_size
            )));
        }
        NegacyclicPlan::new(self.polynomial_size)
    }
}

/// A bootstrap key in the kernels' NTT domain, with its plan.
#[derive(Clone, Debug)]
pub struct PreparedBootstrapKey {
    /// Its dimensions.
    pub shape: BootstrapShape,
    /// The twiddles.
    pub plan: NegacyclicPlan,
    /// Every polynomial of the key, transformed.
    pub ntt: Vec<u64>,
}

/// Transforms every polynomial of `count` polynomials (`plan`'s size each) in place on the
/// emulator, forward (`inverse` false) or back.
#[allow(unsafe_code, reason = "launches emulated kernels through their C entry points, after checking their bounds")]
pub fn negacyclic_ntt_emulated(polys: &mut [u64], plan: &NegacyclicPlan, inverse: bool) -> Result<(), KernelError> {
    let n = plan.polynomial_size();
    if !polys.len().is_multiple_of(n) {
        return Err(KernelError::Shape(format!("{} values are not whole polynomials of {n}", polys.len())));
    }
    check_canonical("polynomial", polys)?;
    let count = (polys.len() / n) as u64;
    let launch = Launch { grid: count.clamp(1, 1024) as u32, block: EMULATOR_BLOCK };
    // SAFETY: `polys` holds `count` polynomials of 2^log_n values, and each table N values.
    unsafe {
        if inverse {
            emulator::vsies_emu_tfhe_ntt_inverse(
                launch.grid,
                launch.block,
                polys.as_mut_ptr(),
                plan.psi_inv_rev.as_ptr(),
                plan.log_n,
                plan.n_inv,
                count,
            );
        } else {
            emulator::vsies_emu_tfhe_ntt_forward(
                launch.grid,
                launch.block,
                polys.as_mut_ptr(),
                plan.psi_rev.as_ptr(),
                plan.log_n,
                count,
            );
        }
    }
    Ok(())
}

/// `standard` (tfhe-rs's standard-domain bootstrap key modulo p, `shape.key_len()` values) in
/// the kernels' NTT domain, transformed on the emulator.
pub fn prepare_bootstrap_key_emulated(
    standard: &[u64],
    shape: BootstrapShape,
) -> Result<PreparedBootstrapKey, KernelError> {
    let plan = check_bootstrap_key(standard, &shape)?;
    let mut ntt = standard.to_vec();
    negacyclic_ntt_emulated(&mut ntt, &plan, false)?;
    Ok(PreparedBootstrapKey { shape, plan, ntt })
}

/// Checks a bootstrap's table and inputs against the key's shape; returns the number of
/// ciphertexts.
pub fn check_bootstrap(shape: &BootstrapShape, lut: &[u64], inputs: &[u64]) -> Result<usize, KernelError> {
    let input_size = shape.lwe_dimension + 1;
    if lut.len() != shape.glwe_len() || !inputs.len().is_multiple_of(input_size) {
        return Err(KernelError::Shape(format!(
            "a bootstrap of {} values (whole ciphertexts of {input_size}) through a table of {} (needs {})",
            inputs.len(),
            lut.len(),
            shape.glwe_len()
        )));
    }
    check_canonical("lookup table", lut)?;
    check_canonical("ciphertext", inputs)?;
    Ok(inputs.len() / input_size)
}

/// Checks a standard-domain key against its shape and returns the shape's plan.
pub fn check_bootstrap_key(standard: &[u64], shape: &BootstrapShape) -> Result<NegacyclicPlan, KernelError> {
    let plan = shape.check()?;
    if standard.len() != shape.key_len() {
        return Err(KernelError::Shape(format!(
            "a bootstrap key of {} values for {shape:?} (needs {})",
            standard.len(),
            shape.key_len()
        )));
    }
    check_canonical("bootstrap key", standard)?;
    Ok(plan)
}

/// Values of work memory the bootstrap kernel needs per block.
pub fn bootstrap_scratch_per_block(shape: &BootstrapShape) -> usize {
    3 * shape.glwe_len() + shape.polynomial_size
}

/// Blind-rotates the lookup table `lut` by every ciphertext of `inputs` (LWE ciphertexts of the
/// key's input dimension, mod p), run by the emulator: one GLWE accumulator of `(k + 1) · N`
/// values per input, tfhe-rs's `blind_rotate_ntt64_assign` bit for bit.
#[allow(unsafe_code, reason = "launches an emulated kernel through its C entry point, after checking its bounds")]
pub fn blind_rotate_emulated(key: &PreparedBootstrapKey, lut: &[u64], inputs: &[u64]) -> Result<Vec<u64>, KernelError> {
    let shape = key.shape;
    let count = check_bootstrap(&shape, lut, inputs)?;
    let mut out = vec![0u64; count * shape.glwe_len()];
    if count == 0 {
        return Ok(out);
    }
    let launch = Launch { grid: count.min(1024) as u32, block: EMULATOR_BLOCK };
    let mut scratch = vec![0u64; launch.grid as usize * bootstrap_scratch_per_block(&shape)];
    // SAFETY: the key holds key_len() values, the table glwe_len(), the inputs `count`
    // ciphertexts, scratch one region per block and out `count` accumulators, all checked
    // above; the shape's decomposition covers fewer than 64 bits.
    unsafe {
        emulator::vsies_emu_tfhe_blind_rotate(
            launch.grid,
            launch.block,
            key.ntt.as_ptr(),
            lut.as_ptr(),
            inputs.as_ptr(),
            count as u64,
            shape.lwe_dimension as u64,
            key.plan.log_n,
            shape.glwe_size as u32,
            shape.base_log as u32,
            shape.levels as u32,
            key.plan.psi_rev.as_ptr(),
            key.plan.psi_inv_rev.as_ptr(),
            key.plan.n_inv,
            scratch.as_mut_ptr(),
            out.as_mut_ptr(),
        );
    }
    Ok(out)
}

/// The sample extraction of every accumulator's constant coefficient (tfhe-rs's
/// `extract_lwe_sample_from_glwe_ciphertext` at degree 0, mod p): mask coefficient `j` of
/// polynomial `r` is `acc_r[0]` for `j = 0` and `-acc_r[N - j]` above; the body is the last
/// polynomial's constant coefficient. `k · N + 1` values per accumulator.
pub fn sample_extract(shape: &BootstrapShape, accumulators: &[u64]) -> Vec<u64> {
    let n = shape.polynomial_size;
    let mask_width = shape.glwe_len() - n;
    let mut out = Vec::with_capacity(accumulators.len() / shape.glwe_len() * shape.output_lwe_size());
    for acc in accumulators.chunks_exact(shape.glwe_len()) {
        for poly in acc[..mask_width].chunks_exact(n) {
            out.push(poly[0]);
            out.extend(poly[1..].iter().rev().map(|&c| if c == 0 { 0 } else { P64 - c }));
        }
        out.push(acc[mask_width]);
    }
    out
}

/// Bootstraps every ciphertext of `inputs` through the lookup table `lut`, run by the
/// emulator: [`blind_rotate_emulated`] then [`sample_extract`], `k · N + 1` values per output.
pub fn bootstrap_emulated(key: &PreparedBootstrapKey, lut: &[u64], inputs: &[u64]) -> Result<Vec<u64>, KernelError> {
    Ok(sample_extract(&key.shape, &blind_rotate_emulated(key, lut, inputs)?))
}

/// The dimensions of a key-switching key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyswitchShape {
    /// The input LWE dimension.
    pub input_dimension: usize,
    /// The output LWE dimension.
    pub output_dimension: usize,
    /// log2 of the decomposition base.
    pub base_log: usize,
    /// Decomposition levels.
    pub levels: usize,
}

impl KeyswitchShape {
    /// Values in the key, `input · levels · (output + 1)`.
    pub fn key_len(&self) -> usize {
        self.input_dimension * self.levels * (self.output_dimension + 1)
    }

    /// Checks the key and inputs; returns the number of ciphertexts.
    pub fn check(&self, key: &[u64], inputs: &[u64]) -> Result<usize, KernelError> {
        check_decomposition(self.base_log, self.levels)?;
        let input_size = self.input_dimension + 1;
        if self.output_dimension == 0 || key.len() != self.key_len() || !inputs.len().is_multiple_of(input_size) {
            return Err(KernelError::Shape(format!(
                "a key switch of {} values (whole ciphertexts of {input_size}) with a key of {} for {self:?} (needs {})",
                inputs.len(),
                key.len(),
                self.key_len()
            )));
        }
        check_canonical("key-switching key", key)?;
        check_canonical("ciphertext", inputs)?;
        Ok(inputs.len() / input_size)
    }
}

/// Switches every ciphertext of `inputs` to the key's output key, run by the emulator:
/// `output_dimension + 1` values per output.
#[allow(unsafe_code, reason = "launches an emulated kernel through its C entry point, after checking its bounds")]
pub fn keyswitch_emulated(shape: KeyswitchShape, key: &[u64], inputs: &[u64]) -> Result<Vec<u64>, KernelError> {
    let count = shape.check(key, inputs)?;
    let mut out = vec![0u64; count * (shape.output_dimension + 1)];
    let launch = Launch::covering(out.len() as u64, 256, 1024);
    // SAFETY: the key, inputs and output sizes were checked above; the decomposition covers
    // fewer than 64 bits.
    unsafe {
        emulator::vsies_emu_tfhe_keyswitch(
            launch.grid,
            launch.block,
            key.as_ptr(),
            inputs.as_ptr(),
            count as u64,
            shape.input_dimension as u64,
            shape.output_dimension as u64,
            shape.base_log as u32,
            shape.levels as u32,
            out.as_mut_ptr(),
        );
    }
    Ok(out)
}
