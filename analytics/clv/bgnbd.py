"""The BG/NBD model of repeat transactions (Fader, Hardie & Lee 2005).

P. S. Fader, B. G. S. Hardie, K. L. Lee, "'Counting Your Customers' the Easy Way: An Alternative
to the Pareto/NBD Model", Marketing Science 24(2), 275-284, 2005. Equation numbers below are the
paper's. P(alive) follows Fader, Hardie & Lee, "Computing P(alive) Using the BG/NBD Model" (2008),
which corrects the paper's expression for customers with ``x == 0`` (they are alive for sure).

While alive a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``
(``alpha`` a rate); after each transaction she drops out with probability ``p ~ Beta(a, b)``.
Inputs are the per-customer ``x``, ``t_x``, ``T`` of :mod:`analytics.clv.summary`.

Numerics: everything is done in logs with ``gammaln``/``betaln`` and ``logaddexp``, so large
``x`` does not overflow (the "#NUM!" problem of Fader & Hardie's 2013 note). The Gaussian
hypergeometric functions of the expectations are evaluated after Euler's transformation
``2F1(A, B; C; z) = (1 - z)^(C - A - B) 2F1(C - A, C - B; C; z)``, which turns
``((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; z)`` into
``(1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z)``: the second form has small upper
parameters and a lower one that grows with ``x``, so its series converges fast for any ``x``,
where the first multiplies a huge series by a tiny power. ``a == 1`` is a removable singularity
of the formulas and is not handled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import special

from . import maximize

PARAM_NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class BGNBDParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")
    n_customers: int = 0
    optimizer: dict = field(default_factory=dict, compare=False, repr=False)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.r, self.alpha, self.a, self.b)


def _arrays(x, t_x, T):
    x = np.asarray(x, dtype=np.float64)
    t_x = np.asarray(t_x, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    x, t_x, T = np.broadcast_arrays(x, t_x, T)
    return x, t_x, T


def check_data(x, t_x, T) -> None:
    x, t_x, T = _arrays(x, t_x, T)
    if (x < 0).any() or (x != np.floor(x)).any():
        raise ValueError("x must be non-negative integers")
    if (t_x < 0).any() or (t_x > T + 1e-9).any():
        raise ValueError("need 0 <= t_x <= T")
    if ((x == 0) & (t_x != 0)).any():
        raise ValueError("t_x must be 0 when x is 0")
    if ((x > 0) & (t_x <= 0)).any():
        raise ValueError("t_x must be positive when x > 0 (same-day transactions are merged)")


def aggregate(x, t_x, T, weights=None):
    """Identical ``(x, t_x, T)`` rows collapsed into one with a weight (their count)."""
    x, t_x, T = _arrays(x, t_x, T)
    rows = np.column_stack([x.ravel(), t_x.ravel(), T.ravel()])
    uniq, inverse = np.unique(rows, axis=0, return_inverse=True)
    w = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    counts = np.bincount(inverse.ravel(), weights=w, minlength=len(uniq))
    return uniq[:, 0], uniq[:, 1], uniq[:, 2], counts


def _log_terms(r, alpha, a, b, x, t_x, T):
    """log of the two terms of the individual likelihood; the second is -inf where x == 0."""
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    term1 = common + special.betaln(a, b + x) - (r + x) * np.log(alpha + T)
    has_repeat = x > 0
    b_minus = np.where(has_repeat, b + x - 1, 1.0)  # placeholder where x == 0 (term unused)
    term2 = np.where(
        has_repeat,
        common + special.betaln(a + 1, b_minus) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return term1, term2


def log_likelihood_individual(params, x, t_x, T) -> np.ndarray:
    """Per-customer log-likelihood: the log of the paper's L(r, alpha, a, b | x, t_x, T)."""
    r, alpha, a, b = params
    x, t_x, T = _arrays(x, t_x, T)
    term1, term2 = _log_terms(r, alpha, a, b, x, t_x, T)
    return np.logaddexp(term1, term2)


def log_likelihood(params, x, t_x, T, weights=None) -> float:
    """Sample log-likelihood: sum over customers (``weights`` counts identical rows)."""
    ll = log_likelihood_individual(params, x, t_x, T)
    return float(ll.sum() if weights is None else np.dot(weights, ll))


def _negll_and_grad(log_params, x, t_x, T, w):
    """Negative log-likelihood and its gradient with respect to the log parameters."""
    r, alpha, a, b = np.exp(log_params)
    term1, term2 = _log_terms(r, alpha, a, b, x, t_x, T)
    ll = np.logaddexp(term1, term2)
    w1 = np.exp(term1 - ll)  # share of term 1 in each likelihood
    w2 = 1.0 - w1
    has_repeat = x > 0
    psi = special.digamma
    log_at = np.log(alpha + T)
    log_atx = np.log(alpha + t_x)
    d_r = psi(r + x) - psi(r) + np.log(alpha) - w1 * log_at - w2 * log_atx
    d_alpha = r / alpha - (r + x) * (w1 / (alpha + T) + w2 / (alpha + t_x))
    psi_abx = psi(a + b + x)
    base_a = psi(a) - psi(a + b)
    base_b = psi(b) - psi(a + b)
    d_a = w1 * (psi(a) - psi_abx) + w2 * (psi(a + 1) - psi_abx) - base_a
    psi_bx1 = psi(np.where(has_repeat, b + x - 1, 1.0))
    d_b = w1 * (psi(b + x) - psi_abx) + np.where(has_repeat, w2 * (psi_bx1 - psi_abx), 0.0) - base_b
    grad = np.array([w @ d_r * r, w @ d_alpha * alpha, w @ d_a * a, w @ d_b * b])
    return -float(w @ ll), -grad


