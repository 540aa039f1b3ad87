//! Client identities: secp256k1 signing keys, the committee's registry of client addresses,
//! and update signatures over (committee, round, ciphertext id).
//!
//! Why: without identities an aggregator can encrypt two updates itself and make a one-client
//! "aggregate" of three, or replay a client's update of an earlier round under a rewritten
//! header. A client signs its update's committee, round and ciphertext hash with the key of
//! its chain account (Ethereum's scheme: ECDSA over keccak256, recoverable, so the signer's
//! address is recovered from the signature, as `ecrecover` does on chain); a member decrypts
//! only aggregates whose every update is signed by a distinct registered address for that
//! committee and round.

use crate::error::AggError;
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};
use std::path::Path;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec;
use vsies_core::ContentId;
use zeroize::Zeroizing;

/// A 20-byte Ethereum-style address: the last 20 bytes of keccak256 of the public key.
pub type Address = [u8; 20];

/// Domain tag of the signed message.
const SIGNED_TAG: &[u8] = b"vsies/agg-update-signature/v1\n";

/// A signature with its signer's address: 65 bytes `r ‖ s ‖ v` (`v` 27 or 28).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientSignature {
    /// The address the signature claims (checked against the recovered one).
    pub address: Address,
    /// `r ‖ s ‖ v`.
    pub signature: [u8; 65],
}

/// keccak256 of what a client signs for an update.
pub fn signed_message(committee_id: &ContentId, round: u64, ciphertext_id: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    hasher.update(SIGNED_TAG);
    hasher.update(committee_id.to_string().as_bytes());
    hasher.update(round.to_be_bytes());
    hasher.update(ciphertext_id);
    hasher.finalize().into()
}

fn address_of(key: &VerifyingKey) -> Address {
    let point = key.to_encoded_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    hash[12..].try_into().expect("20 bytes")
}

/// `0x` and 40 lowercase hex digits.
pub fn format_address(address: &Address) -> String {
    format!("0x{}", codec::hex(address))
}

/// Parses `0x` and 40 hex digits (either case, as wallets print them).
pub fn parse_address(text: &str) -> Result<Address, AggError> {
    let bad =
        || AggError::Committee(format!("{:?} is not an address (0x and 40 hex digits)", vsies_core::clip::clip(text)));
    let digits = text.strip_prefix("0x").ok_or_else(bad)?.to_ascii_lowercase();
    codec::unhex_array::<20>(&digits).ok_or_else(bad)
}

/// A client's signing key (its chain account's key).
pub struct ClientKey {
    key: SigningKey,
}

#[derive(Serialize, Deserialize)]
struct ClientKeyFile {
    secret: String,
}

impl ClientKey {
    /// A fresh key from the operating system's entropy.
    pub fn generate() -> Self {
        Self { key: SigningKey::random(&mut rand_core::OsRng) }
    }

    /// The key with these 32 secret bytes (an existing account's key).
    pub fn from_bytes(secret: &[u8; 32]) -> Result<Self, AggError> {
        SigningKey::from_slice(secret)
            .map(|key| Self { key })
            .map_err(|_| AggError::Committee("not a secp256k1 secret key".into()))
    }

    /// The account's address.
    pub fn address(&self) -> Address {
        address_of(self.key.verifying_key())
    }

    /// Signs an update's committee, round and ciphertext id.
    pub fn sign(&self, committee_id: &ContentId, round: u64, ciphertext_id: &[u8; 32]) -> ClientSignature {
        self.sign_digest(&signed_message(committee_id, round, ciphertext_id))
    }

    /// Signs a 32-byte message digest (a key-generation message's keccak256).
    pub fn sign_digest(&self, message: &[u8; 32]) -> ClientSignature {
        let (signature, recovery) =
            self.key.sign_prehash_recoverable(message).expect("signing a 32-byte prehash cannot fail");
        let mut bytes = [0u8; 65];
        bytes[..64].copy_from_slice(&signature.to_bytes());
        bytes[64] = 27 + recovery.to_byte();
        ClientSignature { address: self.address(), signature: bytes }
    }

