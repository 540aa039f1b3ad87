"""Flower SecAgg+ (PyPI `flwr`) on the same round shape as `vsies bench agg`: 100 clients x
100,000 parameters, measured here side by side.

Drives Flower's own SecAgg+ code: each client runs the four stages of
`flwr.client.mod.secure_aggregation.secaggplus_mod` (`_setup`, `_share_keys`,
`_collect_masked_vectors`, `_unmask`) on its own state, and the server side repeats, with
Flower's own primitives (`combine_shares`, `pseudo_rand_gen`, `parameters_addition`, ...),
exactly what `SecAggPlusWorkflow` computes: the neighbour ring, the sum of masked vectors,
private-mask removal for every survivor and pairwise-mask removal for every dropout. Messaging
(Flower's SuperLink / gRPC) is not timed: only computation, which is what the comparison is
about. Prints one JSON object.

Usage: benches/peers/flower_secaggplus.sh [--clients 100] [--params 100000] [--shares 21]
"""

import argparse
import importlib
import json
import platform
import random
import statistics
import time

import numpy as np
import flwr
from flwr.app import ConfigRecord
from flwr.common import bytes_to_ndarray, ndarrays_to_parameters
from flwr.common.secure_aggregation.crypto.shamir import combine_shares
from flwr.common.secure_aggregation.crypto.symmetric_encryption import generate_shared_key
from flwr.supercore.primitives.asymmetric import bytes_to_private_key, bytes_to_public_key
from flwr.common.secure_aggregation.ndarrays_arithmetic import (
    factor_extract,
    get_parameters_shape,
    parameters_addition,
    parameters_mod,
    parameters_subtraction,
)
from flwr.common.secure_aggregation.quantization import dequantize
from flwr.common.secure_aggregation.secaggplus_constants import Key
from flwr.common.secure_aggregation.secaggplus_utils import pseudo_rand_gen

# The package re-exports the mod function under the module's name; take the module itself.
client_mod = importlib.import_module("flwr.client.mod.secure_aggregation.secaggplus_mod")


