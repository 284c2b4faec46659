"""The batched trainer, the resumable paper-protocol sweep, its data file and the replay.

References: the per-network trainer of :mod:`harmonic.experiments.train` (an independent
implementation of the same forward/backward pass and update), and runs of the sweep itself
that were never interrupted.
"""
from __future__ import annotations

import copy
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from harmonic.experiments.kernel import BatchGD
from harmonic.experiments.network import loss_and_grad
from harmonic.experiments.paper import (PaperSweep, StaleDataError, _atomic_write_bytes, read_data,
                                        replay, run_paper_sweep, write_data)
from harmonic.experiments.train import GD, Protocol, make_data, train


def _pair(dtype: str, bias: bool, depth=3, width=6, seeds=(0, 1), n=400):
    p = Protocol(n_train=n, n_test=n, dtype=dtype, bias=bias)
    arch = p.architecture(depth, width)
    _, net, X, Y, _, _ = make_data(depth, width, list(seeds), p)
    return arch, net, X, Y


def _both_trainers(dtype: str, bias: bool, steps: int = 1000):
    """``steps`` GD steps by the batched kernel and by the per-network trainer from one start:
    (the kernel's parameters, the trainer's, the trainer's loss, the kernel's loss), after the steps."""
    arch, net, X, Y = _pair(dtype, bias)
    gd = BatchGD(arch, net, X, Y, lr=1e-4, dtype=np.dtype(dtype))
    for _ in range(steps):
        gd.step()
    params = gd.net()
    train(net, X, Y, arch, GD(lr=1e-4, steps=steps))
    return params, net, loss_and_grad(net, X, Y, arch.scale)[0], gd.step()


@pytest.mark.parametrize("bias", [False, True])
def test_float64_batched_equals_the_per_network_trainer(bias):
    params, net, ref, got = _both_trainers("float64", bias)
    np.testing.assert_allclose(got, ref, rtol=1e-10)           # the loss after 1000 steps
    start = _pair("float64", bias)[1]
    for w, v, w0 in zip(params.params, net.params, start.params):
        np.testing.assert_allclose(w, v, rtol=1e-10, atol=1e-12)   # every parameter after 1000 steps
        assert np.abs(v - w0).max() > 1e-3                     # which moved: the comparison can fail


@pytest.mark.parametrize("bias", [False, True])
def test_float32_batched_follows_the_per_network_trainer_within_rounding(bias):
    _, _, ref, got = _both_trainers("float32", bias)
    # float32 passes with float64 parameters against float32 throughout: rounding only
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    arch, start, X, Y = _pair("float32", bias)
    assert not np.allclose(got, loss_and_grad(start, X, Y, arch.scale)[0], rtol=1e-3)   # it did train


def test_a_network_does_not_depend_on_its_batch_mates():
    arch, net, X, Y = _pair("float32", False, seeds=(0, 1, 2))
    alone = make_data(3, 6, [1], Protocol(n_train=400, n_test=400))
    with threadpool_limits(1):
        batch = BatchGD(arch, net, X, Y, lr=1e-4)
        single = BatchGD(arch, alone[1], alone[2], alone[3], lr=1e-4)
        for _ in range(200):
            a, b = batch.step(), single.step()
            assert a[1] == b[0]                           # bit for bit
    assert np.array_equal(batch.W[0][1], single.W[0][0])


def test_divergence_freezes_one_network_and_reports_it():
    arch, net, X, Y = _pair("float32", False)
    X = X.copy()
    X[1, 7, 2] = np.inf                                   # network 1's loss is not finite
    gd = BatchGD(arch, net, X, Y, lr=1e-3)
    for _ in range(5):
        L = gd.step()
    assert gd.diverged_at == [None, 0]
    assert np.isnan(L[1]) and np.isfinite(L[0])
    assert all(np.isfinite(w[1]).all() for w in gd.W)    # frozen, not poisoned


@pytest.mark.parametrize("kw,match", [
    ({"lr": 0.0}, "alpha > 0"), ({"lr": float("nan")}, "alpha > 0"), ({"loss": "max"}, "loss must be"),
    ({"dtype": np.int32}, "dtype"),
])
def test_bad_kernel_input(kw, match):
    arch, net, X, Y = _pair("float32", False)
    args = {"lr": 1e-3, **kw}
    with pytest.raises(ValueError, match=match):
        BatchGD(arch, net, X, Y, **args)


