// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// The reward vault of a vsies subnet: nodes stake to join; each round a node submits a
/// Groth16 proof of its work, whose two public inputs the vault builds itself as
/// [round << 220 | node << 60 | compute << 30 | data, dataset commitment], so a proof only
/// counts for the node, round, work and data it was made for; the round's pool (halving on a schedule) is split by proven compute
/// (computeBps) and proven data (the rest); an invalid proof and K consecutive missed rounds
/// each slash a share of stake. The same rules, to the wei, are the Rust crate's
/// `vsies_verifier_contract::Vault`.
contract RewardVault {
    struct Node {
        uint256 stake;
        bool joined;
        bool everActive;
        uint64 lastActive;
        uint64 joinedRound;
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

    address public immutable verifier;
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
    bool private locked;

    event Joined(address indexed node, uint256 stake);
    event Submitted(address indexed node, uint64 indexed round, uint256 commitment, uint256 compute, uint256 data);
    event Slashed(address indexed node, uint64 indexed round, uint256 amount, uint8 reason); // 0 invalid proof, 1 inactivity
    event RoundClosed(uint64 indexed round, uint256 pool, uint256 totalCompute, uint256 totalData);
    event Claimed(address indexed node, uint64 indexed round, uint256 amount);

    error StakeTooLow();
    error AlreadyJoined();
    error NotANode();
    error WrongRound(uint64 expected, uint64 found);
    error WorkTooLarge();
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
        address verifier_,
        uint256 roundReward_,
        uint64 halvingRounds_,
        uint16 computeBps_,
        uint16 invalidSlashBps_,
        uint16 inactivitySlashBps_,
        uint64 maxMissedRounds_,
        uint256 minStake_
    ) payable {
        require(computeBps_ <= BPS && invalidSlashBps_ <= BPS && inactivitySlashBps_ <= BPS, "bps");
        verifier = verifier_;
        owner = msg.sender;
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

    /// Submits proven work for the open round. An invalid proof records nothing and slashes.
    function submit(
        uint64 r,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256 commitment,
        uint256 compute,
        uint256 data
    ) external {
        if (!nodes[msg.sender].joined) revert NotANode();
        if (r != round) revert WrongRound(round, r);
        if (compute >= 1 << 30 || data >= 1 << 30 || r >= 1 << 32) revert WorkTooLarge();
        Round storage current = rounds[r];
        if (current.submitted[msg.sender]) revert AlreadySubmitted();
        uint256 packed = uint256(r) << 220 | uint256(uint160(msg.sender)) << 60 | compute << 30 | data;
        if (!_verify(a, b, c, [packed, commitment])) {
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
        emit Submitted(msg.sender, r, commitment, compute, data);
    }

    function _verify(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[2] memory input)
        internal
        view
        returns (bool)
    {
        (bool ok, bytes memory out) = verifier.staticcall(
            abi.encodeWithSignature("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2])", a, b, c, input)
        );
        return ok && out.length == 32 && abi.decode(out, (bool));
    }

    /// Closes the open round (owner only): slashes every node that has missed
    /// maxMissedRounds consecutive rounds (then counts it active, so it is slashed once per K
    /// misses) and opens the next round.
    function closeRound() external {
        if (msg.sender != owner) revert NotOwner();
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
        emit RoundClosed(r, pool(r), rounds[r].totalCompute, rounds[r].totalData);
        round = r + 1;
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
