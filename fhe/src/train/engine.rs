//! Blocks and lookups: the one nonlinear operation of encrypted training.
//!
//! A [`Ct`] is an LWE ciphertext modulo `p` under the key set's 2048-coefficient key, holding a
//! small value (`0..8`, scale [`DELTA`]). Linear operations are exact integer arithmetic
//! modulo `p`. A lookup ([`Engine::eval`]) key-switches its input to the small key and
//! bootstraps it through a [`Table`] with tfhe-rs's NTT bootstrap (through a
//! [`BootstrapBackend`]), so every step is integer arithmetic and the result is the same bits
//! on every machine and thread count.
//!
//! **Several tables of one input share one blind rotation** (multi-value bootstrapping, Carpov,
//! Izabachène and Mollimard, CT-RSA 2019): the rotation runs on a test vector `T` whose
//! product with a sparse integer polynomial `G_f` is table `f`'s lookup table, exactly
//! (`T · G_f = LUT_f` in `Z_p[X]/(X^N + 1)`, [`Multiplier`]). Rotation and multiplication
//! commute, so multiplying the rotated accumulator by `G_f` and extracting its constant
//! coefficient gives the lookup `f(v)`, at the price of the rotation's noise multiplied by
//! `G_f` (weight `⌈‖G_f‖₂⌉`: 3, 2 and 2 for a counter's three bits; a test measures the
//! outputs against it). A 7:3 counter's three bits then cost one rotation instead
//! of three.

use super::params::{add_mod, decode_block, mul_mod, neg_mod, DELTA, MAX_NOISE_WEIGHT, MESSAGES, POLYNOMIAL_SIZE};
use crate::backend::{ntt_modulus, BootstrapBackend};
use crate::FheError;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tfhe::core_crypto::prelude::*;

/// Coefficients of a ciphertext under the 2048-coefficient key (mask and body).
pub const CT_LEN: usize = POLYNOMIAL_SIZE + 1;

/// An encrypted block, or a known (trivially encrypted) one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ct {
    /// Mask then body, each reduced modulo `p`; empty for a known value.
    coefficients: Vec<u64>,
    /// The body offset of a known value, or added to an encrypted one, in units of Δ.
    offset: u64,
    /// A bound on the noise's standard deviation in bootstrap outputs': the ℓ1 norm of the
    /// coefficients over fresh ciphertexts, each times that ciphertext's own weight (0 for a
    /// known value).
    noise_weight: u32,
}

impl Ct {
    /// A known value: no mask, no noise.
    pub fn known(value: u64) -> Self {
        Self { coefficients: Vec::new(), offset: value, noise_weight: 0 }
    }

    /// A fresh ciphertext (a contributor's bit or a bootstrap's output).
    pub fn fresh(coefficients: Vec<u64>) -> Self {
        debug_assert_eq!(coefficients.len(), CT_LEN);
        Self { coefficients, offset: 0, noise_weight: 1 }
    }

    /// A fresh ciphertext whose noise is at most `weight` bootstrap outputs' (a multi-value
    /// lookup's output: the rotation's noise times its multiplier's norm).
    fn fresh_weighted(coefficients: Vec<u64>, weight: u32) -> Self {
        Self { noise_weight: weight, ..Self::fresh(coefficients) }
    }

    /// The value when known.
    pub fn value(&self) -> Option<u64> {
        self.coefficients.is_empty().then_some(self.offset)
    }

    /// The noise weight (see [`MAX_NOISE_WEIGHT`]).
    pub fn noise_weight(&self) -> u32 {
        self.noise_weight
    }

    /// `self + other`.
    pub fn add(&self, other: &Ct) -> Ct {
        self.add_scaled(other, 1)
    }

