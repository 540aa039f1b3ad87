//! The chain of contributions both phases share: making a contribution's proofs of knowledge,
//! checking a transcript's chain of them, and blaming a state that fails its checks.

use super::beacon;
use super::pok::{self, FactorKey};
use super::secret::Secrets;
use super::transcript::{ContributionKind, Factor, Transcript};
use crate::error::ZkError;
use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::CurveGroup;
use std::collections::BTreeMap;
use std::path::Path;

/// The proofs of knowledge of `secrets` (named `names`, in order) for the contribution at
/// `position` on the state with checksum `previous`, with the point each factor scales
/// after it: `scaled(name, factor)`.
pub fn prove_factors(
    phase: &str,
    previous: &[u8; 32],
    position: usize,
    names: &[&str],
    secrets: &mut Secrets,
    scaled: impl Fn(&str, &Fr) -> ChainPoint,
) -> Vec<Factor> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let challenge = pok::challenge(phase, previous, position, name);
            let factor = *secrets.factor(i);
            let key = FactorKey::new(&factor, &challenge, &mut secrets.rng);
            let (after_g1, after_g2) = match scaled(name, &factor) {
                ChainPoint::G1(point) => (Some(point), None),
                ChainPoint::G2(point) => (None, Some(point)),
            };
            Factor { secret: (*name).into(), key, after_g1, after_g2 }
        })
        .collect()
}

/// `point · factor` as a chain point.
pub fn scale_g1(point: G1Affine, factor: &Fr) -> ChainPoint {
    ChainPoint::G1((point * factor).into_affine())
}

/// `point · factor` as a chain point.
pub fn scale_g2(point: G2Affine, factor: &Fr) -> ChainPoint {
    ChainPoint::G2((point * factor).into_affine())
}

/// Checks a transcript's chain of contributions: every factor's proof of knowledge for its
/// position and the state before it, that each point is the previous one times the proved
/// factor, a beacon's factors recomputed, and no proof of knowledge reused. `start(secret)`
/// is the point of each secret before the first contribution (G1 unless the factor's point is
/// in G2).
pub fn verify_chain(
    transcript: &Transcript,
    directory: &Path,
    phase: &str,
    secrets: &[&str],
    start: impl Fn(&str) -> ChainPoint,
) -> Result<(), ZkError> {
    let path = directory.join(super::transcript::TRANSCRIPT_FILE);
    let mut current: BTreeMap<&str, ChainPoint> = secrets.iter().map(|s| (*s, start(s))).collect();
    let mut seen: Vec<((G1Affine, G1Affine), usize)> = Vec::new();
    let mut previous = transcript.initial;
    for (index, contribution) in transcript.contributions.iter().enumerate() {
        let position = index + 1;
        let invalid = |reason: String| ZkError::InvalidContribution {
            path: path.clone(),
            position,
            name: contribution.name.clone(),
            reason,
        };
        if contribution.previous != previous {
            return Err(invalid("it names another state than the one before it".into()));
        }
        let names: Vec<&str> = contribution.factors.iter().map(|f| f.secret.as_str()).collect();
        if names != secrets {
            return Err(invalid(format!("its factors are {names:?}, this phase has {secrets:?}")));
        }
        let beacon = match &contribution.kind {
            ContributionKind::Random => None,
            ContributionKind::Beacon { hex, iterations_exp } => {
                Some(beacon::secrets(hex, *iterations_exp, secrets.len()).map_err(|err| invalid(err.to_string()))?)
            }
        };
        for (i, factor) in contribution.factors.iter().enumerate() {
            let challenge = pok::challenge(phase, &previous, position, &factor.secret);
            let secret = &factor.secret;
            let pair = (factor.key.s_g1, factor.key.sx_g1);
            if let Some((_, earlier)) = seen.iter().find(|(seen, _)| *seen == pair) {
                return Err(invalid(format!("its {secret} key reuses contribution {earlier}'s")));
            }
            seen.push((pair, position));
            if !factor.key.proves_knowledge(&challenge) {
                return Err(invalid(format!("the proof of knowledge of its {secret} factor fails")));
            }
            if let Some(beacon) = &beacon {
                if (factor.key.s_g1 * beacon.factor(i)).into_affine() != factor.key.sx_g1 {
                    return Err(invalid(format!("its {secret} factor is not the beacon's")));
                }
            }
            let before = current[secret.as_str()];
            let scaled = match (before, factor.after_g1, factor.after_g2) {
                (ChainPoint::G1(old), Some(new), None) => {
                    current.insert(secrets[i], ChainPoint::G1(new));
                    factor.key.scales_g1(&challenge, &old, &new)
                }
                (ChainPoint::G2(old), None, Some(new)) => {
                    current.insert(secrets[i], ChainPoint::G2(new));
                    factor.key.scales_g2(&old, &new)
                }
                _ => return Err(invalid(format!("its {secret} point is in the wrong group"))),
            };
            if !scaled {
                return Err(invalid(format!("its {secret} point is not the previous one times the proved factor")));
            }
        }
        previous = contribution.state;
    }
    Ok(())
}

/// A chain's point before or after a contribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainPoint {
    /// In G1.
    G1(G1Affine),
    /// In G2.
    G2(G2Affine),
}

/// The error for a state that fails its checks: the last contribution's fault (every
/// contributor checks the state it builds on), or the initial state's.
pub(crate) fn blame_last(transcript: &Transcript, path: &Path, reason: String) -> ZkError {
    match transcript.contributions.last() {
        Some(last) => ZkError::InvalidContribution {
            path: path.into(),
            position: transcript.contributions.len(),
            name: last.name.clone(),
            reason,
        },
        None => ZkError::InvalidCeremony { path: path.into(), reason: format!("the initial state: {reason}") },
    }
}