    /// Writes the key owner-only (0600).
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        let secret = Zeroizing::new(codec::hex(&self.key.to_bytes()));
        let body = ClientKeyFile { secret: secret.to_string() };
        artifact::write_json_private(path, ArtifactKind::ClientSigningKey, &body).map_err(AggError::from)
    }

    /// Reads a key written by [`ClientKey::save`].
    pub fn load(path: &Path) -> Result<Self, AggError> {
        let body: ClientKeyFile = artifact::read_json(path, ArtifactKind::ClientSigningKey)?;
        let secret = Zeroizing::new(body.secret);
        let bytes = Zeroizing::new(
            codec::unhex_array::<32>(&secret)
                .ok_or_else(|| AggError::malformed(path, "the secret is not 32 bytes of lowercase hex"))?,
        );
        Self::from_bytes(&bytes).map_err(|_| AggError::malformed(path, "not a secp256k1 secret key"))
    }
}

impl ClientSignature {
    /// The address that signed `message` (what `ecrecover` returns), if the signature is
    /// well formed and low-s (no malleated twin).
    fn recover(&self, message: &[u8; 32]) -> Option<Address> {
        let signature = Signature::from_slice(&self.signature[..64]).ok()?;
        if signature.normalize_s().is_some() {
            return None;
        }
        let recovery = RecoveryId::from_byte(self.signature[64].checked_sub(27)?)?;
        let key = VerifyingKey::recover_from_prehash(message, &signature, recovery).ok()?;
        Some(address_of(&key))
    }

    /// Checks that the signature is its address's over `message`.
    pub fn verify_digest(&self, message: &[u8; 32]) -> bool {
        self.recover(message) == Some(self.address)
    }

    /// Checks that the signature is its address's over (committee, round, ciphertext id).
    pub fn verify(&self, committee_id: &ContentId, round: u64, ciphertext_id: &[u8; 32]) -> bool {
        self.recover(&signed_message(committee_id, round, ciphertext_id)) == Some(self.address)
    }
}

/// The addresses registered with a committee (`vsies agg register`): whose updates its
/// members decrypt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRegistry {
    /// The committee.
    pub committee_id: ContentId,
    /// Registered addresses, sorted, distinct.
    clients: Vec<Address>,
}

#[derive(Serialize, Deserialize)]
struct RegistryFile {
    committee: String,
    clients: Vec<String>,
}

impl ClientRegistry {
    /// An empty registry for `committee_id`.
    pub fn new(committee_id: ContentId) -> Self {
        Self { committee_id, clients: Vec::new() }
    }

    /// Registers `address` (again: no change).
    pub fn register(&mut self, address: Address) {
        if let Err(at) = self.clients.binary_search(&address) {
            self.clients.insert(at, address);
        }
    }

    /// Whether `address` is registered.
    pub fn contains(&self, address: &Address) -> bool {
        self.clients.binary_search(address).is_ok()
    }

    /// The registered addresses.
    pub fn clients(&self) -> &[Address] {
        &self.clients
    }