def _starting_point(x, t_x, T, w) -> np.ndarray:
    """A crude moment-based start: rate r/alpha ~ repeat transactions per week, r = 1; a = 1, b = 3."""
    total_x = max(float(w @ x), 1.0)
    alpha0 = float(w @ T) / total_x
    return np.log([1.0, max(alpha0, 1e-3), 1.0, 3.0])


def fit(x, t_x, T, *, weights=None, start=None, tol: float = 1e-10) -> BGNBDParams:
    """Maximum-likelihood estimates of ``r, alpha, a, b``.

    Identical ``(x, t_x, T)`` rows are aggregated first, so the cost grows with the number of
    distinct rows (day-granular data over a few years has at most a few tens of thousands).
    Optimises over log-parameters with L-BFGS-B and the analytic gradient (:mod:`.maximize`);
    ``optimizer`` records whether it converged and how.
    """
    check_data(x, t_x, T)
    n = int(np.sum(weights)) if weights is not None else int(np.size(np.asarray(x)))
    ux, utx, uT, w = aggregate(x, t_x, T, weights)
    x0 = np.log(start) if start is not None else _starting_point(ux, utx, uT, w)
    scale = max(float(w.sum()), 1.0)

    def fun(theta):
        f, g = _negll_and_grad(theta, ux, utx, uT, w)
        return f / scale, g / scale

    theta, f, info = maximize.minimize(fun, x0, PARAM_NAMES, tol=tol)
    r, alpha, a, b = np.exp(theta)
    return BGNBDParams(
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        log_likelihood=-f * scale,
        n_customers=n,
        optimizer=info,
    )


def _params(params):
    if isinstance(params, BGNBDParams):
        return params.as_tuple()
    return tuple(float(p) for p in params)


def probability_alive(params, x, t_x, T) -> np.ndarray:
    """P(alive at T | x, t_x, T) (Fader, Hardie & Lee 2008).

    ``1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))``, computed as a
    logistic of the log-odds so that it neither overflows nor loses small probabilities.
    """
    r, alpha, a, b = _params(params)
    x, t_x, T = _arrays(x, t_x, T)
    has_repeat = x > 0
    b_minus = np.where(has_repeat, b + x - 1, 1.0)
    log_odds_dead = np.log(a) - np.log(b_minus) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(has_repeat, special.expit(-log_odds_dead), 1.0)


def _one_minus_power_hyp2f1(r, alpha_plus, a, b, x, t):
    """``1 - (alpha_plus / (alpha_plus + t))^(r + x) * 2F1(r + x, b + x; a + b + x - 1; z)``.

    ``z = t / (alpha_plus + t)``; evaluated in Euler-transformed form (module docstring).
    """
    z = t / (alpha_plus + t)
    one_minus_z = alpha_plus / (alpha_plus + t)
    hyp = special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    # Far out on a flat likelihood (r in the hundreds of thousands with a small b) scipy's 2F1 gives
    # NaN or a value <= 0: the NaN is the answer there, and the fit refuses to store any prediction
    # that is not finite (analytics.customer_value.fit, NOT_FINITE), so no warning for it.
    with np.errstate(invalid="ignore", divide="ignore"):
        return -special.expm1((a - 1) * np.log(one_minus_z) + np.log(hyp))


def expected_transactions(params, t) -> np.ndarray:
    """E[X(t)]: expected repeat transactions in ``(0, t]`` after a customer's first transaction."""
    r, alpha, a, b = _params(params)
    t = np.asarray(t, dtype=np.float64)
    out = (a + b - 1) / (a - 1) * _one_minus_power_hyp2f1(r, alpha, a, b, 0.0, np.maximum(t, 0.0))
    return np.where(t > 0, out, 0.0)


