//! The whole key generation among members that run in one process (a simulated subnet, tests,
//! benchmarks): each member runs its own part, seeded from its own entropy, and the messages
//! pass between them as they would over a network.

use super::{check_pieces, finish, index_commitments, Board, ContributionProver, Dealing, Exclusion, Piece, Session};
use crate::committee::{KeyShare, PublicKey};
use crate::error::AggError;
use crate::signing::ClientKey;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use tfhe::core_crypto::commons::math::random::Seeder;
use zeroize::Zeroizing;

/// Runs the four rounds for every member of `session` (`keys[k − 1]` is member `k`'s signing
/// key); each dealer's seed comes from `seeder`. A proved session needs `prover` (the keys
/// its `proof_key` names): every dealer proves its contribution, every member verifies them
/// all. Returns the public key every member computed (checked equal), the members' shares and
/// the exclusions.
pub fn run(
    session: &Session,
    keys: &[ClientKey],
    seeder: &mut dyn Seeder,
    prover: Option<&ContributionProver>,
) -> Result<(PublicKey, Vec<KeyShare>, Vec<Exclusion>), AggError> {
    let members = session.committee.members;
    if keys.len() != members || keys.iter().enumerate().any(|(i, k)| session.address(i + 1) != Some(k.address())) {
        return Err(AggError::Committee("one signing key per member, in member order".into()));
    }
    let mut dealings = Vec::with_capacity(members);
    for dealer in 1..=members {
        let mut seed = Zeroizing::new([0u8; 32]);
        seed[..16].copy_from_slice(&seeder.seed().0.to_le_bytes());
        seed[16..].copy_from_slice(&seeder.seed().0.to_le_bytes());
        dealings.push(Dealing::new(session, dealer, &seed)?);
    }
    let commitments: Vec<_> = dealings.iter().zip(keys).map(|(d, k)| d.commitment(k)).collect();
    let (commitments, mut exclusions) = index_commitments(session, commitments);
    let contributions: Vec<_> = match (session.proof_key, prover) {
        (Some(_), Some(prover)) => {
            let mut seed = [0u8; 32];
            seed[..16].copy_from_slice(&seeder.seed().0.to_le_bytes());
            let mut rng = StdRng::from_seed(seed);
            let progress = vsies_zk::progress::phase("key generation: contribution proofs", members as u64);
            let proved = dealings
                .iter()
                .zip(keys)
                .map(|(d, k)| {
                    let contribution = d.proved_contribution(session, k, prover, &mut rng);
                    progress.advance(1);
                    contribution
                })
                .collect::<Result<_, _>>()?;
            drop(progress);
            proved
        }
        (Some(id), None) => {
            return Err(AggError::Committee(format!(
                "the session is proved (verifying key {id}): give its key-contribution keys"
            )))
        }
        (None, _) => dealings.iter().zip(keys).map(|(d, k)| d.contribution(k)).collect(),
    };
    let mut checked = Vec::with_capacity(members);
    for member in 1..=members {
        let received: Vec<Piece> = dealings.iter().zip(keys).flat_map(|(d, k)| d.pieces_for(member, k)).collect();
        checked.push(check_pieces(session, member, &commitments, &contributions, received)?);
    }
    drop(dealings);
    let complaints: Vec<Piece> = checked.iter().flat_map(|c| c.complaints.clone()).collect();
    let verifier = prover.map(|p| &p.verifier);
    let board = Board { contributions: &contributions, complaints: &complaints, ..Board::default() };
    let mut public: Option<PublicKey> = None;
    let mut shares = Vec::with_capacity(members);
    for (index, member) in checked.iter().enumerate() {
        let (key, share, excluded) = finish(session, index + 1, &commitments, board, &member.pieces, verifier)?;
        if public.as_ref().is_some_and(|p| p.id() != key.id()) {
            return Err(AggError::Committee(format!("member {} computed another public key", index + 1)));
        }
        public.get_or_insert(key);
        shares.push(share);
        if index == 0 {
            exclusions.extend(excluded);
        }
    }
    Ok((public.expect("at least one member"), shares, exclusions))
}
