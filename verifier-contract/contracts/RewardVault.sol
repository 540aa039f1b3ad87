// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Poseidon9} from "./Poseidon9.sol";
import {VaultMath} from "./VaultMath.sol";

/// The reward vault of a vsies subnet (docs/CHAIN.md). It pays only for proved work:
/// - the owner registers the Groth16 verifier of each relation and parameters id
///   (`setVerifier`): data validation (0) and training (1);
/// - a node stakes (`join`) and registers each dataset it owns with a data-validation proof
///   (`registerData`); the vault builds the proof's inputs itself, `uint160(msg.sender) << 60`
///   and the Poseidon digest of (params id, D, rows, histogram), so only the prover's account
///   can register; the histogram joins the pool of its parameters id;
/// - each round a node submits a training proof (`submit`) whose inputs the vault builds as
///   `round << 220 | uint160(msg.sender) << 60` and the digest of (D, params id, the round's
///   global model, the trained model, compute, data): the starting model is the checkpoint the
///   committee signed when the round opened, and D must be a dataset the sender registered;
/// - a round's compute pool decays exponentially (and halves on a schedule) and is shared by
///   proven compute, with a loyalty bonus after `loyaltyRounds` accepted rounds in a row; its
///   data pool is shared by rows x KL(dataset || the other registered datasets, as they were
///   when the round opened), scored in the node's own transaction;
/// - `threshold` committee members sign each checkpoint (`closeRound`) and each refused update
///   (`slashRefusedUpdate`); anyone reports a node inactive for `maxMissedRounds` rounds;
/// - an invalid proof, training on data other than the registered dataset, a refused update or
///   inactivity slashes a share of stake and ends the node's membership: it claims no round
///   from then on; its stake, and an exiting node's, is withdrawn after `unbondingRounds`.
/// No call's gas grows with the number of nodes. The same rules, to the wei, are the Rust
/// crate's `vsies_verifier_contract::Vault`.
contract RewardVault {
    struct Config {
        uint256 roundReward;
        uint64 halvingRounds;
        uint256 decayWad;
        uint16 computeBps;
        uint16 invalidSlashBps;
        uint16 inactivitySlashBps;
        uint64 maxMissedRounds;
        uint256 minStake;
        uint64 loyaltyRounds;
        uint16 loyaltyBps;
        uint64 unbondingRounds;
    }

    struct Node {
        uint256 stake;
        bool joined;
        bool everActive;
        bool removed;
        bool exiting;
        uint64 lastActive;
        uint64 joinedRound;
        uint64 streak;
        /// The round its membership ended (slashed or exiting): it claims only earlier rounds.
        uint64 leftRound;
    }

    struct Dataset {
        address owner;
        uint64 rows;
        uint64 registeredRound;
        uint256 paramsId;
        bytes32 histogramHash;
        /// The pool's registration count the cached score was computed against (0: none).
        uint64 scoredAt;
        uint256 klWad;
    }

    /// A parameters id's pooled histogram, copied on the first registration of each round so
    /// that scores in a round are against the pool as it was when the round opened.
    struct Pool {
        uint256[] live;
        uint256[] frozen;
        uint64 liveCount;
        uint64 frozenCount;
        uint64 frozenRound;
        bool hasFrozen;
        uint64 rows;
    }

    struct Work {
        uint256 weight;
        uint256 score;
        bool accepted;
        bool claimed;
    }

    struct Round {
        uint256 totalWeight;
        uint256 totalScore;
        mapping(address => Work) work;
    }

    struct Submission {
        uint256 paramsId;
        uint256 dataCommitment;
        uint256 trained;
        uint64 compute;
        uint64 data;
    }

    uint256 internal constant BPS = 10_000;
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    /// secp256k1's group order halved: signatures with a larger s are refused (no malleated twins).
    uint256 internal constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    uint256 internal constant MAX_HISTOGRAM_WORDS = 4096;
    uint8 public constant DATA_VALIDATION = 0;
    uint8 public constant TRAINING = 1;
    uint8 internal constant INVALID_PROOF = 0;
    uint8 internal constant INACTIVITY = 1;
    uint8 internal constant UNREGISTERED_DATA = 2;
    uint8 internal constant REFUSED_UPDATE = 3;
    /// Poseidon domain tags: the labels' bytes as big-endian integers.
    uint256 internal constant DATA_STATEMENT_TAG = uint256(uint184(bytes23("vsies/data-statement/v1")));
    uint256 internal constant TRAINING_STATEMENT_TAG = uint256(uint216(bytes27("vsies/training-statement/v1")));
    bytes4 internal constant VERIFY_PLAIN = bytes4(keccak256("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2])"));
    bytes4 internal constant VERIFY_COMMITTED =
        bytes4(keccak256("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2],uint256[2],uint256[2])"));

    address public immutable owner;
    uint256 public immutable threshold;
    Config internal config;
    /// The secure-aggregation committee's id (its content id's text), which clients sign.
    bytes public committeeId;
    mapping(address => bool) public isMember;

    uint64 public round;
    uint256 public slashed;
    mapping(address => Node) public nodes;
    mapping(uint64 => Round) internal rounds;
    /// relation => params id => verifier contract.
    mapping(uint8 => mapping(uint256 => address)) public verifiers;
    /// dataset commitment D => its registration.
    mapping(uint256 => Dataset) public datasets;
    mapping(uint256 => Pool) internal pools;
    /// round => the global model commitment it trains from.
    mapping(uint64 => uint256) public models;
    /// round => the sha2-256 digest of its global model's file (CIDv1 raw: 0x01551220 ++ digest).
    mapping(uint64 => bytes32) public modelDigests;
    bool private locked;

    event Joined(address indexed node, uint256 stake);
    event VerifierSet(uint8 indexed relation, uint256 indexed paramsId, address verifier);
    event DataRegistered(address indexed node, uint256 indexed commitment, uint256 paramsId, uint256 rows, uint256[] histogram);
    event Submitted(
        address indexed node, uint64 indexed round, uint256 dataCommitment, uint256 trained, uint256 weight, uint256 score
    );
    /// reason: 0 invalid proof, 1 inactivity, 2 unregistered data, 3 refused update.
    event Slashed(address indexed node, uint64 indexed round, uint256 amount, uint8 reason);
    event RoundClosed(uint64 indexed round, uint256 computePool, uint256 dataPool, uint256 nextModel, bytes32 modelDigest);
    event Claimed(address indexed node, uint64 indexed round, uint256 amount);
    event Exiting(address indexed node, uint64 round);
    event Withdrawn(address indexed node, uint256 amount);

    error StakeTooLow();
    error AlreadyJoined();
    error NotANode();
    error WrongRound(uint64 expected, uint64 found);
    error WorkTooLarge();
    error NotInField();
    error UnknownVerifier();
    error AlreadyRegistered();
    error AlreadySubmitted();
    error RoundNotClosed();
    error AlreadyClaimed();
    error NothingToClaim();
    error NotOwner();
    error Reentrancy();
    error TransferFailed();
    error BadConfig();
    error Removed();
    error NotInactive();
    error HistogramMismatch();
    error PoolFull();
    error BadSignatures();
    error NotAccepted();
    error StillBonded();

    modifier nonReentrant() {
        if (locked) revert Reentrancy();
        locked = true;
        _;
        locked = false;
    }

    constructor(
        Config memory config_,
        address[] memory committee,
        uint256 threshold_,
        bytes memory committeeId_,
        uint256 initialModel
    ) payable {
        if (
            config_.computeBps > BPS || config_.invalidSlashBps > BPS || config_.inactivitySlashBps > BPS
                || config_.decayWad > VaultMath.WAD || threshold_ == 0 || threshold_ > committee.length
        ) revert BadConfig();
        if (initialModel >= R) revert NotInField();
        for (uint256 i = 0; i < committee.length; i++) {
            if (committee[i] == address(0) || isMember[committee[i]]) revert BadConfig();
            isMember[committee[i]] = true;
        }
        owner = msg.sender;
        threshold = threshold_;
        config = config_;
        committeeId = committeeId_;
        models[0] = initialModel;
    }

    /// The round's pool before the split: roundReward >> (r / halvingRounds).
    function pool(uint64 r) public view returns (uint256) {
        uint256 halvings = config.halvingRounds == 0 ? 0 : r / config.halvingRounds;
        return halvings >= 256 ? 0 : config.roundReward >> halvings;
    }

    /// The compute pool of round `r`: computeBps of the pool, times decayWad^r (the decay
    /// lambda e^(-lambda r) of 2PM.Network with e^(-lambda) = decayWad / 1e18).
    function computePool(uint64 r) public view returns (uint256) {
        uint256 share = pool(r) * config.computeBps / BPS;
        return share * VaultMath.wadPow(config.decayWad, r) / VaultMath.WAD;
    }

    /// The data pool of round `r`: what the pool leaves after computeBps (no decay).
    function dataPool(uint64 r) public view returns (uint256) {
        uint256 total = pool(r);
        return total - total * config.computeBps / BPS;
    }

    function join() external payable {
        if (msg.value < config.minStake) revert StakeTooLow();
        Node storage node = nodes[msg.sender];
        if (node.joined) revert AlreadyJoined();
        node.joined = true;
        node.stake = msg.value;
        node.joinedRound = round;
        emit Joined(msg.sender, msg.value);
    }

    function _member(address who) internal view returns (Node storage node) {
        node = nodes[who];
        if (!node.joined) revert NotANode();
        if (node.removed || node.exiting) revert Removed();
    }

    /// Slashes `bps` of the stake and ends the membership; work accepted in the open round is
    /// taken out of its totals.
    function _slash(address who, uint16 bps, uint8 reason) internal {
        Node storage node = nodes[who];
        uint256 amount = node.stake * bps / BPS;
        node.stake -= amount;
        node.removed = true;
        node.leftRound = round;
        slashed += amount;
        Round storage current = rounds[round];
        Work storage work = current.work[who];
        if (work.accepted) {
            current.totalWeight -= work.weight;
            current.totalScore -= work.score;
            work.accepted = false;
        }
        emit Slashed(who, round, amount, reason);
    }

    /// Sets (or replaces) the verifier of `relation` under the keys `paramsId` (owner only).
    function setVerifier(uint8 relation, uint256 paramsId, address verifier) external {
        if (msg.sender != owner) revert NotOwner();
        if (relation > TRAINING) revert UnknownVerifier();
        verifiers[relation][paramsId] = verifier;
        emit VerifierSet(relation, paramsId, verifier);
    }

    /// Registers the caller's dataset `commitment` with its data-validation proof. An invalid
    /// proof registers nothing and slashes; a commitment is registered once.
    function registerData(
        uint256[8] calldata proof,
        uint256 paramsId,
        uint256 commitment,
        uint64 rows,
        uint256[] calldata histogram
    ) external {
        _member(msg.sender);
        if (histogram.length == 0 || histogram.length > MAX_HISTOGRAM_WORDS) revert HistogramMismatch();
        uint256[] memory elements = new uint256[](3 + histogram.length);
        elements[0] = paramsId;
        elements[1] = commitment;
        elements[2] = rows;
        for (uint256 i = 0; i < histogram.length; i++) {
            elements[3 + i] = histogram[i];
        }
        uint256 digest = _digest(DATA_STATEMENT_TAG, elements);
        address verifier = verifiers[DATA_VALIDATION][paramsId];
        if (verifier == address(0)) revert UnknownVerifier();
        if (datasets[commitment].owner != address(0)) revert AlreadyRegistered();
        Pool storage shared = pools[paramsId];
        if (shared.liveCount > 0 && shared.live.length != histogram.length) revert HistogramMismatch();
        if (uint256(shared.rows) + rows >= 1 << 32) revert PoolFull();
        uint256 packed = uint256(uint160(msg.sender)) << 60;
        bytes memory call = abi.encodeWithSelector(VERIFY_PLAIN, proof, [packed, digest]);
        if (!_verify(verifier, call)) {
            _slash(msg.sender, config.invalidSlashBps, INVALID_PROOF);
            return;
        }
        _pool(shared, histogram, rows);
        datasets[commitment] = Dataset(msg.sender, rows, round, paramsId, keccak256(abi.encodePacked(histogram)), 0, 0);
        emit DataRegistered(msg.sender, commitment, paramsId, rows, histogram);
    }

    /// Adds a histogram to its pool, first freezing the pool for the open round if this is
    /// the round's first registration. Lanes cannot carry: every count is at most its
    /// dataset's rows and the pool holds fewer than 2^32 rows.
    function _pool(Pool storage shared, uint256[] calldata histogram, uint64 rows) internal {
        if (!shared.hasFrozen || shared.frozenRound < round) {
            shared.frozen = shared.live;
            shared.frozenCount = shared.liveCount;
            shared.frozenRound = round;
            shared.hasFrozen = true;
        }
        if (shared.live.length == 0) {
            shared.live = histogram;
        } else {
            for (uint256 i = 0; i < histogram.length; i++) {
                shared.live[i] += histogram[i];
            }
        }
        shared.liveCount += 1;
        shared.rows += rows;
    }

    /// The pool as it was when the open round opened, and its registration count.
    function _openingPool(Pool storage shared) internal view returns (uint256[] storage words, uint64 count) {
        if (shared.hasFrozen && shared.frozenRound == round) return (shared.frozen, shared.frozenCount);
        return (shared.live, shared.liveCount);
    }

    /// KL(dataset || the other datasets of the opening pool), cached per pool state.
    function _score(Dataset storage dataset, uint256[] calldata histogram) internal returns (uint256) {
        if (keccak256(abi.encodePacked(histogram)) != dataset.histogramHash) revert HistogramMismatch();
        (uint256[] storage opening, uint64 count) = _openingPool(pools[dataset.paramsId]);
        if (dataset.scoredAt == count && count > 0) return dataset.klWad;
        uint256[] memory own = histogram;
        uint256[] memory others = new uint256[](histogram.length);
        bool included = dataset.registeredRound < round;
        if (opening.length > 0) {
            for (uint256 i = 0; i < histogram.length; i++) {
                others[i] = included ? opening[i] - histogram[i] : opening[i];
            }
        }
        uint256 kl = VaultMath.klWad(own, others);
        dataset.scoredAt = count;
        dataset.klWad = kl;
        return kl;
    }

    /// Submits a training proof for the open round: `proof` is (a, b, c), `commitment` the
    /// proof's (D.x, D.y, P.x, P.y), `histogram` the dataset's registered histogram (scored
    /// against the pool). A dataset the caller did not register, or an invalid proof, records
    /// nothing and slashes.
    function submit(
        uint64 r,
        uint256[8] calldata proof,
        uint256[4] calldata commitment,
        Submission calldata claim,
        uint256[] calldata histogram
    ) external {
        _member(msg.sender);
        if (r != round) revert WrongRound(round, r);
        if (r >= 1 << 32) revert WorkTooLarge();
        uint256 digest = _trainingDigest(r, claim);
        address verifier = verifiers[TRAINING][claim.paramsId];
        if (verifier == address(0)) revert UnknownVerifier();
        if (rounds[r].work[msg.sender].accepted) revert AlreadySubmitted();
        Dataset storage dataset = datasets[claim.dataCommitment];
        if (dataset.owner != msg.sender) {
            _slash(msg.sender, config.invalidSlashBps, UNREGISTERED_DATA);
            return;
        }
        uint256 packed = uint256(r) << 220 | uint256(uint160(msg.sender)) << 60;
        bytes memory call = abi.encodeWithSelector(VERIFY_COMMITTED, proof, commitment, [packed, digest]);
        if (!_verify(verifier, call)) {
            _slash(msg.sender, config.invalidSlashBps, INVALID_PROOF);
            return;
        }
        _accept(r, claim, _score(dataset, histogram));
    }

    /// Records accepted work: the loyalty streak, the compute weight and the data score.
    function _accept(uint64 r, Submission calldata claim, uint256 klWad) internal {
        Node storage node = nodes[msg.sender];
        node.streak = node.everActive && node.lastActive + 1 == r ? node.streak + 1 : 1;
        node.everActive = true;
        node.lastActive = r;
        uint256 bonus = config.loyaltyRounds > 0 && node.streak >= config.loyaltyRounds ? config.loyaltyBps : 0;
        uint256 weight = uint256(claim.compute) * (BPS + bonus);
        uint256 score = uint256(claim.data) * klWad;
        Round storage current = rounds[r];
        current.work[msg.sender] = Work(weight, score, true, false);
        current.totalWeight += weight;
        current.totalScore += score;
        emit Submitted(msg.sender, r, claim.dataCommitment, claim.trained, weight, score);
    }

    function _trainingDigest(uint64 r, Submission calldata claim) internal view returns (uint256) {
        uint256[] memory elements = new uint256[](6);
        elements[0] = claim.dataCommitment;
        elements[1] = claim.paramsId;
        elements[2] = models[r];
        elements[3] = claim.trained;
        elements[4] = claim.compute;
        elements[5] = claim.data;
        return _digest(TRAINING_STATEMENT_TAG, elements);
    }

    /// The statement digest of `elements`, each of which must be a field element.
    function _digest(uint256 tag, uint256[] memory elements) internal pure returns (uint256) {
        for (uint256 i = 0; i < elements.length; i++) {
            if (elements[i] >= R) revert NotInField();
        }
        return Poseidon9.hash(tag, elements);
    }

    function _verify(address verifier, bytes memory call) internal view returns (bool) {
        (bool ok, bytes memory out) = verifier.staticcall(call);
        return ok && out.length == 32 && abi.decode(out, (bool));
    }

    /// Whether `signatures` ((r, s, v) triples) hold `threshold` committee members'
    /// signatures of `message`, signers in increasing address order (so each counts once).
    function _committeeSigned(bytes32 message, uint256[] calldata signatures) internal view returns (bool) {
        if (signatures.length % 3 != 0 || signatures.length / 3 < threshold) return false;
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; i += 3) {
            address signer = _recover(message, signatures[i], signatures[i + 1], signatures[i + 2]);
            if (signer <= previous || !isMember[signer]) return false;
            previous = signer;
        }
        return true;
    }

    /// ecrecover of a low-s signature with v 27 or 28; address(0) otherwise.
    function _recover(bytes32 message, uint256 r, uint256 s, uint256 v) internal pure returns (address) {
        if (s > HALF_N || (v != 27 && v != 28)) return address(0);
        return ecrecover(message, uint8(v), bytes32(r), bytes32(s));
    }

    /// What committee members sign to record round `r`'s outcome: the next global model's
    /// commitment and its file's sha2-256 digest.
    function checkpointMessage(uint64 r, uint256 nextModel, bytes32 modelDigest) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("vsies/checkpoint/v1", address(this), r, nextModel, modelDigest));
    }

    /// Closes the open round with the checkpoint `threshold` committee members signed and
    /// opens the next one, whose only accepted starting model is `nextModel`. Anyone may send it.
    function closeRound(uint256 nextModel, bytes32 modelDigest, uint256[] calldata signatures) external {
        if (nextModel >= R) revert NotInField();
        uint64 r = round;
        if (!_committeeSigned(checkpointMessage(r, nextModel, modelDigest), signatures)) revert BadSignatures();
        emit RoundClosed(r, computePool(r), dataPool(r), nextModel, modelDigest);
        round = r + 1;
        models[r + 1] = nextModel;
        modelDigests[r] = modelDigest;
    }

    /// Slashes a node for `maxMissedRounds` closed rounds in a row without accepted work
    /// (counting from its last accepted round, or from the round it joined). Anyone may send it.
    function reportInactive(address who) external {
        Node storage node = _member(who);
        uint64 since = node.everActive ? node.lastActive + 1 : node.joinedRound;
        if (config.maxMissedRounds == 0 || uint256(round) < uint256(since) + config.maxMissedRounds) {
            revert NotInactive();
        }
        _slash(who, config.inactivitySlashBps, INACTIVITY);
    }

    /// What committee members sign when they refuse a node's update of round `r` (its
    /// well-formedness proof failed, or it does not open the node's accepted training).
    function refusalMessage(uint64 r, address who, bytes32 ciphertextId) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("vsies/refused-update/v1", address(this), r, who, ciphertextId));
    }

    /// The message a client signs for its update (`vsies_secure_agg::signing`).
    function updateMessage(uint64 r, bytes32 ciphertextId) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("vsies/agg-update-signature/v1\n", committeeId, r, ciphertextId));
    }

    /// Slashes a node whose update of the open round the committee refused: the node's own
    /// signature shows it sent the ciphertext, `threshold` members' signatures that it failed.
    function slashRefusedUpdate(
        address who,
        bytes32 ciphertextId,
        uint256[3] calldata nodeSignature,
        uint256[] calldata signatures
    ) external {
        _member(who);
        uint64 r = round;
        address signer = _recover(updateMessage(r, ciphertextId), nodeSignature[0], nodeSignature[1], nodeSignature[2]);
        if (signer != who || !_committeeSigned(refusalMessage(r, who, ciphertextId), signatures)) {
            revert BadSignatures();
        }
        _slash(who, config.invalidSlashBps, REFUSED_UPDATE);
    }

    /// Ends the caller's membership: it submits no more and claims rounds before this one;
    /// its stake is withdrawable after `unbondingRounds`.
    function exit() external {
        _member(msg.sender).exiting = true;
        nodes[msg.sender].leftRound = round;
        emit Exiting(msg.sender, round);
    }

    /// Withdraws the stake of a node that exited or was slashed, `unbondingRounds` after.
    function withdraw() external nonReentrant {
        Node storage node = nodes[msg.sender];
        if (!node.removed && !node.exiting) revert StillBonded();
        if (uint256(round) < uint256(node.leftRound) + config.unbondingRounds) revert StillBonded();
        uint256 amount = node.stake;
        if (amount == 0) revert NothingToClaim();
        node.stake = 0;
        emit Withdrawn(msg.sender, amount);
        (bool sent,) = msg.sender.call{value: amount}("");
        if (!sent) revert TransferFailed();
    }

    /// What `who` is owed for closed round `r`: its share of the compute pool by weight and of
    /// the data pool by score; nothing for a round at or after its membership ended.
    function reward(address who, uint64 r) public view returns (uint256) {
        Node storage node = nodes[who];
        if ((node.removed || node.exiting) && r >= node.leftRound) return 0;
        Round storage closed = rounds[r];
        Work storage work = closed.work[who];
        if (!work.accepted) return 0;
        uint256 amount = 0;
        if (closed.totalWeight > 0) amount += computePool(r) * work.weight / closed.totalWeight;
        if (closed.totalScore > 0) amount += dataPool(r) * work.score / closed.totalScore;
        return amount;
    }

    /// Claims the caller's reward for closed round `r`: checks, effects, then the transfer.
    function claim(uint64 r) external nonReentrant {
        if (r >= round) revert RoundNotClosed();
        Work storage work = rounds[r].work[msg.sender];
        if (work.claimed) revert AlreadyClaimed();
        uint256 amount = reward(msg.sender, r);
        if (amount == 0) revert NothingToClaim();
        work.claimed = true;
        emit Claimed(msg.sender, r, amount);
        (bool sent,) = msg.sender.call{value: amount}("");
        if (!sent) revert TransferFailed();
    }

    function stakeOf(address who) external view returns (uint256) {
        return nodes[who].stake;
    }

    /// Round `r`'s totals: compute weight and data score.
    function totals(uint64 r) external view returns (uint256 weight, uint256 score) {
        return (rounds[r].totalWeight, rounds[r].totalScore);
    }
}