    /// `self + k · other` for a small clear `k`.
    pub fn add_scaled(&self, other: &Ct, k: u64) -> Ct {
        let coefficients = match (self.coefficients.is_empty(), other.coefficients.is_empty()) {
            (true, true) => Vec::new(),
            (false, true) => self.coefficients.clone(),
            (true, false) => other.coefficients.iter().map(|&c| mul_mod(c, k)).collect(),
            (false, false) => {
                self.coefficients.iter().zip(&other.coefficients).map(|(&a, &b)| add_mod(a, mul_mod(b, k))).collect()
            }
        };
        Ct {
            coefficients,
            offset: self.offset + k * other.offset,
            noise_weight: self.noise_weight + k as u32 * other.noise_weight,
        }
    }

    /// `1 - self` for a bit.
    pub fn not(&self) -> Ct {
        // A bit is a fresh block (offset 0) or a complement (negated mask and body, offset
        // 1), so `1 - b` negates the coefficients and complements the offset, exactly.
        debug_assert!(self.offset <= 1);
        let coefficients = self.coefficients.iter().map(|&c| neg_mod(c)).collect();
        Ct { coefficients, offset: 1 - self.offset, noise_weight: self.noise_weight }
    }

    /// The ciphertext modulo `p`, the offset folded into its body.
    fn materialize(&self) -> Vec<u64> {
        let mut coefficients = self.coefficients.clone();
        let body = coefficients.last_mut().expect("an encrypted block");
        *body = add_mod(*body, mul_mod(DELTA, self.offset));
        coefficients
    }

    /// The raw coefficients of an encrypted block with its offset folded in (known: `None`).
    pub fn coefficients(&self) -> Option<Vec<u64>> {
        (!self.coefficients.is_empty()).then(|| self.materialize())
    }
}

/// The functions a bootstrap evaluates, on an input `v` in `0..8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    /// Bit `k` of `v`.
    Bit(u32),
    /// `(v mod 4) · (v div 4)`: a value below 4 times a bit packed at weight 4.
    Product,
    /// 1 when `v ≠ 0`.
    NonZero,
    /// `v = r + 2·neg + 4·big`: `r` when neither flag is set, else 0.
    InRange,
    /// `v = 2·neg + 4·big`: 1 when `big` and not `neg`.
    Saturated,
    /// `v = r + 2·neg + 4·big`: 0 when `neg`, else `r` or `big`.
    Clamped,
}

impl Table {
    const ALL: [Table; 8] = [
        Table::Bit(0),
        Table::Bit(1),
        Table::Bit(2),
        Table::Product,
        Table::NonZero,
        Table::InRange,
        Table::Saturated,
        Table::Clamped,
    ];

    /// The function itself.
    pub fn eval(self, v: u64) -> u64 {
        let (r, neg, big) = (v & 1, (v >> 1) & 1, (v >> 2) & 1);
        match self {
            Table::Bit(k) => (v >> k) & 1,
            Table::Product => (v & 3) * (v >> 2),
            Table::NonZero => u64::from(v != 0),
            Table::InRange => r & (1 - neg) & (1 - big),
            Table::Saturated => big & (1 - neg),
            Table::Clamped => (1 - neg) & (r | big),
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|&t| t == self).expect("every table is listed")
    }
}

/// The sparse polynomial `G_f = (f(0) + f(M-1)) + Σ_{k ≥ 1} (f(k) - f(k-1)) · X^(k·N/M)` of a
/// table `f` on `M` messages: with the test vector `T = (Δ/2) · X^(-N/2M) · Σ_j X^j` (see
/// `test_vector`), `T · G_f` is tfhe-rs's lookup table of `f`, box for box (a unit test checks
/// the identity for every table). `Σ_j X^j · X^t` is `+1` from coefficient `t` on and `-1`
/// below it, so box `m` of `T · G_f` holds `(Δ/2)(2 Σ_{k ≤ m} g_k - Σ_k g_k) = Δ · f(m)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Multiplier {
    /// `(coefficient index, value)`, nonzero values only.
    terms: Vec<(usize, i64)>,
    /// `⌈‖G_f‖₂⌉`: the output's noise in bootstrap outputs'. It would be exactly `‖G_f‖₂` if the
    /// rotation's noise coefficients were independent; they are not quite (the decomposition's
    /// rounding error is multiplied by the binary key, whose mean is 1/2), and for the counter
    /// bits, whose multipliers alternate in sign, the correlation lowers the variance (about
    /// 6.2, 3.4 and 2 times a bootstrap's against 9, 4 and 4 here). The ceiling is the
    /// margin; the test `multi_value_outputs_stay_within_their_noise_weight` measures the
    /// outputs against it.
    noise_weight: u32,
}

