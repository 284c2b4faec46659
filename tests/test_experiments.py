"""Section 5 experiments: backprop against finite differences, the protocol's choices, bad input,
divergence, batching, and the Table 2 outputs."""
import json
import math

import numpy as np
import pytest

from harmonic.experiments import (PAPER_TABLE2, Adam, Architecture, DivergenceError, GD, Protocol,
                                  Table2Config, Table2Result, gradient_check, make_data, make_figures,
                                  run_seeds, run_table2, write_table2_tex)
from harmonic.experiments.network import forward, init_net, loss_and_grad, matmul_flops
from harmonic.experiments.train import train


@pytest.mark.parametrize("depth,bias,loss,scale", [
    (2, False, "sum", 0.5), (3, True, "sum", 0.5), (5, False, "mean", 1.0), (4, True, "mean", 0.5),
], ids=["D2", "D3-bias", "D5-mean-tanh", "D4-bias-mean"])
def test_backprop_matches_finite_differences(depth, bias, loss, scale):
    # reference: central differences of the float64 loss (independent of the backward pass)
    gc = gradient_check(Architecture(depth, 4, 3, bias=bias, scale=scale), loss=loss)
    assert gc.checked >= 16          # every parameter of the smallest case, 20 of the others
    assert gc.fd_rel_error < 1e-6
    assert gc.float32_rel_error < 1e-4


def test_sigmoid_from_minus_one_to_one():
    # tanh(z/2) = 2 / (1 + e^{-z}) - 1 (the identity behind scale = 1/2)
    arch = Architecture(2, 1, 1)
    net = init_net(arch, [np.random.default_rng(0)])
    net.W = [np.ones((1, 1, 1)), np.ones((1, 1, 1))]
    z = np.linspace(-6, 6, 13).reshape(1, -1, 1)
    a1 = forward(net, z, arch.scale)[1]
    assert np.allclose(a1, 2 / (1 + np.exp(-z)) - 1, atol=1e-15)


def test_depth_counts_weight_layers():
    # Table 2's depth 2 is one hidden layer (the paper's depth-2 networks with k hidden units)
    assert Architecture(2, 7, 3).sizes == (3, 7, 1)
    assert Architecture(5, 7, 3).sizes == (3, 7, 7, 7, 7, 1)
    assert Architecture(2, 7, 3).n_params == 3 * 7 + 7
    assert Architecture(2, 7, 3, bias=True).n_params == 3 * 7 + 7 + 7 + 1


def test_matmul_flops_depth_2():
    # forward 2NdW + 2NW; backward 2NdW (weights of layer 1) + 4NW (layer 2 weights and signal)
    N, d, W = 100, 3, 5
    assert matmul_flops(Architecture(2, W, d), N) == 4 * N * d * W + 6 * N * W


def test_teacher_weights_are_standard_gaussian():
    teacher, *_ = make_data(2, 400, [0], Protocol(d=50, n_train=1, n_test=1))
    w = teacher.W[0].ravel()
    assert w.size == 20000
    assert abs(w.mean()) < 0.03 and abs(w.std() - 1) < 0.02   # 20000 N(0,1) draws: 4 sigma bounds


@pytest.mark.parametrize("kwargs", [
    dict(depth=1, width=5, d=3), dict(depth=2, width=0, d=3), dict(depth=2, width=5, d=0),
    dict(depth=2.5, width=5, d=3), dict(depth=2, width=5, d=3, scale=float("nan")),
], ids=["depth1", "width0", "d0", "depth-float", "scale-nan"])
def test_bad_architecture(kwargs):
    with pytest.raises(ValueError, match="Section 5 network|scale"):
        Architecture(**kwargs)


@pytest.mark.parametrize("kwargs", [dict(d=0), dict(n_train=0), dict(n_test=0), dict(init="zeros"),
                                    dict(loss="max"), dict(dtype="float16")],
                         ids=["d0", "ntrain0", "ntest0", "init", "loss", "dtype"])
def test_bad_protocol(kwargs):
    with pytest.raises(ValueError):
        Protocol(**kwargs)


