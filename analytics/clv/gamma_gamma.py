"""The Gamma-Gamma model of spend per transaction, and a 12-month customer value.

P. S. Fader, B. G. S. Hardie, K. L. Lee, "RFM and CLV: Using Iso-Value Curves for Customer Base
Analysis", Journal of Marketing Research 42(4), 415-430, 2005; B. G. S. Hardie, "The Gamma-Gamma
Model of Monetary Value" (note, 2013).

A customer's transaction values are ``Gamma(p, nu)`` (``nu`` a rate), so their mean is
``p / nu``; across customers ``nu ~ Gamma(q, gamma)``. Spend is assumed independent of the
transaction process. The data are, for each customer with at least one repeat transaction, the
number ``x`` of repeat transactions and their mean value ``zbar`` (the first transaction is left
out, as in the papers; see :mod:`analytics.clv.summary`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import special

from . import bgnbd, maximize


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")
    n_customers: int = 0
    optimizer: dict = field(default_factory=dict, compare=False, repr=False)

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.p, self.q, self.gamma)

    @property
    def population_mean_spend(self) -> float:
        """E[Z] = p * gamma / (q - 1) (infinite when q <= 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")


def _repeaters(x, zbar):
    x = np.asarray(x, dtype=np.float64)
    zbar = np.asarray(zbar, dtype=np.float64)
    x, zbar = np.broadcast_arrays(x, zbar)
    keep = x >= 1
    if (zbar[keep] <= 0).any():
        raise ValueError("mean spend must be positive for customers with x >= 1")
    return x[keep], zbar[keep]


def log_likelihood_individual(params, x, zbar) -> np.ndarray:
    """log f(zbar | p, q, gamma; x) for customers with ``x >= 1`` (Hardie's note).

    ``f = Gamma(px + q) / (Gamma(px) Gamma(q)) * gamma^q * zbar^(px - 1) * x^(px)
    / (gamma + x zbar)^(px + q)``.
    """
    p, q, g = _params(params)
    x = np.asarray(x, dtype=np.float64)
    zbar = np.asarray(zbar, dtype=np.float64)
    px = p * x
    return (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(g)
        + (px - 1) * np.log(zbar)
        + px * np.log(x)
        - (px + q) * np.log(g + x * zbar)
    )


def log_likelihood(params, x, zbar) -> float:
    """Sample log-likelihood over the customers with ``x >= 1`` (others are ignored)."""
    x, zbar = _repeaters(x, zbar)
    return float(log_likelihood_individual(params, x, zbar).sum())


def _negll_and_grad(log_params, x, zbar, log_x, log_z, log_gxz_fn):
    p, q, g = np.exp(log_params)
    px = p * x
    log_gxz = log_gxz_fn(g)
    ll = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(g)
        + (px - 1) * log_z
        + px * log_x
        - (px + q) * log_gxz
    )
    psi = special.digamma
    psi_pxq = psi(px + q)
    d_p = x * (psi_pxq - psi(px) + log_z + log_x - log_gxz)
    d_q = psi_pxq - psi(q) + np.log(g) - log_gxz
    d_g = q / g - (px + q) / (g + x * zbar)
    grad = np.array([d_p.sum() * p, d_q.sum() * q, d_g.sum() * g])
    return -float(ll.sum()), -grad


def fit(x, zbar, *, start=(1.0, 1.0, 1.0), tol: float = 1e-10) -> GammaGammaParams:
    """Maximum-likelihood ``p, q, gamma`` from customers with ``x >= 1`` (others are dropped)."""
    x, zbar = _repeaters(x, zbar)
    if x.size == 0:
        raise ValueError("need at least one customer with a repeat transaction")
    log_x, log_z = np.log(x), np.log(zbar)
    xz = x * zbar
    n = x.size

    def fun(theta):
        f, g = _negll_and_grad(theta, x, zbar, log_x, log_z, lambda gam: np.log(gam + xz))
        return f / n, g / n

    theta, f, info = maximize.minimize(fun, np.log(start), ("p", "q", "gamma"), tol=tol)
    p, q, g = np.exp(theta)
    return GammaGammaParams(
        p=float(p),
        q=float(q),
        gamma=float(g),
        log_likelihood=-f * n,
        n_customers=int(n),
        optimizer=info,
    )


def _params(params):
    if isinstance(params, GammaGammaParams):
        return params.as_tuple()
    return tuple(float(v) for v in params)


def conditional_expected_spend(params, x, zbar) -> np.ndarray:
    """E[Z | p, q, gamma, zbar, x]: expected value of a future transaction.

    ``(gamma + x zbar) p / (px + q - 1)``, a weighted mean of the population mean
    ``p gamma / (q - 1)`` and the customer's own ``zbar`` (weight ``px / (px + q - 1)``). For
    ``x == 0`` it is the population mean. Needs ``q > 1``.
    """
    p, q, g = _params(params)
    if q <= 1:
        raise ValueError("the expected spend is finite only for q > 1")
    x = np.asarray(x, dtype=np.float64)
    zbar = np.where(x > 0, np.asarray(zbar, dtype=np.float64), 0.0)
    return (g + x * zbar) * p / (p * x + q - 1)


def predicted_value(
    bgnbd_params,
    spend_params,
    x,
    t_x,
    T,
    zbar,
    *,
    weeks: float = 52.0,
    annual_discount_rate: float = 0.0,
) -> np.ndarray:
    """Expected spend over the next ``weeks`` (default 12 months): transactions x spend per transaction.

    Undiscounted (the default), it is ``E[Y(weeks) | x, t_x, T] * E[Z | x, zbar]`` with the BG/NBD
    conditional expectation (eq. 10 of the BG/NBD paper), in the currency of ``zbar``.

    With ``annual_discount_rate = d > 0`` each week's expected transactions,
    ``E[Y(k)] - E[Y(k - 1)]``, is discounted to today at the end of week ``k`` by
    ``(1 + d)^(-k / 52)``. Weekly steps keep the discrete approximation of the continuous-time
    discounting within a fraction of a percent of the exact integral for usual rates (the
    BG/NBD paper's DERT is the exact infinite-horizon analogue). A non-integer ``weeks`` ends
    with a shorter last step.
    """
    x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x, t_x, T)))
    spend = conditional_expected_spend(spend_params, x, zbar)
    if annual_discount_rate == 0.0:
        count = bgnbd.conditional_expected_transactions(bgnbd_params, weeks, x, t_x, T)
        return count * spend
    if annual_discount_rate <= -1.0:
        raise ValueError("annual_discount_rate must be greater than -1")
    edges = np.append(np.arange(0.0, weeks, 1.0), weeks)
    cumulative = bgnbd.conditional_expected_transactions(
        bgnbd_params, edges.reshape((-1,) + (1,) * x.ndim), x, t_x, T
    )
    increments = np.diff(cumulative, axis=0)
    factors = (1.0 + annual_discount_rate) ** (-edges[1:] / 52.0)
    discounted = np.tensordot(factors, increments, axes=(0, 0))
    return discounted * spend
