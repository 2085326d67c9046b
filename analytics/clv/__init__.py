"""Customer-lifetime-value models: BG/NBD transactions and Gamma-Gamma spend.

Pure numpy/scipy code (no Django imports), so the package drops into an app unchanged.

Why written here rather than taken from a library: ``lifetimes`` has been archived since 2020
and pins old numpy/pandas; pymc-marketing pulls in all of PyMC for what are, in maximum-
likelihood form, a handful of short published formulas (Fader, Hardie & Lee 2005a, 2005b;
Hardie's notes on P(alive) and on the Gamma-Gamma model). scipy supplies ``gammaln``,
``betaln``, ``hyp2f1`` and the optimiser.

Modules:

``summary``      transactions -> per-customer (x, t_x, T, monetary value); holdout counts.
``bgnbd``        BG/NBD likelihood, fit, P(alive), conditional and unconditional expectations,
                 holdout comparison, simulation.
``gamma_gamma``  Gamma-Gamma spend model and a 12-month value helper.
"""