impl Multiplier {
    /// The multiplier of `table`.
    pub fn of(table: Table) -> Self {
        let messages = MESSAGES as usize;
        let box_size = POLYNOMIAL_SIZE / messages;
        let f = |m: usize| table.eval(m as u64) as i64;
        let mut terms = vec![(0, f(0) + f(messages - 1))];
        terms.extend((1..messages).map(|k| (k * box_size, f(k) - f(k - 1))));
        terms.retain(|&(_, g)| g != 0);
        let norm_squared: i64 = terms.iter().map(|&(_, g)| g * g).sum();
        let noise_weight = (norm_squared as f64).sqrt().ceil() as u32;
        Self { terms, noise_weight }
    }

    /// The noise weight of its outputs.
    pub fn noise_weight(&self) -> u32 {
        self.noise_weight
    }

    /// `out += poly · G_f` in `Z_p[X]/(X^N + 1)`.
    fn add_product(&self, poly: &[u64], out: &mut [u64]) {
        let n = poly.len();
        for &(shift, g) in &self.terms {
            // Coefficient i of X^shift · poly: poly[i - shift], or -poly[n + i - shift] below.
            let (low, high) = out.split_at_mut(shift);
            add_small_multiple(high, &poly[..n - shift], g.unsigned_abs(), g < 0);
            add_small_multiple(low, &poly[n - shift..], g.unsigned_abs(), g > 0);
        }
    }

    /// The lookup from a rotated accumulator (`k + 1` polynomials mod `p`): the constant
    /// coefficient of `accumulator · G_f`, sample-extracted.
    fn extract(&self, accumulator: &GlweCiphertextView<'_, u64>) -> Ct {
        let n = POLYNOMIAL_SIZE;
        let mut product = vec![0u64; accumulator.as_ref().len()];
        for (out, poly) in product.chunks_exact_mut(n).zip(accumulator.as_ref().chunks_exact(n)) {
            self.add_product(poly, out);
        }
        let product = GlweCiphertext::from_container(product, accumulator.polynomial_size(), ntt_modulus());
        let mut output = LweCiphertext::new(0u64, LweSize(CT_LEN), ntt_modulus());
        extract_lwe_sample_from_glwe_ciphertext(&product, &mut output, MonomialDegree(0));
        Ct::fresh_weighted(output.into_container(), self.noise_weight)
    }
}

/// `out += ±k · values` modulo `p` (`negate` picks the sign) for a small `k`, by additions.
fn add_small_multiple(out: &mut [u64], values: &[u64], k: u64, negate: bool) {
    for (slot, &value) in out.iter_mut().zip(values) {
        let term = (0..k).fold(0, |sum, _| add_mod(sum, value));
        *slot = add_mod(*slot, if negate { neg_mod(term) } else { term });
    }
}

/// The test vector of multi-value lookups: `(Δ/2) · X^(-N/2M) · Σ_{j<N} X^j` as a trivial GLWE
/// ciphertext (zero masks), `Δ/2` on the first `N - N/2M` coefficients and `-Δ/2` on the rest.
fn test_vector(glwe_size: GlweSize) -> GlweCiphertextOwned<u64> {
    let n = POLYNOMIAL_SIZE;
    let half_box = n / (2 * MESSAGES as usize);
    let mut vector = GlweCiphertext::new(0u64, glwe_size, PolynomialSize(n), ntt_modulus());
    let mut body = vector.get_mut_body();
    for (j, c) in body.as_mut().iter_mut().enumerate() {
        *c = if j < n - half_box { DELTA / 2 } else { neg_mod(DELTA / 2) };
    }
    vector
}

