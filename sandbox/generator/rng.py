"""Seed derivation: every independent stream of randomness gets its own seeded generator.

Rendering tasks run in any order on any number of processes; deriving each task's generator from
(seed, label, chunk) instead of sharing one generator is what keeps the output byte-identical.
"""

from __future__ import annotations

import hashlib
import random


def derive_seed(seed: int, *labels: object) -> int:
    """A 64-bit seed for the stream named by `labels` under the portal seed."""
    text = repr((int(seed),) + tuple(labels)).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def rng_for(seed: int, *labels: object) -> random.Random:
    """An independent generator for the stream named by `labels`."""
    return random.Random(derive_seed(seed, *labels))


def mix(value: int, salt: int) -> int:
    """A cheap stateless 64-bit hash; used where a value must be a pure function of an id."""
    x = (value * 0x9E3779B97F4A7C15 + salt) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 31
    x = (x * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 29
    return x