def test_bad_depth_in_sweep():
    with pytest.raises(ValueError, match="depth >= 2"):
        run_table2(quick=True, executor="serial", progress=False, depths=(1,), widths=(5,), seeds=(0,))


@pytest.mark.parametrize("opt", [dict(lr=-1.0), dict(lr=float("nan")), dict(steps=-1)], ids=["neg", "nan", "steps"])
def test_bad_optimiser(opt):
    with pytest.raises(ValueError):
        GD(**opt)


def test_non_finite_loss_raises_a_value_error():
    p = Protocol(d=3, n_train=16, n_test=16)
    arch = p.architecture(2, 3)
    _, net, X, Y, _, _ = make_data(2, 3, [0], p)
    Y[0, 5, 0] = np.nan
    with pytest.raises(ValueError, match="non-finite loss .* at step 0"):
        train(net, X, Y, arch, GD(steps=3), loss=p.loss)
    with pytest.raises(DivergenceError):
        train(net, X, Y, arch, Adam(steps=3), loss=p.loss)


def test_diverged_network_stops_and_says_so():
    p = Protocol(d=3, n_train=16, n_test=16)
    arch = p.architecture(2, 3)
    _, net, X, Y, _, _ = make_data(2, 3, [0, 1], p)
    Y[1, 0, 0] = np.inf
    before = net.copy()
    div, _ = train(net, X, Y, arch, Adam(steps=5), loss=p.loss, on_divergence="stop")
    assert div == [None, 0]
    assert np.array_equal(net.W[0][1], before.W[0][1])        # frozen at its last finite value
    assert not np.array_equal(net.W[0][0], before.W[0][0])    # its batch-mate trained


def test_batched_seeds_match_single_runs():
    p = Protocol(d=4, n_train=128, n_test=128)
    both = run_seeds(3, 6, [3, 4], p, Adam(steps=30))
    one = run_seeds(3, 6, [4], p, Adam(steps=30))[0]
    assert both[1].test_mse == pytest.approx(one.test_mse, rel=1e-5)
    again = run_seeds(3, 6, [3, 4], p, Adam(steps=30))
    assert [r.test_mse for r in again] == [r.test_mse for r in both]   # seeded: reproducible


def test_sum_loss_step_is_mean_loss_step_times_n():
    # GD on sum with step a is GD on mean with step a N (same iterates up to float64 rounding)
    ps = Protocol(d=3, n_train=50, n_test=50, loss="sum", dtype="float64")
    pm = Protocol(d=3, n_train=50, n_test=50, loss="mean", dtype="float64")
    a = run_seeds(2, 4, [0], ps, GD(lr=1e-3, steps=20))[0]
    b = run_seeds(2, 4, [0], pm, GD(lr=1e-3 * 50, steps=20))[0]
    assert a.test_mse == pytest.approx(b.test_mse, rel=1e-10)


def test_float32_tracks_float64():
    p32, p64 = Protocol(d=3, n_train=200, n_test=200), Protocol(d=3, n_train=200, n_test=200, dtype="float64")
    a = run_seeds(2, 5, [0], p32, Adam(steps=100))[0]
    b = run_seeds(2, 5, [0], p64, Adam(steps=100))[0]
    assert a.test_mse == pytest.approx(b.test_mse, rel=1e-2)


def test_training_learns_a_small_teacher():
    p = Protocol(d=5, n_train=500, n_test=500)
    r = run_seeds(2, 5, [0], p, Adam(steps=300))[0]
    assert r.initial_mse > 0.1 and r.test_mse < r.initial_mse / 10


def test_adam_schedule():
    opt = Adam(lr=0.1, steps=1000, warmup=10, final=0.01)
    assert opt.rate(0) == pytest.approx(0.01)
    assert opt.rate(10) == pytest.approx(0.1)
    assert opt.rate(999) == pytest.approx(0.001, rel=1e-3)