/// What a noise probe saw: the error of every bootstrap input after its key switch and modulus
/// switch, in units of `1/2N` of the torus (a bootstrap is correct while it stays below 128).
#[derive(Clone, Debug, Default)]
pub struct NoiseStats {
    /// Inputs measured.
    pub count: u64,
    /// Largest absolute error.
    pub max_abs: f64,
    /// Sum of squared errors.
    pub sum_squares: f64,
}

impl NoiseStats {
    /// The measured standard deviation.
    pub fn std_dev(&self) -> f64 {
        (self.sum_squares / self.count.max(1) as f64).sqrt()
    }
}

/// Test instrumentation: the small secret key, to measure every bootstrap input's noise, by
/// the input's noise weight (what the budget of `docs/ENCRYPTED_TRAINING.md` depends on).
/// Inputs that share a mask (one input plus a known offset, as the clamp's flags alone and
/// with a known bit) have nearly the same error, so each mask is measured once: the samples a
/// statistical test sees are then distinct lookups' errors.
pub struct NoiseProbe {
    small_key: LweSecretKeyOwned<u64>,
    stats: Mutex<std::collections::BTreeMap<u32, NoiseStats>>,
    masks_seen: Mutex<std::collections::HashSet<u64>>,
}

impl NoiseProbe {
    /// A probe decrypting with `small_key`.
    pub fn new(small_key: LweSecretKeyOwned<u64>) -> Self {
        Self { small_key, stats: Mutex::new(Default::default()), masks_seen: Mutex::new(Default::default()) }
    }

    /// What it has measured so far, by noise weight.
    pub fn stats_by_weight(&self) -> std::collections::BTreeMap<u32, NoiseStats> {
        self.stats.lock().expect("probe lock").clone()
    }

    /// What it has measured so far, all inputs together.
    pub fn stats(&self) -> NoiseStats {
        let mut all = NoiseStats::default();
        for stats in self.stats.lock().expect("probe lock").values() {
            all.count += stats.count;
            all.max_abs = all.max_abs.max(stats.max_abs);
            all.sum_squares += stats.sum_squares;
        }
        all
    }

    fn record(&self, inputs: &LweCiphertextListOwned<u64>, weights: &[u32]) {
        let two_n = 2 * POLYNOMIAL_SIZE as u64;
        let switch = |c: u64| {
            ((u128::from(c) * u128::from(two_n) + u128::from(crate::backend::NTT_PRIME) / 2)
                / u128::from(crate::backend::NTT_PRIME)) as u64
                % two_n
        };
        let mut stats = self.stats.lock().expect("probe lock");
        let mut masks_seen = self.masks_seen.lock().expect("probe lock");
        for (input, &weight) in inputs.iter().zip(weights) {
            let (mask, body) = input.get_mask_and_body();
            let mask_hash = {
                use std::hash::{Hash, Hasher};
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                mask.as_ref().hash(&mut hasher);
                hasher.finish()
            };
            if !masks_seen.insert(mask_hash) {
                continue;
            }
            let stats = stats.entry(weight).or_default();
            let dot = mask
                .as_ref()
                .iter()
                .zip(self.small_key.as_ref())
                .fold(0u64, |acc, (&a, &s)| (acc + switch(a) * s) % two_n);
            let phase = (switch(*body.data) + two_n - dot) % two_n;
            let box_size = two_n / (2 * MESSAGES);
            let nearest = (phase + box_size / 2) / box_size * box_size;
            let error = phase as f64 - nearest as f64;
            stats.count += 1;
            stats.max_abs = stats.max_abs.max(error.abs());
            stats.sum_squares += error * error;
        }
    }
}