def run(clients: int, params: int, shares: int, dropouts: int, seed: int) -> dict:
    random.seed(seed)
    rng = np.random.default_rng(seed)
    # SecAggPlusWorkflow's defaults.
    threshold = max(2, round(0.5 * shares))
    clipping_range, target_range, mod_range, max_weight = 8.0, 4194304, 4294967296, 1000.0
    nids = list(range(1, clients + 1))
    states = {nid: client_mod.SecAggPlusState(nid=nid) for nid in nids}
    timing = {"setup": [], "share_keys": [], "collect_masked_vectors": [], "unmask": []}

    def timed(stage, fn):
        start = time.perf_counter()
        out = fn()
        timing[stage].append(time.perf_counter() - start)
        return out

    setup_cfg = ConfigRecord({
        Key.STAGE: "setup", Key.SAMPLE_NUMBER: clients, Key.SHARE_NUMBER: shares,
        Key.THRESHOLD: threshold, Key.CLIPPING_RANGE: clipping_range, Key.TARGET_RANGE: target_range,
        Key.MOD_RANGE: mod_range, Key.MAX_WEIGHT: max_weight,
    })
    public_keys = {nid: timed("setup", lambda nid=nid: client_mod._setup(states[nid], setup_cfg)) for nid in nids}
    public_keys = {nid: (pk[Key.PUBLIC_KEY_1], pk[Key.PUBLIC_KEY_2]) for nid, pk in public_keys.items()}

    order = nids[:]
    random.shuffle(order)
    half = shares >> 1
    neighbours = {
        nid: {order[(i + off) % clients] for off in range(-half, half + 1)} for i, nid in enumerate(order)
    }
    inbox = {nid: ([], []) for nid in nids}  # (sources, ciphertexts)
    for nid in nids:
        cfg = ConfigRecord({str(n): list(public_keys[n]) for n in neighbours[nid]})
        out = timed("share_keys", lambda nid=nid, cfg=cfg: client_mod._share_keys(states[nid], cfg))
        for dst, ctxt in zip(out[Key.DESTINATION_LIST], out[Key.CIPHERTEXT_LIST]):
            inbox[dst][0].append(nid)
            inbox[dst][1].append(ctxt)

    dropped = set(random.sample(nids, dropouts))
    active = [nid for nid in nids if nid not in dropped]
    masked_sum = None
    upload_bytes = 0
    server_sum_seconds = 0.0
    for nid in active:
        # Clients drop out after sharing keys (the case SecAgg+ recovers from), so survivors
        # hold shares of every neighbour, dropped ones included.
        srcs, ctxts = inbox[nid]
        cfg = ConfigRecord({Key.CIPHERTEXT_LIST: list(ctxts), Key.SOURCE_LIST: list(srcs)})
        update = ndarrays_to_parameters([rng.normal(0, 1, params).astype(np.float32)])
        out = timed(
            "collect_masked_vectors",
            lambda nid=nid, cfg=cfg, update=update: client_mod._collect_masked_vectors(states[nid], cfg, 100, update),
        )
        upload_bytes = sum(len(b) for b in out[Key.MASKED_PARAMETERS])
        arrays = [bytes_to_ndarray(b) for b in out[Key.MASKED_PARAMETERS]]
        start = time.perf_counter()
        masked_sum = arrays if masked_sum is None else parameters_addition(masked_sum, arrays)
        masked_sum = parameters_mod(masked_sum, mod_range)
        server_sum_seconds += time.perf_counter() - start

    collected = {nid: [] for nid in nids}
    for nid in active:
        cfg = ConfigRecord({
            Key.ACTIVE_NODE_ID_LIST: list(neighbours[nid] - dropped),
            Key.DEAD_NODE_ID_LIST: list(neighbours[nid] & dropped),
        })
        out = timed("unmask", lambda nid=nid, cfg=cfg: client_mod._unmask(states[nid], cfg))
        for owner, share in zip(out[Key.NODE_ID_LIST], out[Key.SHARE_LIST]):
            collected[owner].append(share)

    start = time.perf_counter()
    vector = masked_sum
    for nid, share_list in collected.items():
        if not share_list:
            continue
        secret = combine_shares(share_list)
        if nid not in dropped:
            vector = parameters_subtraction(vector, pseudo_rand_gen(secret, mod_range, get_parameters_shape(vector)))
        else:
            for other in neighbours[nid] - {nid}:
                key = generate_shared_key(bytes_to_private_key(secret), bytes_to_public_key(public_keys[other][0]))
                mask = pseudo_rand_gen(key, mod_range, get_parameters_shape(vector))
                vector = parameters_addition(vector, mask) if nid > other else parameters_subtraction(vector, mask)
    vector = parameters_mod(vector, mod_range)
    _, vector = factor_extract(vector)
    dequantize(vector, clipping_range, target_range)
    server_unmask_seconds = time.perf_counter() - start

    per_client = {stage: statistics.median(times) for stage, times in timing.items()}
    return {
        "dropouts": dropouts,
        "client_seconds_median": per_client,
        "client_total_seconds": sum(per_client.values()),
        "server_sum_seconds": server_sum_seconds,
        "server_unmask_seconds": server_unmask_seconds,
        "upload_bytes_per_client": upload_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--params", type=int, default=100_000)
    parser.add_argument("--shares", type=int, default=21, help="SecAgg+ neighbours per client (odd)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    runs = [run(args.clients, args.params, args.shares, d, args.seed) for d in (0, args.clients // 20)]
    print(json.dumps({
        "peer": f"flwr {flwr.__version__} SecAgg+ (secaggplus_mod + SecAggPlusWorkflow computation)",
        "python": platform.python_version(),
        "clients": args.clients,
        "params": args.params,
        "num_shares": args.shares,
        "runs": runs,
    }, indent=2))


if __name__ == "__main__":
    main()
