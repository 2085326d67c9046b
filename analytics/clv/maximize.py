"""Maximum likelihood over log-parameters: L-BFGS-B with a stopping rule float arithmetic can meet.

L-BFGS-B's own tests (a projected gradient below ``gtol``, a relative reduction of f below
``ftol``) are asked for at 1e-10, which a likelihood summed over 10^5 customers in doubles cannot
always show: where the maximum lies at infinity along a flat ridge (no heterogeneity in the
purchase rate, ``r, alpha -> inf`` with ``r / alpha`` fixed; no drop-out, ``a -> 0``), the line
search ends with ABNORMAL_TERMINATION_IN_LNSRCH at a point that is optimal to working precision.
Such a point is accepted by the relative-gradient test of Dennis & Schnabel, *Numerical Methods
for Unconstrained Optimization and Nonlinear Equations* (1983), section 7.2:
``max_i |g_i| max(|theta_i|, 1) / max(|f|, 1) <= eps^(1/3)``, with g the gradient projected on the
bounds (a component pushing against a bound it sits on is not a failure to converge). Only when
that test fails is the search restarted (fresh curvature pairs), then polished by Nelder-Mead, all
within a fixed budget of evaluations; a result that still fails is returned marked unconverged.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

GRADIENT_TOLERANCE = float(np.finfo(np.float64).eps ** (1 / 3))  # ~6e-6
EVALUATIONS = 1000  # budget for the whole fit: restarts and polish included
RESTARTS = 2
BOUND = 20.0  # log-parameters live in [-20, 20]


def _projected(theta, g, lo, hi):
    g = np.array(g, dtype=np.float64)
    g[(theta <= lo) & (g > 0)] = 0.0  # minimising: at the lower bound only g < 0 could still help
    g[(theta >= hi) & (g < 0)] = 0.0
    return g


def relative_gradient(theta, f, g, lo=-BOUND, hi=BOUND) -> float:
    """Dennis & Schnabel's scaled gradient of ``f`` at ``theta`` (projected on the bounds)."""
    theta = np.asarray(theta, dtype=np.float64)
    if not np.isfinite(f) or not np.all(np.isfinite(g)):
        return float("inf")
    scaled = np.abs(_projected(theta, g, lo, hi)) * np.maximum(np.abs(theta), 1.0)
    return float(scaled.max() / max(abs(f), 1.0))


def minimize(fun, x0, names, *, tol: float = 1e-10):
    """Minimise ``fun(theta) -> (f, gradient)`` over ``theta`` in [-20, 20]^k.

    Returns ``(theta, f, info)``; ``info`` is the optimizer record stored with a fit:
    ``success`` (the relative-gradient test passed), ``method``, ``message``, ``nit``, ``nfev``,
    ``relative_gradient`` and ``at_bound`` (names of parameters on a bound, i.e. at 0 or infinity
    for the model).
    """
    bounds = [(-BOUND, BOUND)] * len(names)
    used = {"nfev": 0, "nit": 0}
    methods, messages = [], []

    def counted(theta):
        used["nfev"] += 1
        return fun(theta)

    def lbfgsb(start):
        budget = EVALUATIONS - used["nfev"]
        res = optimize.minimize(
            counted, start, jac=True, method="L-BFGS-B", bounds=bounds,
            options={"ftol": tol * 1e-2, "gtol": tol, "maxiter": budget, "maxfun": budget},
        )
        used["nit"] += int(res.nit)
        methods.append("L-BFGS-B")
        messages.append(str(res.message))
        return np.asarray(res.x, dtype=np.float64), float(res.fun), np.asarray(res.jac, dtype=np.float64)

    theta, f, g = lbfgsb(np.asarray(x0, dtype=np.float64))
    rel = relative_gradient(theta, f, g)
    for _ in range(RESTARTS):
        if rel <= GRADIENT_TOLERANCE or used["nfev"] >= EVALUATIONS or not np.isfinite(f):
            break
        theta2, f2, g2 = lbfgsb(theta)
        if not f2 <= f:  # a restart never makes the fit worse
            break
        theta, f, g, rel = theta2, f2, g2, relative_gradient(theta2, f2, g2)
    if rel > GRADIENT_TOLERANCE and used["nfev"] < EVALUATIONS:
        start = theta if np.isfinite(f) else np.asarray(x0, dtype=np.float64)
        polish = optimize.minimize(
            lambda th: counted(th)[0], start, method="Nelder-Mead", bounds=bounds,
            options={"xatol": 1e-10, "fatol": 1e-12, "maxfev": max(EVALUATIONS - used["nfev"], 1)},
        )
        methods.append("Nelder-Mead")
        messages.append(str(polish.message))
        used["nit"] += int(polish.nit)
        if polish.fun <= f or not np.isfinite(f):
            theta = np.asarray(polish.x, dtype=np.float64)
            f, g = counted(theta)
            rel = relative_gradient(theta, f, g)
    at_bound = [n for n, v in zip(names, theta, strict=True) if abs(v) >= BOUND - 1e-6]
    info = {
        "success": bool(rel <= GRADIENT_TOLERANCE),
        "method": " + ".join(methods),
        "message": "; ".join(messages),
        "nit": used["nit"],
        "nfev": used["nfev"],
        "relative_gradient": rel,
        "at_bound": at_bound,
    }
    return theta, float(f), info