/// Evaluates lookups: the prepared bootstrap key, the key-switching key, one lookup table per
/// [`Table`], the test vector and multipliers of multi-value lookups, and a count of
/// bootstraps (blind rotations).
pub struct Engine<'a, B: BootstrapBackend> {
    backend: &'a B,
    bootstrap_key: B::Key,
    keyswitch_key: &'a LweKeyswitchKeyOwned<u64>,
    tables: Vec<GlweCiphertextOwned<u64>>,
    test_vector: GlweCiphertextOwned<u64>,
    multipliers: Vec<Multiplier>,
    bootstraps: AtomicU64,
    probe: Option<&'a NoiseProbe>,
}

impl<'a, B: BootstrapBackend> Engine<'a, B> {
    /// Prepares `key` for `backend`.
    pub fn new(
        backend: &'a B,
        bootstrap_key: &LweBootstrapKeyOwned<u64>,
        keyswitch_key: &'a LweKeyswitchKeyOwned<u64>,
        probe: Option<&'a NoiseProbe>,
    ) -> Result<Self, FheError> {
        let bootstrap_key_prepared = backend.prepare_key(bootstrap_key)?;
        let tables = Table::ALL
            .iter()
            .map(|&table| {
                generate_programmable_bootstrap_glwe_lut(
                    bootstrap_key.polynomial_size(),
                    bootstrap_key.glwe_size(),
                    MESSAGES as usize,
                    ntt_modulus(),
                    DELTA,
                    |v| table.eval(v),
                )
            })
            .collect();
        Ok(Self {
            backend,
            bootstrap_key: bootstrap_key_prepared,
            keyswitch_key,
            tables,
            test_vector: test_vector(bootstrap_key.glwe_size()),
            multipliers: Table::ALL.iter().map(|&table| Multiplier::of(table)).collect(),
            bootstraps: AtomicU64::new(0),
            probe,
        })
    }

    /// Bootstraps (blind rotations) run so far.
    pub fn bootstraps(&self) -> u64 {
        self.bootstraps.load(Ordering::Relaxed)
    }

    /// Evaluates `tables` on each input: one key switch per encrypted input, then one bootstrap
    /// for an input with one table, or one blind rotation shared by all tables of an input
    /// with several (multi-value); known inputs are evaluated in the clear. Refuses an input
    /// whose value bound or noise weight is outside the budget (a bug, never data-dependent).
    pub fn eval(&self, jobs: &[(Ct, &[Table])]) -> Result<Vec<Vec<Ct>>, FheError> {
        let mut outputs: Vec<Vec<Option<Ct>>> = jobs.iter().map(|(_, tables)| vec![None; tables.len()]).collect();
        let mut encrypted = Vec::new();
        for (index, (input, tables)) in jobs.iter().enumerate() {
            match input.value() {
                Some(value) => {
                    if value >= MESSAGES {
                        return Err(budget(format!("a known lookup input {value} is outside 0..{MESSAGES}")));
                    }
                    for (slot, table) in outputs[index].iter_mut().zip(tables.iter()) {
                        *slot = Some(Ct::known(table.eval(value)));
                    }
                }
                None => {
                    if input.noise_weight > MAX_NOISE_WEIGHT || input.offset >= MESSAGES {
                        return Err(budget(format!(
                            "a lookup input of noise weight {} and offset {} exceeds the budget",
                            input.noise_weight, input.offset
                        )));
                    }
                    // An input with no table to read needs no lookup.
                    if !tables.is_empty() {
                        encrypted.push(index);
                    }
                }
            }
        }
        if encrypted.is_empty() {
            return Ok(unwrap_all(outputs));
        }
        let mut container = Vec::with_capacity(encrypted.len() * CT_LEN);
        for &index in &encrypted {
            container.extend(jobs[index].0.materialize());
        }
        let inputs = LweCiphertextList::from_container(container, LweSize(CT_LEN), ntt_modulus());
        let switched = self.backend.keyswitch(self.keyswitch_key, &inputs)?;
        if let Some(probe) = self.probe {
            let weights: Vec<u32> = encrypted.iter().map(|&index| jobs[index].0.noise_weight).collect();
            probe.record(&switched, &weights);
        }
        let small_size = switched.lwe_size();
        let gather = |rows: &[usize]| {
            let mut batch = Vec::with_capacity(rows.len() * small_size.0);
            for &row in rows {
                batch.extend_from_slice(switched.get(row).as_ref());
            }
            LweCiphertextList::from_container(batch, small_size, ntt_modulus())
        };
        let (single, multiple): (Vec<usize>, Vec<usize>) =
            (0..encrypted.len()).partition(|&row| jobs[encrypted[row]].1.len() == 1);
        for table in Table::ALL {
            let users: Vec<usize> = single.iter().copied().filter(|&row| jobs[encrypted[row]].1[0] == table).collect();
            if users.is_empty() {
                continue;
            }
            let results = self.backend.bootstrap(&self.bootstrap_key, &self.tables[table.index()], &gather(&users))?;
            self.bootstraps.fetch_add(users.len() as u64, Ordering::Relaxed);
            for (row, result) in users.into_iter().zip(results.iter()) {
                outputs[encrypted[row]][0] = Some(Ct::fresh(result.as_ref().to_vec()));
            }
        }
        if !multiple.is_empty() {
            let rotated = self.backend.blind_rotate(&self.bootstrap_key, &self.test_vector, &gather(&multiple))?;
            self.bootstraps.fetch_add(multiple.len() as u64, Ordering::Relaxed);
            let accumulators: Vec<_> = rotated.iter().collect();
            let looked_up: Vec<Vec<Ct>> = multiple
                .par_iter()
                .zip(accumulators.par_iter())
                .map(|(&row, accumulator)| {
                    jobs[encrypted[row]]
                        .1
                        .iter()
                        .map(|table| self.multipliers[table.index()].extract(accumulator))
                        .collect()
                })
                .collect();
            for (row, cts) in multiple.into_iter().zip(looked_up) {
                for (slot, ct) in outputs[encrypted[row]].iter_mut().zip(cts) {
                    *slot = Some(ct);
                }
            }
        }
        Ok(unwrap_all(outputs))
    }
}