    /// Writes the registry.
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        let body = RegistryFile {
            committee: self.committee_id.to_string(),
            clients: self.clients.iter().map(format_address).collect(),
        };
        artifact::write_json(path, ArtifactKind::ClientRegistry, &body).map_err(AggError::from)
    }

    /// Reads a registry; its addresses must be canonical (lowercase), sorted and distinct.
    pub fn load(path: &Path) -> Result<Self, AggError> {
        let body: RegistryFile = artifact::read_json(path, ArtifactKind::ClientRegistry)?;
        let committee_id = body
            .committee
            .parse::<ContentId>()
            .map_err(|_| AggError::malformed(path, "`committee` is not a content id"))?;
        let clients = body
            .clients
            .iter()
            .map(|text| {
                parse_address(text).ok().filter(|address| format_address(address) == *text).ok_or_else(|| {
                    AggError::malformed(path, format!("{:?} is not a lowercase address", vsies_core::clip::clip(text)))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if clients.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err(AggError::malformed(path, "addresses are not sorted and distinct"));
        }
        Ok(Self { committee_id, clients })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committee() -> ContentId {
        ContentId::of(b"committee")
    }

    #[test]
    fn signatures_verify_for_their_statement_only_and_recover_the_address() {
        let key = ClientKey::from_bytes(&[7u8; 32]).unwrap();
        let id = [3u8; 32];
        let signature = key.sign(&committee(), 4, &id);
        assert!(signature.verify(&committee(), 4, &id));
        assert!(!signature.verify(&committee(), 5, &id), "another round");
        assert!(!signature.verify(&committee(), 4, &[4u8; 32]), "another ciphertext");
        assert!(!signature.verify(&ContentId::of(b"other"), 4, &id), "another committee");
        let mut claimed = signature;
        claimed.address[0] ^= 1;
        assert!(!claimed.verify(&committee(), 4, &id), "another address claimed");
        let mut bad_v = signature;
        bad_v.signature[64] = 29;
        assert!(!bad_v.verify(&committee(), 4, &id));
    }

    #[test]
    fn the_high_s_twin_of_a_signature_is_refused() {
        let key = ClientKey::from_bytes(&[9u8; 32]).unwrap();
        let id = [1u8; 32];
        let good = key.sign(&committee(), 1, &id);
        let signature = Signature::from_slice(&good.signature[..64]).unwrap();
        let (r, s) = signature.split_scalars();
        let twin = Signature::from_scalars(r, -*s).unwrap();
        let mut malleated = good;
        malleated.signature[..64].copy_from_slice(&twin.to_bytes());
        malleated.signature[64] = if good.signature[64] == 27 { 28 } else { 27 };
        assert!(!malleated.verify(&committee(), 1, &id));
    }

    #[test]
    fn the_address_is_ethereums() {
        // The well-known test account of secret key 1.
        let mut one = [0u8; 32];
        one[31] = 1;
        let key = ClientKey::from_bytes(&one).unwrap();
        assert_eq!(format_address(&key.address()), "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
    }

    #[test]
    fn keys_and_registries_round_trip_and_hostile_registries_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = ClientKey::generate();
        key.save(&dir.path().join("c.key")).unwrap();
        assert_eq!(ClientKey::load(&dir.path().join("c.key")).unwrap().address(), key.address());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("c.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut registry = ClientRegistry::new(committee());
        registry.register(key.address());
        registry.register(key.address());
        registry.save(&dir.path().join("r.json")).unwrap();
        let loaded = ClientRegistry::load(&dir.path().join("r.json")).unwrap();
        assert_eq!(loaded, registry);
        assert_eq!(loaded.clients().len(), 1);
        // A duplicated address, re-checksummed.
        let address = format_address(&key.address());
        let body = serde_json::json!({"committee": committee().to_string(), "clients": [address, address]});
        artifact::write_json(&dir.path().join("dup.json"), ArtifactKind::ClientRegistry, &body).unwrap();
        assert!(ClientRegistry::load(&dir.path().join("dup.json")).is_err());
    }
}

/// Domain tag of an attestation's signed message.
const ATTESTATION_TAG: &[u8] = b"vsies/attestation/v1\n";

/// keccak256 of what a validator signs: that re-executing a task gave `content_id`.
pub fn attestation_message(content_id: &ContentId) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    hasher.update(ATTESTATION_TAG);
    hasher.update(content_id.to_string().as_bytes());
    hasher.finalize().into()
}

/// A validator's signed statement that re-executing a task (an encrypted training) produced
/// the artifact `content_id`: the evidence a key holder needs before it decrypts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// The content id the signer computed.
    pub content_id: String,
    /// The signer's address (`0x` and 40 hex digits).
    pub signer: String,
    /// `r ‖ s ‖ v`, hex.
    pub signature: String,
}

impl Attestation {
    /// Signs `content_id` with `key`.
    pub fn sign(key: &ClientKey, content_id: &ContentId) -> Self {
        let signed = key.sign_digest(&attestation_message(content_id));
        Self {
            content_id: content_id.to_string(),
            signer: format_address(&signed.address),
            signature: codec::hex(&signed.signature),
        }
    }

    /// The signer's address if the signature is valid for `content_id`; refuses another
    /// content id, a malformed or forged signature, or a signer other than the recovered one.
    pub fn verify(&self, content_id: &ContentId) -> Result<Address, AggError> {
        if self.content_id != content_id.to_string() {
            return Err(AggError::Committee(format!(
                "the attestation of {} is for {}, not this artifact",
                self.signer,
                vsies_core::clip::clip(&self.content_id)
            )));
        }
        let address = parse_address(&self.signer)?;
        let signature = codec::unhex_array::<65>(&self.signature).ok_or_else(|| {
            AggError::Committee(format!("the attestation of {} has no 65-byte signature", self.signer))
        })?;
        let signed = ClientSignature { address, signature };
        if !signed.verify_digest(&attestation_message(content_id)) {
            return Err(AggError::Committee(format!("the attestation of {} has a forged signature", self.signer)));
        }
        Ok(address)
    }

    /// Writes the attestation (JSON).
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        artifact::write_json(path, ArtifactKind::Attestation, self).map_err(AggError::from)
    }

    /// Reads an attestation.
    pub fn load(path: &Path) -> Result<Self, AggError> {
        artifact::read_json(path, ArtifactKind::Attestation).map_err(AggError::from)
    }
}
