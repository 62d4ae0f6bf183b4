"""Reference vectors for the verdict engine's metric statistics, computed by GrowthBook's gbstats.

Regenerate (PyPI is the only source needed):
    python3 -m venv /tmp/gb && /tmp/gb/bin/pip install gbstats==0.8.0 statsmodels==0.15.0
    /tmp/gb/bin/python scripts/reference/gbstats_vectors.py > test/fixtures/stats/gbstats-vectors.json

Each case carries the request in the project's wire format (src/domain/stats/types.ts) and the
figures gbstats computes for it; test/unit/stats/reference.test.ts checks the TypeScript engine
against them to 1e-6. Per-unit data are drawn from a seeded generator and reduced to the sums the
ingest keeps (n, Σy, Σy², ratio numerator/denominator sums and cross-products, CUPED pre-period
sums), so the fixtures are realistic and internally consistent.

gbstats 0.8.0 has no multiple-testing adjustment (GrowthBook applies it in its front end), so the
Holm and Benjamini-Hochberg vectors come from statsmodels' multipletests ('holm', 'fdr_bh').
"""
import importlib.metadata
import json
import sys

import numpy as np
from statsmodels.stats.multitest import multipletests

from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior
from gbstats.frequentist.tests import (
    FrequentistConfig,
    OneSidedTreatmentGreaterTTest,
    OneSidedTreatmentLesserTTest,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
    compute_theta,
)

rng = np.random.default_rng(20261207)


def num(x):
    x = float(x)
    if x == float("inf"):
        return "Infinity"
    if x == float("-inf"):
        return "-Infinity"
    return x


def arm_data(n, conv_rate, orders_mean, order_value, pre_share, pre_corr):
    """Per-unit data of one arm: converted (0/1), orders, revenue, pre-period revenue."""
    orders = rng.poisson(orders_mean, n) * (rng.random(n) < conv_rate)
    revenue = np.array([rng.lognormal(np.log(order_value), 0.6, k).sum() if k else 0.0 for k in orders])
    has_pre = rng.random(n) < pre_share
    # the pre-period value tracks the unit's propensity to buy (correlated with revenue)
    pre = np.where(has_pre, pre_corr * revenue + rng.lognormal(np.log(order_value), 0.8, n) * (rng.random(n) < 0.3), 0.0)
    converted = (orders > 0).astype(float)
    return {"n": n, "converted": converted, "orders": orders.astype(float), "revenue": revenue, "pre": pre, "has_pre": has_pre}


def sums(d, name, arm):
    conv, orders, rev, pre = d["converted"], d["orders"], d["revenue"], d["pre"]
    return {
        "arm": arm,
        "n": int(d["n"]),
        "conversions": int(conv.sum()),
        "sum": float(rev.sum()),
        "sum_squares": float((rev**2).sum()),
        "num_sum": float(rev.sum()),
        "num_sum_squares": float((rev**2).sum()),
        "den_sum": float(orders.sum()),
        "den_sum_squares": float((orders**2).sum()),
        "cross_sum": float((rev * orders).sum()),
        "pre_n": int(d["has_pre"].sum()),
        "pre_sum": float(pre.sum()),
        "pre_sum_squares": float((pre**2).sum()),
        # covariate × metric: revenue for mean metrics, converted for binomial ones
        "pre_cross_sum": float((pre * (rev if name != "binomial" else conv)).sum()),
    }


def arm_fields(kind, s):
    keys = {
        "binomial": ["arm", "n", "conversions"],
        "mean": ["arm", "n", "sum", "sum_squares"],
        "ratio": ["arm", "n", "num_sum", "num_sum_squares", "den_sum", "den_sum_squares", "cross_sum"],
    }[kind]
    return {k: s[k] for k in keys}


def statistic(kind, s):
    if kind == "binomial":
        return ProportionStatistic(n=s["n"], sum=s["conversions"])
    if kind == "mean":
        return SampleMeanStatistic(n=s["n"], sum=s["sum"], sum_squares=s["sum_squares"])
    return RatioStatistic(
        n=s["n"],
        m_statistic=SampleMeanStatistic(n=s["n"], sum=s["num_sum"], sum_squares=s["num_sum_squares"]),
        d_statistic=SampleMeanStatistic(n=s["n"], sum=s["den_sum"], sum_squares=s["den_sum_squares"]),
        m_d_sum_of_products=s["cross_sum"],
    )


def ra_statistic(kind, s):
    post = statistic(kind, s)
    pre = SampleMeanStatistic(n=s["n"], sum=s["pre_sum"], sum_squares=s["pre_sum_squares"])
    return RegressionAdjustedStatistic(n=s["n"], post_statistic=post, pre_statistic=pre, post_pre_sum_of_products=s["pre_cross_sum"], theta=0)


