"""Kleinberg's two-state burst detection for batched counts, vectorised over many series.

Kleinberg, J. (2003). Bursty and hierarchical structure in streams. Data Mining and Knowledge
Discovery 7(4):373-397, doi:10.1023/A:1024940629314, section 4 ("enumerating bursts"): batch t
holds d_t documents of which r_t are relevant. The base state emits relevant documents with
probability p0 = R/D (R, D the totals over all batches), the burst state with p1 = s * p0. Being
in state i at batch t costs

    sigma(i, r_t, d_t) = -ln[ C(d_t, r_t) * p_i^r_t * (1 - p_i)^(d_t - r_t) ]

and moving up from the base state to the burst state costs tau = gamma * ln(n), n the number of
batches (moving down is free). The automaton starts in the base state. The optimal state
sequence minimises the summed cost (Viterbi). A burst is a maximal run of burst-state batches,
and its weight is the sum over its batches of sigma(0) - sigma(1): how much better the burst
state explains those batches. The binomial coefficient cancels in both the Viterbi decisions
and the weight, so it is never computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BURST_S = 2.0  # rate ratio of the burst state (Kleinberg's s; R `bursts` and pybursts default)
BURST_GAMMA = 1.0  # transition-cost coefficient (Kleinberg's gamma; same defaults)
_P_MAX = 1.0 - 1e-12  # p1 = s * p0 is capped below 1 so that its cost stays finite


@dataclass(frozen=True)
class Bursts:
    """Burst detection for K series of T batches (arrays have K rows)."""

    states: np.ndarray  # (K, T) bool: True where the optimal sequence is in the burst state
    weight: np.ndarray  # (K,) weight of the strongest burst; 0.0 when there is none
    start: np.ndarray  # (K,) index of the strongest burst's first batch; -1 when none
    end: np.ndarray  # (K,) index of its last batch; -1 when none


def _cost(r: np.ndarray, d: np.ndarray, p: np.ndarray) -> np.ndarray:
    """-ln p^r (1-p)^(d-r), without the binomial coefficient; p must lie strictly in (0, 1)."""
    return -(r * np.log(p) + (d - r) * np.log1p(-p))


def kleinberg_bursts(
    r: np.ndarray, d: np.ndarray, s: float = BURST_S, gamma: float = BURST_GAMMA
) -> Bursts:
    """Two-state batched Kleinberg burst detection for each row of `r` (relevant) and `d` (all).

    `r` and `d` are (K, T) or (T,) arrays of non-negative counts with r <= d. A row whose totals
    give p0 = 0 or p0 = 1 (never relevant, or always) cannot burst. Ties in the Viterbi recursion
    go to the base state, so a burst is only reported when it strictly lowers the cost.
    """
    r = np.atleast_2d(np.asarray(r, dtype=np.float64))
    d = np.atleast_2d(np.asarray(d, dtype=np.float64))
    if r.shape != d.shape:
        raise ValueError(f"r and d differ in shape: {r.shape} vs {d.shape}")
    if np.any(r < 0) or np.any(r > d):
        raise ValueError("counts must satisfy 0 <= r <= d")
    if s <= 1.0 or gamma < 0.0:
        raise ValueError("Kleinberg's model needs s > 1 and gamma >= 0")
    k, t_len = r.shape
    total_r, total_d = r.sum(axis=1), d.sum(axis=1)
    p0 = np.divide(total_r, total_d, out=np.zeros(k), where=total_d > 0)
    can_burst = (p0 > 0.0) & (p0 < 1.0)
    # Rows that cannot burst get a harmless p so the logs stay finite; their burst cost is inf.
    p0_safe = np.where(can_burst, p0, 0.5)[:, None]
    p1_safe = np.minimum(p0_safe * s, _P_MAX)
    sigma0 = _cost(r, d, p0_safe)
    sigma1 = np.where(can_burst[:, None], _cost(r, d, p1_safe), np.inf)
    tau = gamma * np.log(t_len) if t_len > 1 else 0.0

    c0, c1 = np.zeros(k), np.full(k, np.inf)
    back0 = np.zeros((k, t_len), dtype=bool)  # True: the best way into base state came from burst
    back1 = np.zeros((k, t_len), dtype=bool)  # True: the best way into burst state stayed in it
    for t in range(t_len):
        from_burst = c1 < c0
        stay = c1 < c0 + tau
        new0 = np.where(from_burst, c1, c0) + sigma0[:, t]
        new1 = np.where(stay, c1, c0 + tau) + sigma1[:, t]
        back0[:, t], back1[:, t] = from_burst, stay
        c0, c1 = new0, new1

    states = np.zeros((k, t_len), dtype=bool)
    current = c1 < c0
    for t in range(t_len - 1, -1, -1):
        states[:, t] = current
        current = np.where(current, back1[:, t], back0[:, t])
    return _strongest(states, np.where(states, sigma0 - sigma1, 0.0))


def _strongest(states: np.ndarray, gain: np.ndarray) -> Bursts:
    """Weight, start and end of each row's heaviest maximal run of burst states.

    `gain` holds sigma(0) - sigma(1) inside bursts and 0 elsewhere.
    """
    k, t_len = states.shape
    previous = np.concatenate([np.zeros((k, 1), dtype=bool), states[:, :-1]], axis=1)
    run = np.cumsum(states & ~previous, axis=1) * states  # 0 outside bursts, 1, 2, ... inside
    cell = np.arange(k)[:, None] * (t_len + 1) + run
    per_run = np.bincount(cell.ravel(), weights=gain.ravel(), minlength=k * (t_len + 1))
    per_run = per_run.reshape(k, t_len + 1)
    per_run[:, 0] = -np.inf
    best = np.argmax(per_run, axis=1)  # the earliest run among equally heavy ones
    has = states.any(axis=1)
    in_best = (run == best[:, None]) & has[:, None]
    start = np.where(has, np.argmax(in_best, axis=1), -1)
    end = np.where(has, t_len - 1 - np.argmax(in_best[:, ::-1], axis=1), -1)
    weight = np.where(has, per_run[np.arange(k), best], 0.0)
    return Bursts(states=states, weight=weight, start=start, end=end)