fn budget(reason: String) -> FheError {
    FheError::Evaluation(format!("encrypted training: {reason}"))
}

fn unwrap_all(outputs: Vec<Vec<Option<Ct>>>) -> Vec<Vec<Ct>> {
    outputs.into_iter().map(|row| row.into_iter().map(|ct| ct.expect("every slot evaluated")).collect()).collect()
}

/// The value an encrypted block decrypts to under the 2048-coefficient key (tests, decryption).
pub fn decrypt_block(key: &LweSecretKeyOwned<u64>, ct: &Ct) -> u64 {
    match ct.coefficients() {
        None => ct.offset,
        Some(coefficients) => {
            let (mask, body) = coefficients.split_at(POLYNOMIAL_SIZE);
            let dot = mask.iter().zip(key.as_ref()).fold(0u64, |acc, (&a, &s)| add_mod(acc, mul_mod(a, s)));
            decode_block(add_mod(body[0], neg_mod(dot)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `T · G_f` in `Z_p[X]/(X^N + 1)`.
    fn times_test_vector(multiplier: &Multiplier) -> Vec<u64> {
        let mut product = vec![0u64; POLYNOMIAL_SIZE];
        multiplier.add_product(test_vector(GlweSize(2)).get_body().as_ref(), &mut product);
        product
    }

    /// Every table's multiplier turns the test vector into tfhe-rs's own lookup table of that
    /// table, coefficient for coefficient, so a multi-value lookup decrypts to what a bootstrap
    /// through the table would.
    #[test]
    fn the_test_vector_times_each_multiplier_is_the_tables_lookup_table() {
        for table in Table::ALL {
            let lut = generate_programmable_bootstrap_glwe_lut(
                PolynomialSize(POLYNOMIAL_SIZE),
                GlweSize(2),
                MESSAGES as usize,
                ntt_modulus(),
                DELTA,
                |v| table.eval(v),
            );
            let multiplier = Multiplier::of(table);
            assert_eq!(times_test_vector(&multiplier), lut.get_body().as_ref(), "{table:?}");
            assert!(lut.get_mask().as_ref().iter().all(|&c| c == 0));
            assert!((1..=4).contains(&multiplier.noise_weight()), "{table:?}: {}", multiplier.noise_weight());
        }
        // The bits of a counter: ‖G‖² = 8, 4 and 2 (one jump per change of the bit, and g_0).
        let weights: Vec<u32> = (0..3).map(|k| Multiplier::of(Table::Bit(k)).noise_weight()).collect();
        assert_eq!(weights, [3, 2, 2]);
    }

    /// A multiplier's extraction from an accumulator equals the extraction of the product
    /// computed in full (tfhe-rs's monomial products and sample extraction).
    #[test]
    fn extraction_equals_the_full_product() {
        let n = POLYNOMIAL_SIZE;
        let values: Vec<u64> =
            (0..2 * n as u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % crate::backend::NTT_PRIME).collect();
        let accumulator = GlweCiphertext::from_container(values.clone(), PolynomialSize(n), ntt_modulus());
        for table in Table::ALL {
            let multiplier = Multiplier::of(table);
            let mut product = GlweCiphertext::new(0u64, GlweSize(2), PolynomialSize(n), ntt_modulus());
            for (out, poly) in product.as_mut_polynomial_list().iter_mut().zip(accumulator.as_polynomial_list().iter())
            {
                let out = out.into_container();
                for &(shift, g) in &multiplier.terms {
                    let mut rotated = Polynomial::from_container(poly.as_ref().to_vec());
                    tfhe::core_crypto::algorithms::polynomial_algorithms::polynomial_wrapping_monic_monomial_mul_assign_custom_mod(
                        &mut rotated,
                        MonomialDegree(shift),
                        crate::backend::NTT_PRIME,
                    );
                    for (slot, &c) in out.iter_mut().zip(rotated.as_ref()) {
                        let term = mul_mod(c, g.unsigned_abs());
                        *slot = add_mod(*slot, if g < 0 { neg_mod(term) } else { term });
                    }
                }
            }
            let mut expected = LweCiphertext::new(0u64, LweSize(CT_LEN), ntt_modulus());
            extract_lwe_sample_from_glwe_ciphertext(&product, &mut expected, MonomialDegree(0));
            let got = multiplier.extract(&accumulator.as_view());
            assert_eq!(got.coefficients().unwrap(), expected.as_ref(), "{table:?}");
            assert_eq!(got.noise_weight(), multiplier.noise_weight());
        }
    }

    /// The error of an output block against `expected` (in units of the modulus), decrypted
    /// with the 2048-coefficient key.
    fn output_error(key: &LweSecretKeyOwned<u64>, ct: &Ct, expected: u64) -> f64 {
        let coefficients = ct.coefficients().expect("an encrypted output");
        let (mask, body) = coefficients.split_at(POLYNOMIAL_SIZE);
        let dot = mask.iter().zip(key.as_ref()).fold(0u64, |acc, (&a, &s)| add_mod(acc, mul_mod(a, s)));
        let error = add_mod(add_mod(body[0], neg_mod(dot)), neg_mod(mul_mod(DELTA, expected)));
        let p = crate::backend::NTT_PRIME;
        if error > p / 2 {
            -((p - error) as f64)
        } else {
            error as f64
        }
    }

    /// Multi-value lookups at the training keys' real dimensions: every output decrypts to its
    /// table's value, and each table's measured noise stays within its noise weight times the
    /// budget's bootstrap noise (2^49.0), as single bootstraps' stays within one. Inputs are
    /// sums of up to seven contributors' bits (every value 0..7). The bound on a variance
    /// measured over `n` outputs allows Chernoff's `χ²_n / n` excess at 2^-20.
    #[test]
    fn multi_value_outputs_stay_within_their_noise_weight() {
        use crate::train::{EncryptedTrainingData, TrainingKey};
        use tfhe::core_crypto::commons::generators::DeterministicSeeder;
        use tfhe::core_crypto::commons::math::random::Seed;
        let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(29));
        let keys = crate::Keys::generate_with_seeder(&mut seeder);
        let training_key = TrainingKey::generate_with_seeder(&keys.secret, &mut seeder);
        let features = 30;
        let values: Vec<i32> = (0..4 * features).map(|i| ((i * 37) % 256) as i32 - 128).collect();
        let data = vsies_core::QuantizedDataset::from_values(
            vsies_core::ContentId::of(b"noise"),
            vsies_core::FixedFormat::FEATURES,
            features,
            values,
            Some(vec![0, 1, 0, 1]),
        )
        .unwrap();
        let encrypted = EncryptedTrainingData::encrypt(&data, &keys.public).unwrap();
        let bits: Vec<(Ct, u64)> = (0..data.rows())
            .flat_map(|i| {
                let row = encrypted.row(i);
                let offset = 1i64 << 7;
                let plain: Vec<u64> = data
                    .row(i)
                    .iter()
                    .flat_map(|&x| (0..8).map(move |b| (((x as i64) + offset) as u64 >> b) & 1))
                    .collect();
                row.features.into_iter().flatten().zip(plain).collect::<Vec<_>>()
            })
            .collect();
        // Inputs: consecutive runs of 1 to 7 bits summed.
        let mut inputs: Vec<(Ct, u64)> = Vec::new();
        let mut rest = bits.as_slice();
        let mut length = 1;
        while rest.len() >= length {
            let (run, tail) = rest.split_at(length);
            let sum = run[1..].iter().fold(run[0].0.clone(), |s, (b, _)| s.add(b));
            inputs.push((sum, run.iter().map(|(_, v)| v).sum()));
            rest = tail;
            length = length % 7 + 1;
        }
        let engine =
            Engine::new(&crate::Cpu, training_key.bootstrap_key(), training_key.keyswitch_key(), None).unwrap();
        let single = [Table::Bit(0)];
        let counter = [Table::Bit(0), Table::Bit(1), Table::Bit(2)];
        let n = inputs.len() as f64;
        let sigma = 2f64.powf(super::super::params::BOOTSTRAP_OUTPUT_STD_LOG2);
        // Chernoff's upper bound on χ²_n / n at 2^-20: δ with n/2 (δ - ln(1 + δ)) = 20 ln 2.
        let (mut low, mut high) = (0.0f64, 10.0);
        for _ in 0..100 {
            let middle = (low + high) / 2.0;
            if n / 2.0 * (middle - middle.ln_1p()) < 20.0 * std::f64::consts::LN_2 {
                low = middle;
            } else {
                high = middle;
            }
        }
        let allowed = 1.0 + high;
        for tables in [&single[..], &counter[..]] {
            let jobs: Vec<(Ct, &[Table])> = inputs.iter().map(|(ct, _)| (ct.clone(), tables)).collect();
            let outputs = engine.eval(&jobs).unwrap();
            for (k, table) in tables.iter().enumerate() {
                let weight = if tables.len() == 1 { 1 } else { Multiplier::of(*table).noise_weight() };
                let mut squares = 0.0;
                for ((_, value), output) in inputs.iter().zip(&outputs) {
                    let expected = table.eval(*value);
                    assert_eq!(decrypt_block(&keys.secret.key, &output[k]), expected, "{table:?} of {value}");
                    assert_eq!(output[k].noise_weight(), weight);
                    squares += output_error(&keys.secret.key, &output[k], expected).powi(2);
                }
                let ratio = squares / n / (f64::from(weight) * sigma).powi(2);
                eprintln!(
                    "{table:?} ({} tables): noise 2^{:.2}, variance {ratio:.3}x weight {weight}'s budget (allowed {allowed:.3}x)",
                    tables.len(),
                    (squares / n).sqrt().log2()
                );
                assert!(ratio < allowed, "{table:?}: variance {ratio:.3}x the budget of weight {weight}");
            }
        }
    }
}