def run(engine, side, difference, a, b, alpha=0.05):
    if engine == "bayesian":
        cfg = EffectBayesianConfig(difference_type=difference, alpha=alpha, prior_effect=GaussianPrior(mean=0, variance=1, proper=False))
        r = EffectBayesianABTest(a, b, cfg).compute_result()
        out = {"expected": r.expected, "ci": r.ci, "uplift_stddev": r.uplift.stddev, "chance_to_win": r.chance_to_win, "risk": r.risk}
    else:
        if engine == "sequential":
            t = SequentialTwoSidedTTest(a, b, SequentialConfig(difference_type=difference, alpha=alpha))
        else:
            cls = {"two-sided": TwoSidedTTest, "greater": OneSidedTreatmentGreaterTTest, "lesser": OneSidedTreatmentLesserTTest}[side]
            t = cls(a, b, FrequentistConfig(difference_type=difference, alpha=alpha))
        r = t.compute_result()
        ci = list(r.ci)
        if side == "lesser":
            # gbstats 0.8's lesser interval is [-inf, Δ − w]; the project's is (−∞, Δ + w] (the bound of a
            # one-sided test in the lesser direction), so only the p-value and the estimate are compared there
            ci = None
        out = {"expected": r.expected, "ci": ci, "uplift_stddev": r.uplift.stddev, "p_value": r.p_value}
    if r.error_message:
        out["error"] = r.error_message
    return {k: ([num(x) for x in v] if isinstance(v, list) else num(v)) for k, v in out.items() if v is not None}


cases = []
fixtures = {
    "shop-small": (arm_data(800, 0.06, 1.3, 5200, 0.35, 0.5), arm_data(820, 0.07, 1.2, 4700, 0.35, 0.5)),
    "shop-large": (arm_data(12000, 0.031, 1.5, 3800, 0.25, 0.8), arm_data(11800, 0.034, 1.4, 3600, 0.25, 0.8)),
    "returning": (arm_data(5000, 0.12, 1.2, 6100, 0.9, 1.2), arm_data(5050, 0.125, 1.25, 6300, 0.9, 1.2)),
}
for fid, (da, db) in fixtures.items():
    for kind in ["mean", "ratio"]:
        sa, sb = sums(da, kind, "control"), sums(db, kind, "B")
        for engine, side, difference in [
            ("frequentist", "two-sided", "relative"),
            ("frequentist", "two-sided", "absolute"),
            ("frequentist", "greater", "relative"),
            ("frequentist", "lesser", "relative"),
            ("sequential", "two-sided", "relative"),
            ("bayesian", "two-sided", "relative"),
            ("bayesian", "two-sided", "absolute"),
        ]:
            req = {
                "engine": engine,
                "side": side,
                "difference": difference,
                "correction": "none",
                "metrics": [{"id": kind, "kind": kind, "role": "primary", "arms": [arm_fields(kind, sa), arm_fields(kind, sb)]}],
            }
            exp = run(engine, side, difference, statistic(kind, sa), statistic(kind, sb))
            cases.append({"id": f"{kind}-{fid}-{engine}-{side}-{difference}", "op": "test-verdict", "request": req, "expected": exp})
    for kind in ["mean", "binomial"]:
        sa, sb = sums(da, kind, "control"), sums(db, kind, "B")
        ra_a, ra_b = ra_statistic(kind, sa), ra_statistic(kind, sb)
        theta = compute_theta(ra_a, ra_b)
        cov = ["pre_n", "pre_sum", "pre_sum_squares", "pre_cross_sum"]
        arms = [{**arm_fields(kind, sa), **{k: sa[k] for k in cov}}, {**arm_fields(kind, sb), **{k: sb[k] for k in cov}}]
        for engine, difference in [("frequentist", "relative"), ("frequentist", "absolute"), ("sequential", "relative"), ("bayesian", "relative")]:
            # fresh statistics: gbstats' tests set θ on the objects they are given
            exp = run(engine, "two-sided", difference, ra_statistic(kind, sa), ra_statistic(kind, sb))
            unadj = run(engine, "two-sided", difference, statistic(kind, sa), statistic(kind, sb))
            cases.append({
                "id": f"cuped-{kind}-{fid}-{engine}-{difference}",
                "op": "cuped",
                "request": {"engine": engine, "difference": difference, "kind": kind, "min_share": 0, "arms": arms},
                "expected": {"theta": num(theta), "variant": exp, "unadjusted": unadj},
            })

p_sets = [
    [0.03, 0.2, 0.5],
    [0.001, 0.012, 0.013, 0.04, 0.2, 0.9],
    [0.049, 0.049, 0.051],
    list(rng.uniform(0, 0.1, 12)),
    list(rng.beta(0.5, 3, 30)),
    [1.0, 0.0, 0.5, 0.5],
]
for i, ps in enumerate(p_sets):
    ps = [float(p) for p in ps]
    for method, sm in [("holm", "holm"), ("benjamini-hochberg", "fdr_bh")]:
        adj = multipletests(ps, method=sm)[1]
        cases.append({"id": f"adjust-{method}-{i}", "op": "adjust", "request": {"p_values": ps, "method": method}, "expected": {"adjusted": [num(x) for x in adj]}})

json.dump(
    {
        "generator": "scripts/reference/gbstats_vectors.py",
        "reference": {"gbstats": importlib.metadata.version("gbstats"), "statsmodels": importlib.metadata.version("statsmodels"), "numpy": np.__version__},
        "cases": cases,
    },
    sys.stdout,
    indent=1,
)
sys.stdout.write("\n")
