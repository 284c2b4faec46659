"""harmonic.fast.recovery: teachers, Lemma E.4's initialisation, matching, recovery runs and
sweeps (the same seeds give the same runs on every executor)."""
import math

import numpy as np
import pytest

from harmonic.fast.potentials import gaussian, phi_eps, sign_dual
from harmonic.fast.recovery import (RecoveryConfig, Teacher, charge_field, greedy_init, match,
                                    random_teacher, recover, recovery_sweep, summarize,
                                    wilson_interval)


def test_teacher_distribution_and_seed():
    t = random_teacher(7, 2000, seed=3)
    # w ~ N(0, d log d I): the sample variance of the coordinates is d log d (+- 3 %)
    assert t.w.var() == pytest.approx(7 * math.log(7), rel=0.03)
    assert abs(t.b).max() <= 1 and t.b.mean() == pytest.approx(0, abs=0.05)
    again = random_teacher(7, 2000, seed=3)
    assert np.array_equal(t.w, again.w) and np.array_equal(t.b, again.b)


def test_teacher_conditioning_and_sphere():
    t = random_teacher(3, 4, b_min=0.3, min_separation=2.0, seed=0)
    sep = np.linalg.norm(t.w[:, None] - t.w[None], axis=2)[np.triu_indices(4, 1)]
    assert sep.min() >= 2.0 and abs(t.b).min() >= 0.3
    s = random_teacher(3, 4, sphere=True, seed=0)
    assert np.allclose(np.linalg.norm(s.w, axis=1), 1)


@pytest.mark.parametrize("kwargs,match_text", [
    (dict(d=0, k=2), "d to be an integer >= 1"),
    (dict(d=3, k=0), "k to be an integer >= 1"),
    (dict(d=3, k=2, c=-1.0), "c > 0"),
    (dict(d=3, k=2, b_min=1.5), "b_min < 1"),
    (dict(d=3, k=30, min_separation=50.0), "no draw in 10 000"),
])
def test_teacher_bad_input(kwargs, match_text):
    with pytest.raises(ValueError, match=match_text):
        random_teacher(seed=0, **kwargs)


def test_charge_field_against_direct_sum():
    rng = np.random.default_rng(1)
    src, q, pts = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(6, 3))
    direct = [sum(qm * math.exp(-np.sum((p - s) ** 2) / 2) for s, qm in zip(src, q)) for p in pts]
    assert np.allclose(charge_field(gaussian(1), src, q, pts), direct, rtol=1e-13)
    u = rng.normal(size=(4, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v = u[::-1].copy()
    direct = [sum(qm * (1 - 2 * math.acos(np.clip(p @ s, -1, 1)) / math.pi) for s, qm in zip(u, q))
              for p in v]
    assert np.allclose(charge_field(sign_dual(), u, q, v), direct, rtol=1e-12)


def test_greedy_init_picks_the_largest_decrease():
    """Lemma E.4: the chosen candidate maximises |S(theta)|; its charge is -S/Phi(0)."""
    t = random_teacher(3, 3, seed=2)
    pot = phi_eps(3, 0.5)
    a, th = greedy_init(pot, t, 1, candidates=500, rng=5)
    s = charge_field(pot, t.w, t.b, th)[0]
    assert a[0] == pytest.approx(-s)
    # no candidate of the same draw does better
    rng = np.random.default_rng(5)
    x = rng.normal(size=(500, 3))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    radius = np.linalg.norm(t.w, axis=1).max() + 1
    x *= radius * rng.uniform(size=(500, 1)) ** (1 / 3)
    assert abs(s) == pytest.approx(np.abs(charge_field(pot, t.w, t.b, x)).max())


def test_match_recovers_a_permutation():
    t = random_teacher(3, 4, seed=0)
    perm = np.array([2, 0, 3, 1])
    m = match(-t.b[perm], t.w[perm] + 1e-3, t)
    assert np.array_equal(m.perm, perm)
    assert np.allclose(m.distance, 1e-3 * math.sqrt(3)) and np.allclose(m.charge_error, 0)
    # odd potentials on the sphere: (a, theta) ~ (-a, -theta)
    s = random_teacher(3, 2, sphere=True, seed=1)
    m = match(s.b.copy(), -s.w, s, odd=True)
    assert np.allclose(m.distance, 0) and np.allclose(m.charge_error, 0)


@pytest.mark.parametrize("successes,n,lo,hi", [
    # Wilson (1927) score interval, z = 1.96; values from the closed form
    # (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n) evaluated by hand:
    (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0), (5, 10, 0.2366, 0.7634), (81, 100, 0.7222, 0.8749),
])
def test_wilson_interval(successes, n, lo, hi):
    got = wilson_interval(successes, n)
    assert got == pytest.approx((lo, hi), abs=1e-4)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_recover_secondgd_and_nodewise_on_an_easy_instance():
    t = random_teacher(3, 2, b_min=0.3, min_separation=2.0, seed=4)
    pot = phi_eps(3, 0.5)
    one = recover(pot, t, "secondgd", seed=4)
    assert one.success and one.nearest < 1e-2 and one.reason == "insufficient_decrease"
    allk = recover(pot, t, "nodewise", refit_charge=True, seed=4)
    assert allk.success and allk.recovered == 2 and max(allk.charge_error) < 5e-2
    # the control: one iteration does not get there
    assert not recover(pot, t, "nodewise", refit_charge=True, T=1, seed=4).success


def test_recover_bad_input():
    t = random_teacher(3, 2, seed=0)
    with pytest.raises(ValueError, match="algorithm must be one of"):
        recover(gaussian(1), t, "adam")
    with pytest.raises(ValueError, match="alpha > 0"):
        recover(gaussian(1), t, alpha=0.0)


def test_summarize_rejects_mixed_configurations():
    t = random_teacher(3, 2, seed=0)
    runs = [recover(gaussian(1), t, "secondgd", T=5, seed=0),
            recover(gaussian(1), random_teacher(3, 3, seed=0), "secondgd", T=5, seed=0)]
    with pytest.raises(ValueError, match="one configuration"):
        summarize(runs)


CONFIGS = [RecoveryConfig("phi_eps", 3, 2, "secondgd", eps=0.5, T=200),
           RecoveryConfig("gaussian", 3, 2, "nodewise", refit_charge=True, T=200)]


def _key(results):
    return [(c.label(), [(r.success, r.recovered, round(r.nearest, 12), r.iterations) for r in runs])
            for c, _, runs in results]


@pytest.mark.slow
def test_sweep_gives_the_same_runs_on_every_executor():
    serial = _key(recovery_sweep(CONFIGS, range(2), executor="serial", progress=False))
    local = _key(recovery_sweep(CONFIGS, range(2), executor="local", progress=False))
    assert serial == local
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dask = _key(recovery_sweep(CONFIGS, range(2), executor=client.get_executor(), progress=False))
    assert serial == dask


def test_the_run_does_not_reuse_the_teachers_random_stream():
    """Regression: with one seed for both, the first candidates of Lemma E.4's search were the
    teacher's own directions (on the sphere: exactly w_j, where the gradient does not exist)."""
    t = random_teacher(3, 3, sphere=True, seed=1)
    run = recover(sign_dual(), t, "nodewise", refit_charge=True, T=50, seed=1)
    assert run.reason in ("done", "diverged")
    assert run.nearest > 0