def test_bad_sweep_input():
    with pytest.raises(ValueError, match="steps T >= 1"):
        PaperSweep(steps=0)
    with pytest.raises(ValueError, match="alpha > 0"):
        PaperSweep(lr=-1)
    with pytest.raises(ValueError, match="depth"):
        PaperSweep(depths=(1,))


SMALL = PaperSweep(depths=(2,), widths=(4, 3), seeds=(0, 1), steps=2400, checkpoint_every=300,
                   protocol=Protocol(n_train=200, n_test=200))


def test_sweep_data_replay_and_tampering(tmp_path):
    data = run_paper_sweep(tmp_path / "sweep", SMALL, executor="serial", progress=False)
    assert data["complete"] and len(data["runs"]) == 4
    assert read_data(tmp_path / "sweep" / "table2-paper-protocol.json") == json.loads(json.dumps(data))
    run = data["runs"][0]
    assert [c[0] for c in run["curve"]][:4] == [0, 1, 10, 100]
    assert set(run["snapshots"]) == {"1200"}
    rp = replay(data, sample=4)
    assert rp.ok and not rp.mismatches
    # from the initialisation and from the snapshot, for 4 runs, and the final errors of all 4
    assert sum("from" in c for c in rp.checked) == 8 and sum("final" in c for c in rp.checked) == 4
    assert all(c["recorded"] == c["replayed"] for c in rp.checked if "from" in c)      # one machine: bit for bit

    bad = copy.deepcopy(data)
    bad["runs"][2]["test_mse"] *= 1.001                   # any final error of any run
    assert not replay(bad, sample=0).ok
    # --quick: the final errors of one seeded-random run per cell, the same runs each time
    few = replay(data, sample=0, finals=1)
    cells = {(r["depth"], r["width"]) for r in data["runs"]}
    assert few.ok and len(few.checked) == len(cells) < len(data["runs"])
    assert {tuple(c["run"][:2]) for c in few.checked} == cells
    assert few.checked == replay(data, sample=0, finals=1).checked             # seeded: the same runs
    D, W, s = few.checked[0]["run"]
    bad = copy.deepcopy(data)
    next(r for r in bad["runs"] if (r["depth"], r["width"], r["seed"]) == (D, W, s))["train_mse"] *= 1.001
    assert not replay(bad, sample=0, finals=1).ok
    bad = copy.deepcopy(data)
    bad["runs"][1]["curve"][4][1] *= 1.001                # the step-1000 point
    assert not replay(bad, sample=4).ok
    bad = copy.deepcopy(data)
    bad["code_hash"] = "0" * 16
    with pytest.raises(StaleDataError, match="regenerate"):
        replay(bad)


def test_resume_refuses_another_protocol(tmp_path):
    run_paper_sweep(tmp_path, PaperSweep(depths=(2,), widths=(3,), seeds=(0,), steps=20, checkpoint_every=10,
                                         protocol=Protocol(n_train=50, n_test=50)), executor="serial", progress=False)
    with pytest.raises(ValueError, match="another protocol"):
        run_paper_sweep(tmp_path, PaperSweep(depths=(2,), widths=(3,), seeds=(0,), steps=40, checkpoint_every=10,
                                             protocol=Protocol(n_train=50, n_test=50)), executor="serial", progress=False)


def test_atomic_write_leaves_the_old_file_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "c.json"
    _atomic_write_bytes(path, b"old\n")

    def boom(*a):
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(KeyboardInterrupt):
        _atomic_write_bytes(path, b"new, half-written\n")
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]          # no temporary file left


