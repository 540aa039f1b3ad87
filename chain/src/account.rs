//! Chain accounts that sign: a secp256k1 key, its Ethereum address, and signatures of vault
//! messages (checkpoints, refusals, update receipts) in the `(r, s, v)` words the vault takes.
//! The signatures are low-s with `v` 27 or 28, the only form the vault accepts.

use k256::ecdsa::SigningKey;
use revm::primitives::{keccak256, Address};
use vsies_verifier_contract::vault::signatures::SignatureWords;
use zeroize::Zeroizing;

/// A signing account.
#[derive(Clone)]
pub struct Account {
    key: SigningKey,
}

impl core::fmt::Debug for Account {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Account({})", self.address())
    }
}

impl Account {
    /// The account whose secret is keccak256 of `seed` (deterministic simulated networks;
    /// never for real funds).
    pub fn from_seed(seed: &[u8]) -> Self {
        let mut secret = Zeroizing::new(keccak256(seed).0);
        loop {
            if let Ok(key) = SigningKey::from_slice(secret.as_ref()) {
                return Self { key };
            }
            *secret = keccak256(secret.as_ref()).0;
        }
    }

    /// The account's address: the last 20 bytes of keccak256 of the public key.
    pub fn address(&self) -> Address {
        let point = self.key.verifying_key().to_encoded_point(false);
        Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
    }

    /// The signature of the 32-byte `message` (a keccak256 digest), as `(r, s, v)` words.
    pub fn sign(&self, message: &[u8; 32]) -> SignatureWords {
        let (signature, recovery) = self.key.sign_prehash_recoverable(message).expect("signing a 32-byte digest");
        let raw = signature.to_bytes();
        let mut v = [0u8; 32];
        v[31] = 27 + recovery.to_byte();
        [raw[..32].try_into().expect("r"), raw[32..].try_into().expect("s"), v]
    }

    /// The secret key's bytes (for writing a 0600 key file).
    pub fn secret(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.key.to_bytes().into())
    }
}

/// The signatures of `accounts` over `message`, ordered by signer address as the vault
/// requires.
pub fn sorted_signatures<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    message: &[u8; 32],
) -> Vec<SignatureWords> {
    let mut signers: Vec<&Account> = accounts.into_iter().collect();
    signers.sort_by_key(|account| account.address());
    signers.iter().map(|account| account.sign(message)).collect()
}
