//! The ring (GLWE) view of a compact public-key ciphertext list.
//!
//! Encrypted training multiplies encrypted data by encrypted weights, which needs ring
//! ciphertexts (GLWE, and GGSW built from them), while contributors encrypt with
//! `public.key`, whose compact lists tfhe-rs exposes only as lists of LWE ciphertexts. A
//! compact list *is* a ring ciphertext: expanding slot `i` gives the LWE mask `a · X^i`
//! (`expand_lwe_compact_ciphertext_list`), and sample extraction of coefficient `i` from a
//! GLWE ciphertext `(A, B)` gives the mask whose `k`-th entry is the coefficient of `X^i` in
//! `A · X^-k`'s product with the key. Matching the two, the list `(a, b)` is the GLWE ciphertext
//! `(a(X^-1), b)` under the GLWE key whose coefficients are the LWE key's: coefficient `i` of its
//! phase is slot `i`'s phase. No key switch and no noise: the conversion only permutes and
//! negates mask coefficients.
//!
//! `a(X^-1) = a_0 - Σ_{k≥1} a_k X^(N-k)` in `Z/2^64[X]/(X^N + 1)`.

use crate::params::LWE_DIMENSION;
use tfhe::core_crypto::prelude::*;

/// The GLWE ciphertext (dimension 1, polynomial size 2048) whose phase coefficient `i` is the
/// phase of slot `i` of `list`, for every slot the list holds. Coefficients past the list's
/// last slot have a body of zero: their phase is not an encryption of anything and must not be
/// read.
pub fn compact_list_as_glwe<C: Container<Element = u64>>(
    list: &LweCompactCiphertextList<C>,
) -> GlweCiphertextOwned<u64> {
    let n = LWE_DIMENSION;
    let container = list.as_ref();
    let (mask, bodies) = container.split_at(n);
    let mut glwe = GlweCiphertext::new(0u64, GlweSize(2), PolynomialSize(n), list.ciphertext_modulus());
    {
        let data = glwe.as_mut();
        let (out_mask, out_body) = data.split_at_mut(n);
        out_mask[0] = mask[0];
        for k in 1..n {
            out_mask[n - k] = mask[k].wrapping_neg();
        }
        out_body[..bodies.len()].copy_from_slice(bodies);
    }
    glwe
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::noise_distribution;
    use crate::params::{decode, encode};
    use tfhe::core_crypto::commons::generators::DeterministicSeeder;
    use tfhe::core_crypto::commons::math::random::Seed;

    /// Every slot of a public-key compact list decrypts, through the GLWE view and tfhe-rs's
    /// own GLWE decryption under the LWE key read as a polynomial, to the slot's message; and
    /// sample extraction from the view gives exactly the LWE ciphertexts tfhe-rs expands.
    #[test]
    fn compact_list_is_a_glwe_ciphertext_under_the_same_key() {
        let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(11));
        let keys = crate::Keys::generate_with_seeder(&mut seeder);
        let mut generator = EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), &mut seeder);
        let messages: Vec<i64> = (0..LWE_DIMENSION as i64).map(|i| (i * 7919) % 4001 - 2000).collect();
        let plaintexts = PlaintextList::from_container(messages.iter().map(|&m| encode(m)).collect::<Vec<_>>());
        let mut list = LweCompactCiphertextList::new(
            0u64,
            LweDimension(LWE_DIMENSION).to_lwe_size(),
            LweCiphertextCount(LWE_DIMENSION),
            CiphertextModulus::new_native(),
        );
        encrypt_lwe_compact_ciphertext_list_with_compact_public_key(
            &keys.public.key,
            &mut list,
            &plaintexts,
            noise_distribution(),
            noise_distribution(),
            generator.noise_generator_mut(),
        );
        let glwe = compact_list_as_glwe(&list);
        let glwe_key = GlweSecretKey::from_container(keys.secret.key.as_ref(), PolynomialSize(LWE_DIMENSION));
        let mut phases = PlaintextList::new(0u64, PlaintextCount(LWE_DIMENSION));
        decrypt_glwe_ciphertext(&glwe_key, &glwe, &mut phases);
        let decoded: Vec<i64> = phases.iter().map(|p| decode(*p.0)).collect();
        assert_eq!(decoded, messages);

        let mut expanded = LweCiphertextList::new(
            0u64,
            LweDimension(LWE_DIMENSION).to_lwe_size(),
            LweCiphertextCount(LWE_DIMENSION),
            CiphertextModulus::new_native(),
        );
        expand_lwe_compact_ciphertext_list(&mut expanded, &list);
        for slot in [0usize, 1, 2, 1000, LWE_DIMENSION - 1] {
            let mut extracted =
                LweCiphertext::new(0u64, LweDimension(LWE_DIMENSION).to_lwe_size(), CiphertextModulus::new_native());
            extract_lwe_sample_from_glwe_ciphertext(&glwe, &mut extracted, MonomialDegree(slot));
            assert_eq!(extracted.as_ref(), expanded.get(slot).as_ref(), "slot {slot}");
        }
    }
}