@pytest.mark.slow
def test_a_killed_sweep_resumes_without_recomputing_finished_networks(tmp_path, monkeypatch):
    sweep = PaperSweep(depths=(2,), widths=(5, 3), seeds=(0,), steps=60_000, checkpoint_every=500,
                       protocol=Protocol(n_train=300, n_test=100))
    folder = tmp_path / "killed"
    spec = tmp_path / "sweep-spec.json"
    spec.write_text(json.dumps(sweep.to_dict()))
    code = ("import json, sys; from harmonic.experiments.paper import PaperSweep, run_paper_sweep; "
            "run_paper_sweep(sys.argv[1], PaperSweep.from_dict(json.load(open(sys.argv[2]))), "
            "executor='serial', progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(folder), str(spec)])
    first, second = folder / "depth2-width5.json", folder / "depth2-width3.json"
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            try:
                if json.loads(first.read_text())["final"] and json.loads(second.read_text())["t"] > 0:
                    break
            except (OSError, ValueError, KeyError):
                pass
            assert proc.poll() is None, "the sweep finished before it could be killed; make it longer"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    done = json.loads(second.read_text())["t"]
    assert 0 < done < sweep.steps
    steps = []
    orig = BatchGD.step

    def counting(self):
        steps.append((self.arch.width, self.t))
        return orig(self)

    monkeypatch.setattr(BatchGD, "step", counting)
    resumed = run_paper_sweep(folder, sweep, executor="serial", progress=False)
    assert {w for w, _ in steps} == {3}                    # the finished cell was not recomputed
    assert steps[0][1] == done and len(steps) == sweep.steps - done
    monkeypatch.setattr(BatchGD, "step", orig)
    fresh = run_paper_sweep(tmp_path / "fresh", sweep, executor="serial", progress=False)
    assert resumed["runs"] == fresh["runs"]                # bit for bit as if never killed


def test_write_data_of_an_unfinished_sweep(tmp_path):
    folder = tmp_path / "part"
    folder.mkdir()
    (folder / "sweep.json").write_text(json.dumps(SMALL.to_dict()))
    data = write_data(folder)
    assert not data["complete"] and all(r["steps_done"] == 0 for r in data["runs"])


def test_paper_protocol_table_and_figures(tmp_path):
    import shutil as sh

    from harmonic.experiments.table2 import make_paper_figures, paper_protocol_cells, write_paper_table2_tex
    from harmonic.report import latex

    data = run_paper_sweep(tmp_path / "s", SMALL, executor="serial", progress=False)
    cells = paper_protocol_cells(data)
    assert set(cells) == {(2, 4), (2, 3)} and all(c["final"] and len(c["test"]) == 2 for c in cells.values())
    tex = write_paper_table2_tex(data, tmp_path / "table2-paper-protocol.tex").read_text()
    assert "2 & paper (test) & -- & --" in tex and r"\dagger$ depth" not in tex   # widths 4, 3 are not in Table 2
    lo, hi = sorted(cells[(2, 4)]["test"])
    assert f"[{lo:.4f}, {hi:.4f}]" in tex                              # per-seed spread
    part = write_data(tmp_path / "s")
    part["runs"][0]["complete"] = False
    assert r"\dagger$ depth 2 width" in write_paper_table2_tex(part, tmp_path / "p.tex").read_text()
    files = make_paper_figures(data, tmp_path / "fig", formats=("png",))
    assert [f.name for f in files] == ["figure1-paper-protocol.png", "figure2-paper-protocol.png",
                                       "learning-curves-paper-protocol.png"]
    assert all(f.read_bytes()[:4] == b"\x89PNG" for f in files)
    pdflatex = sh.which("pdflatex")
    if pdflatex is None:
        import os
        if os.environ.get("CI") == "true":
            pytest.fail("pdflatex is required in CI")
        pytest.skip("pdflatex not installed")
    (tmp_path / "doc.tex").write_text(latex.document(["table2-paper-protocol"]), encoding="utf-8")
    proc = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_the_table2_claim_rejects_an_altered_stored_file(monkeypatch, tmp_path):
    """The claim decides from the stored file after a replay; altering a recorded number fails it."""
    import verification.section_5 as s5
    from verification.registry import Context

    data = run_paper_sweep(tmp_path / "s", SMALL, executor="serial", progress=False)
    path = tmp_path / "stored.json"
    path.write_text(json.dumps(data))
    monkeypatch.setattr(s5, "PAPER_DATA", path)
    ev = s5.table_2(Context(quick=True))
    assert ev.details["replay"]["ok"] and not ev.details["replay"]["mismatches"]
    assert s5.decide(s5.paper_cells(data)[0]).details["spread"]          # decided on the stored errors
    bad = copy.deepcopy(data)
    bad["runs"][3]["test_mse"] *= 0.999
    path.write_text(json.dumps(bad))
    ev = s5.table_2(Context(quick=True))
    assert not ev.passed and not ev.inconclusive and ev.details["replay"]["mismatches"]
    path.write_text(json.dumps(data))
    for quick in (True, False):                                          # 100 and 1000 steps replayed
        control = s5.judge(s5._tampered(Context(quick=quick)), Context(quick=quick))
        assert not control.passed and not control.inconclusive         # the control is rejected by the replay
