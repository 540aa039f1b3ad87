// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Poseidon9} from "./Poseidon9.sol";

/// The reward vault of a vsies subnet. It pays only for proved work:
/// - the owner registers the Groth16 verifier of each relation and parameters id
///   (`setVerifier`): data validation (0) and training (1);
/// - a node registers each dataset it owns with a data-validation proof (`registerData`); the
///   vault builds the proof's public inputs itself, `uint160(msg.sender) << 60` and the Poseidon
///   digest of (params id, D, rows, histogram), so only the prover's own account can register;
/// - each round a node submits a training proof (`submit`) whose inputs the vault builds as
///   `round << 220 | uint160(msg.sender) << 60` and the digest of (D, params id, the round's
///   global model, the trained model, compute, data): the starting model is the one stored when
///   the round opened, D must be a dataset the sender registered, and compute (rows x epochs)
///   and data (rows) are what the proof states;
/// - the round's pool (halving on a schedule) is split by proven compute (computeBps) and proven
///   data (the rest); an invalid proof, a training on unregistered data and K consecutive missed
///   rounds each slash a share of stake.
/// The same rules, to the wei, are the Rust crate's `vsies_verifier_contract::Vault`.
contract RewardVault {
    struct Node {
        uint256 stake;
        bool joined;
        bool everActive;
        uint64 lastActive;
        uint64 joinedRound;
    }

    struct Dataset {
        address owner;
        uint64 rows;
    }

    struct Round {
        uint256 totalCompute;
        uint256 totalData;
        mapping(address => uint256) compute;
        mapping(address => uint256) data;
        mapping(address => bool) submitted;
        mapping(address => bool) claimed;
    }

    uint256 internal constant BPS = 10_000;
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    uint8 public constant DATA_VALIDATION = 0;
    uint8 public constant TRAINING = 1;
    /// Poseidon domain tags: the labels' bytes as big-endian integers.
    uint256 internal constant DATA_STATEMENT_TAG = uint256(uint184(bytes23("vsies/data-statement/v1")));
    uint256 internal constant TRAINING_STATEMENT_TAG = uint256(uint216(bytes27("vsies/training-statement/v1")));
    bytes4 internal constant VERIFY_PLAIN = bytes4(keccak256("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2])"));
    bytes4 internal constant VERIFY_COMMITTED =
        bytes4(keccak256("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2],uint256[2],uint256[2])"));

    address public immutable owner;
    uint256 public immutable roundReward;
    uint64 public immutable halvingRounds;
    uint16 public immutable computeBps;
    uint16 public immutable invalidSlashBps;
    uint16 public immutable inactivitySlashBps;
    uint64 public immutable maxMissedRounds;
    uint256 public immutable minStake;

    uint64 public round;
    uint256 public slashed;
    address[] public nodeList;
    mapping(address => Node) public nodes;
    mapping(uint64 => Round) internal rounds;
    /// relation => params id => verifier contract.
    mapping(uint8 => mapping(uint256 => address)) public verifiers;
    /// dataset commitment D => its registration.
    mapping(uint256 => Dataset) public datasets;
    /// round => the global model commitment it trains from.
    mapping(uint64 => uint256) public models;
    bool private locked;

    event Joined(address indexed node, uint256 stake);
    event VerifierSet(uint8 indexed relation, uint256 indexed paramsId, address verifier);
    event DataRegistered(address indexed node, uint256 indexed commitment, uint256 paramsId, uint256 rows, uint256[] histogram);
    event Submitted(
        address indexed node, uint64 indexed round, uint256 dataCommitment, uint256 trained, uint256 compute, uint256 data
    );
    event Slashed(address indexed node, uint64 indexed round, uint256 amount, uint8 reason); // 0 invalid proof, 1 inactivity, 2 unregistered data
    event RoundClosed(uint64 indexed round, uint256 pool, uint256 totalCompute, uint256 totalData, uint256 nextModel);
    event Claimed(address indexed node, uint64 indexed round, uint256 amount);

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

    modifier nonReentrant() {
        if (locked) revert Reentrancy();
        locked = true;
        _;
        locked = false;
    }

    constructor(
        uint256 roundReward_,
        uint64 halvingRounds_,
        uint16 computeBps_,
        uint16 invalidSlashBps_,
        uint16 inactivitySlashBps_,
        uint64 maxMissedRounds_,
        uint256 minStake_,
        uint256 initialModel
    ) payable {
        require(computeBps_ <= BPS && invalidSlashBps_ <= BPS && inactivitySlashBps_ <= BPS, "bps");
        if (initialModel >= R) revert NotInField();
        owner = msg.sender;
        models[0] = initialModel;
        roundReward = roundReward_;
        halvingRounds = halvingRounds_;
        computeBps = computeBps_;
        invalidSlashBps = invalidSlashBps_;
        inactivitySlashBps = inactivitySlashBps_;
        maxMissedRounds = maxMissedRounds_;
        minStake = minStake_;
    }

    /// The pool of round `r`: roundReward >> (r / halvingRounds).
    function pool(uint64 r) public view returns (uint256) {
        uint256 halvings = halvingRounds == 0 ? 0 : r / halvingRounds;
        return halvings >= 256 ? 0 : roundReward >> halvings;
    }

    function join() external payable {
        if (msg.value < minStake) revert StakeTooLow();
        Node storage node = nodes[msg.sender];
        if (node.joined) revert AlreadyJoined();
        node.joined = true;
        node.stake = msg.value;
        node.joinedRound = round;
        nodeList.push(msg.sender);
        emit Joined(msg.sender, msg.value);
    }

    function _slash(address who, uint16 bps, uint8 reason) internal {
        Node storage node = nodes[who];
        uint256 amount = node.stake * bps / BPS;
        node.stake -= amount;
        slashed += amount;
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
        if (!nodes[msg.sender].joined) revert NotANode();
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
        uint256 packed = uint256(uint160(msg.sender)) << 60;
        bytes memory call = abi.encodeWithSelector(VERIFY_PLAIN, proof, [packed, digest]);
        if (!_verify(verifier, call)) {
            _slash(msg.sender, invalidSlashBps, 0);
            return;
        }
        datasets[commitment] = Dataset(msg.sender, rows);
        emit DataRegistered(msg.sender, commitment, paramsId, rows, histogram);
    }

    /// Submits a training proof for the open round: `proof` is (a, b, c), `commitment` the
    /// proof's (D.x, D.y, P.x, P.y). A dataset the caller did not register, or an invalid proof,
    /// records nothing and slashes.
    function submit(
        uint64 r,
        uint256[8] calldata proof,
        uint256[4] calldata commitment,
        uint256 paramsId,
        uint256 dataCommitment,
        uint256 trained,
        uint64 compute,
        uint64 data
    ) external {
        if (!nodes[msg.sender].joined) revert NotANode();
        if (r != round) revert WrongRound(round, r);
        if (r >= 1 << 32) revert WorkTooLarge();
        uint256[] memory elements = new uint256[](6);
        elements[0] = dataCommitment;
        elements[1] = paramsId;
        elements[2] = models[r];
        elements[3] = trained;
        elements[4] = compute;
        elements[5] = data;
        uint256 digest = _digest(TRAINING_STATEMENT_TAG, elements);
        address verifier = verifiers[TRAINING][paramsId];
        if (verifier == address(0)) revert UnknownVerifier();
        Round storage current = rounds[r];
        if (current.submitted[msg.sender]) revert AlreadySubmitted();
        if (datasets[dataCommitment].owner != msg.sender) {
            _slash(msg.sender, invalidSlashBps, 2);
            return;
        }
        uint256 packed = uint256(r) << 220 | uint256(uint160(msg.sender)) << 60;
        bytes memory call = abi.encodeWithSelector(VERIFY_COMMITTED, proof, commitment, [packed, digest]);
        if (!_verify(verifier, call)) {
            _slash(msg.sender, invalidSlashBps, 0);
            return;
        }
        current.submitted[msg.sender] = true;
        current.compute[msg.sender] = compute;
        current.data[msg.sender] = data;
        current.totalCompute += compute;
        current.totalData += data;
        Node storage node = nodes[msg.sender];
        node.everActive = true;
        node.lastActive = r;
        emit Submitted(msg.sender, r, dataCommitment, trained, compute, data);
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

    /// Closes the open round (owner only) with the next round's global model commitment:
    /// slashes every node that has missed maxMissedRounds consecutive rounds (then counts it
    /// active, so it is slashed once per K misses) and opens the next round.
    function closeRound(uint256 nextModel) external {
        if (msg.sender != owner) revert NotOwner();
        if (nextModel >= R) revert NotInField();
        uint64 r = round;
        if (maxMissedRounds > 0) {
            for (uint256 i = 0; i < nodeList.length; i++) {
                Node storage node = nodes[nodeList[i]];
                uint64 since = node.everActive ? node.lastActive + 1 : node.joinedRound;
                if (uint256(r) + 1 >= uint256(since) + maxMissedRounds) {
                    _slash(nodeList[i], inactivitySlashBps, 1);
                    node.everActive = true;
                    node.lastActive = r;
                }
            }
        }
        emit RoundClosed(r, pool(r), rounds[r].totalCompute, rounds[r].totalData, nextModel);
        round = r + 1;
        models[r + 1] = nextModel;
    }

    /// What `who` is owed for closed round `r`.
    function reward(address who, uint64 r) public view returns (uint256) {
        Round storage closed = rounds[r];
        uint256 total = pool(r);
        uint256 computePool = total * computeBps / BPS;
        uint256 dataPool = total - computePool;
        uint256 amount = 0;
        if (closed.totalCompute > 0) amount += computePool * closed.compute[who] / closed.totalCompute;
        if (closed.totalData > 0) amount += dataPool * closed.data[who] / closed.totalData;
        return amount;
    }

    /// Claims the caller's reward for closed round `r`: checks, effects, then the transfer.
    function claim(uint64 r) external nonReentrant {
        if (r >= round) revert RoundNotClosed();
        Round storage closed = rounds[r];
        if (closed.claimed[msg.sender]) revert AlreadyClaimed();
        uint256 amount = reward(msg.sender, r);
        if (amount == 0) revert NothingToClaim();
        closed.claimed[msg.sender] = true;
        emit Claimed(msg.sender, r, amount);
        (bool sent,) = msg.sender.call{value: amount}("");
        if (!sent) revert TransferFailed();
    }

    function stakeOf(address who) external view returns (uint256) {
        return nodes[who].stake;
    }
}