def conditional_expected_transactions(params, t, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected transactions in ``(T, T + t]`` given the history, eq. (10)."""
    r, alpha, a, b = _params(params)
    x, t_x, T = _arrays(x, t_x, T)
    t = np.asarray(t, dtype=np.float64)
    alive = probability_alive((r, alpha, a, b), x, t_x, T)
    body = (a + b + x - 1) / (a - 1) * _one_minus_power_hyp2f1(r, alpha + T, a, b, x, np.maximum(t, 0.0))
    return np.where(t > 0, body * alive, 0.0)


def expected_cumulative_transactions(params, birth, times) -> np.ndarray:
    """Population-level cumulative repeat transactions: ``sum_i E[X(t - birth_i)]`` for each t.

    ``birth`` is each customer's first-transaction time on a common clock (e.g.
    :attr:`RFMSummary.birth`), ``times`` the points of that clock to evaluate at.
    """
    times = np.atleast_1d(np.asarray(times, dtype=np.float64))
    births, counts = np.unique(np.asarray(birth, dtype=np.float64), return_counts=True)
    ages = times[:, None] - births[None, :]
    return expected_transactions(params, ages) @ counts


@dataclass(frozen=True)
class HoldoutComparison:
    """Predicted vs actual repeat transactions in the holdout period."""

    actual_total: int
    predicted_total: float  # population forecast: sum_i E[X(T_i + t*)] - E[X(T_i)]
    conditional_total: float  # sum_i E[Y(t*) | x_i, t_x_i, T_i]
    actual_weekly: np.ndarray
    predicted_weekly: np.ndarray

    def report(self) -> str:
        lines = [
            f"holdout repeat transactions: actual {self.actual_total}, "
            f"predicted {self.predicted_total:.1f} (population forecast), "
            f"{self.conditional_total:.1f} (sum of conditional expectations)",
            f"{'week':>5} {'actual':>7} {'pred':>8} {'cum act':>8} {'cum pred':>9}",
        ]
        cum_a = np.cumsum(self.actual_weekly)
        cum_p = np.cumsum(self.predicted_weekly)
        for k, (act, pred) in enumerate(zip(self.actual_weekly, self.predicted_weekly, strict=True)):
            lines.append(f"{k + 1:>5} {act:>7d} {pred:>8.1f} {cum_a[k]:>8d} {cum_p[k]:>9.1f}")
        return "\n".join(lines)


def holdout_comparison(params, summary, holdout) -> HoldoutComparison:
    """Compare a fit on ``summary`` (an :class:`RFMSummary`) with the :class:`Holdout` that followed.

    The week-by-week forecast is the unconditional one of the paper's tracking plots: each
    customer contributes ``E[X(T_i + k)] - E[X(T_i + k - 1)]`` in holdout week ``k`` (times from her
    own first transaction; week ``k`` ends ``7k`` days after the calibration end day, the same
    day-to-day clock as ``T``). The conditional total is ``sum_i E[Y(t*) | x_i, t_x_i, T_i]`` with
    ``t*`` the holdout length.
    """
    n_periods = len(holdout.weekly)
    edges = np.minimum(np.arange(n_periods + 1, dtype=np.float64), holdout.duration)
    T_vals, T_counts = np.unique(summary.T, return_counts=True)
    ages = T_vals[None, :] + edges[:, None]
    cumulative = expected_transactions(params, ages) @ T_counts
    predicted_weekly = np.diff(cumulative)
    conditional = conditional_expected_transactions(
        params, holdout.duration, summary.x, summary.t_x, summary.T
    )
    return HoldoutComparison(
        actual_total=holdout.total,
        predicted_total=float(predicted_weekly.sum()),
        conditional_total=float(conditional.sum()),
        actual_weekly=holdout.weekly,
        predicted_weekly=predicted_weekly,
    )


def simulate(
    params, T, *, rng=None, holdout: float = 0.0, max_transactions: int = 100_000, return_events=False
):
    """Draw histories from the BG/NBD process for customers observed for ``T`` after their first.

    Returns ``(x, t_x, x_holdout)``: repeat transactions and last-transaction time in ``(0, T]``,
    and repeat transactions in ``(T, T + holdout]``. Times are continuous. With
    ``return_events=True`` a fourth item ``(customer_index, time)`` lists every repeat
    transaction up to ``T + holdout`` (time since the customer's first transaction).
    """
    r, alpha, a, b = _params(params)
    rng = np.random.default_rng(rng)
    T = np.asarray(T, dtype=np.float64)
    n = T.size
    T = T.ravel()
    lam = rng.gamma(r, 1.0 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    now = np.zeros(n)
    x = np.zeros(n, dtype=np.int64)
    x_hold = np.zeros(n, dtype=np.int64)
    t_x = np.zeros(n)
    horizon = T + holdout
    active = np.ones(n, dtype=bool)  # alive and not past the horizon
    event_idx, event_time = [], []
    for _ in range(max_transactions):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        now[idx] += rng.exponential(1.0, size=idx.size) / lam[idx]
        inside = now[idx] <= horizon[idx]
        hit = idx[inside]
        in_cal = now[hit] <= T[hit]
        x[hit[in_cal]] += 1
        t_x[hit[in_cal]] = now[hit[in_cal]]
        x_hold[hit[~in_cal]] += 1
        if return_events:
            event_idx.append(hit)
            event_time.append(now[hit])
        dies = rng.random(hit.size) < p[hit]
        active[idx[~inside]] = False
        active[hit[dies]] = False
    if return_events:
        events = (
            np.concatenate(event_idx) if event_idx else np.zeros(0, dtype=np.int64),
            np.concatenate(event_time) if event_time else np.zeros(0),
        )
        return x, t_x, x_hold, events
    return x, t_x, x_hold