@pytest.fixture(scope="module")
def small_table():
    cfg = Table2Config(depths=(2, 3), widths=(5, 10), seeds=(0, 1), protocol=Protocol(d=4, n_train=200, n_test=200),
                       gd=GD(lr=1e-3, steps=50), adam=Adam(steps=50))
    return run_table2(config=cfg, executor="serial", progress=False)


def test_table2_result_shape(small_table):
    assert len(small_table.runs) == 2 * 2 * 2 * 2
    assert small_table.optimizers == ("gd", "adam")
    c = small_table.cell("adam", 3, 10)
    assert c["n"] == 2 and c["test_std"] >= 0
    with pytest.raises(ValueError):
        small_table.cell("adam", 9, 10)


def test_table2_json_round_trip(small_table, tmp_path):
    small_table.write_json(tmp_path / "t.json")
    back = Table2Result.read_json(tmp_path / "t.json")
    assert back.config == small_table.config
    assert [r.test_mse for r in back.runs] == [r.test_mse for r in small_table.runs]
    assert json.loads((tmp_path / "t.json").read_text())["paper"]["17"][3] == 0.5777


def test_table2_tex(small_table, tmp_path):
    tex = write_table2_tex(small_table, tmp_path / "t.tex").read_text()
    for s in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}{l>{\raggedright\arraybackslash}p{0.2\linewidth}rr}", "0.0264", "$\\pm$"):
        assert s in tex
    assert tex.count(r" \\") == 1 + 2 * (1 + 4)       # header + per depth: paper + 2 opts x (test, train)


def test_figures(small_table, tmp_path):
    pytest.importorskip("matplotlib")
    files = make_figures(small_table, tmp_path)
    assert sorted(f.name for f in files) == ["figure1.pdf", "figure1.png", "figure2.pdf", "figure2.png"]
    assert (tmp_path / "figure1.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "figure2.pdf").read_bytes()[:4] == b"%PDF"


def test_paper_table():
    assert PAPER_TABLE2[2] == (0.0015, 0.0017, 0.0018, 0.0019)     # Table 2, row "Depth 2"
    assert all(math.isfinite(v) for row in PAPER_TABLE2.values() for v in row)


def _cells(table: dict, spread: float = 0.0) -> dict:
    """Three seeds per cell around ``table`` (depth -> errors at widths 5, 10, 20, 40)."""
    return {D: {W: [v * (1 - spread), v, v * (1 + spread)] for W, v in zip((5, 10, 20, 40), row)}
            for D, row in table.items()}


def test_the_papers_own_numbers_are_reproduced_by_the_decision():
    from verification.section_5 import decide

    ev = decide(_cells(PAPER_TABLE2, 0.02))
    assert ev.passed and not ev.inconclusive, ev.details
    assert ev.margin == pytest.approx(0.0019 * 1.02 / 0.002)          # Table 2: depth 2, width 40, top seed


@pytest.mark.parametrize("change,spread,verdict,where", [
    ({2: (0.0015, 0.0017, 0.0018, 0.0021)}, 0.02, "not reproduced", "depth 2, width 40"),   # every seed above
    ({2: (0.0015, 0.0017, 0.0018, 0.0019)}, 0.2, "inconclusive", "depth 2, width 40"),     # 0.002 inside the spread
    ({5: (0.4397, 0.2400, 0.0579, 0.0036)}, 0.02, "not reproduced", "depth 5"),            # the row reversed
    ({3: (0.0033, 0.0040, 0.0050, 0.0034)}, 0.2, "inconclusive", "depth 3"),               # growth inside the spread
], ids=["depth2-above", "depth2-straddles", "depth5-reversed", "depth3-flat"])
def test_perturbed_patterns_are_not_reproduced_or_inconclusive(change, spread, verdict, where):
    from verification.section_5 import decide

    ev = decide(_cells({**PAPER_TABLE2, **change}, spread))
    got = "inconclusive" if ev.inconclusive else "reproduced" if ev.passed else "not reproduced"
    assert got == verdict
    reasons = ev.details["not reproduced"] + ev.details["inside the seed spread"]
    assert any(p.startswith(where) for p in reasons)
