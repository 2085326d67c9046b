"""Customer-lifetime-value models on 100,000 synthetic customers: summary and BG/NBD fit times.

A transaction log is drawn from the BG/NBD process (parameters near the CDNOW estimates, but
buying faster: r=0.5, alpha=4, a=0.8, b=2.5), first purchases spread over the 13 weeks from
2024-01-01 and every purchase recorded to the day; amounts come from the Gamma-Gamma model with
the CDNOW estimates. The log goes through ``rfm_summary`` (same-day merging, 52-week calibration
from 2024-01-01), then ``bgnbd.fit`` and ``gamma_gamma.fit``. Recording to the day and merging
same-day purchases moves the estimates a little off the true values; the fit on the continuous
(not day-rounded) histories recovers them closely.

Target: the BG/NBD fit on 100k customers in well under 20 s. The fit aggregates identical
``(x, t_x, T)`` rows first; the bench prints how many distinct rows there were, for the
day-granular summary and for the continuous histories (where only customers with no repeat
purchase share rows). Figures are wall-clock seconds, the median of ``--rounds``. The headline
is the last line; exits 1 on a miss.

    .venv/bin/python bench/clv.py [--customers 100000] [--rounds 3]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.clv import bgnbd, gamma_gamma  # noqa: E402
from analytics.clv.summary import rfm_summary  # noqa: E402

TRUE = (0.5, 4.0, 0.8, 2.5)
SPEND = (6.25, 3.74, 15.44)  # Gamma-Gamma p, q, gamma of the CDNOW fit
TARGET_SECONDS = 20.0


def synthetic_log(n, rng):
    start = np.datetime64("2024-01-01")
    first_day = start + rng.integers(0, 13 * 7, size=n)
    cal_end = start + 52 * 7 - 1
    T = (cal_end - first_day).astype(np.float64) / 7 + 1 / 7  # observed through the end of cal_end
    x, t_x, _, (who, when) = bgnbd.simulate(TRUE, T, rng=rng, return_events=True)
    days = first_day[who] + np.floor(when * 7).astype(np.int64)
    ids = np.concatenate([np.arange(n), who])
    dates = np.concatenate([first_day, days])
    nu = rng.gamma(SPEND[1], 1.0 / SPEND[2], size=n)  # each customer's Gamma-Gamma rate
    amounts = rng.gamma(SPEND[0], 1.0, size=ids.size) / nu[ids]
    return ids, dates, amounts, cal_end, (x, t_x, T)


def timed(fn, rounds):
    times, out = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(20240101)
    ids, dates, amounts, cal_end, continuous = synthetic_log(args.customers, rng)
    print(f"{args.customers} customers, {ids.size} transactions")

    t_summary, s = timed(lambda: rfm_summary(ids, dates, amounts, calibration_end=cal_end), args.rounds)
    distinct = len(bgnbd.aggregate(s.x, s.t_x, s.T)[0])
    print(f"rfm_summary: {t_summary:.2f} s; {distinct} distinct (x, t_x, T) rows")

    t_fit, p = timed(lambda: bgnbd.fit(s.x, s.t_x, s.T), args.rounds)
    print(
        f"bgnbd.fit (day-granular): {t_fit:.2f} s  r={p.r:.3f} alpha={p.alpha:.3f} a={p.a:.3f} "
        f"b={p.b:.3f} (true {TRUE})"
    )

    x, t_x, T = continuous
    t_cont, pc = timed(lambda: bgnbd.fit(x, t_x, T), args.rounds)
    print(
        f"bgnbd.fit (continuous, {len(bgnbd.aggregate(x, t_x, T)[0])} distinct rows): {t_cont:.2f} s  "
        f"r={pc.r:.3f} alpha={pc.alpha:.3f} a={pc.a:.3f} b={pc.b:.3f}"
    )

    t_gg, g = timed(lambda: gamma_gamma.fit(s.x, s.monetary_value), args.rounds)
    print(f"gamma_gamma.fit: {t_gg:.2f} s  p={g.p:.2f} q={g.q:.2f} gamma={g.gamma:.2f} (true {SPEND})")

    worst = max(t_fit, t_cont)
    ok = worst < TARGET_SECONDS
    print(
        f"{'OK' if ok else 'MISS'}: BG/NBD fit on {args.customers} customers {worst:.2f} s "
        f"(target < {TARGET_SECONDS:.0f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
