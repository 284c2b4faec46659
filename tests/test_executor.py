"""The sweep executor: task order, errors, local processes and Dask give the same results."""
import concurrent.futures as cf
import operator

import pytest

from harmonic.executor import SerialExecutor, make_executor, run_tasks, single_threaded_blas


def _boom(x):
    if x == 2:
        raise ZeroDivisionError("task 2 fails")
    return x


def _tiny_sweep(executor):
    """Two Table 2 cells, two seeds, a few Adam steps: the results as comparable tuples."""
    from harmonic.experiments import Adam, GD, Protocol, Table2Config, run_table2

    cfg = Table2Config(depths=(2, 3), widths=(3,), seeds=(0, 1), protocol=Protocol(d=3, n_train=64, n_test=64),
                       gd=GD(lr=1e-3, steps=5), adam=Adam(steps=5))
    res = run_table2(config=cfg, executor=executor, progress=False)
    return [(r.depth, r.width, r.seed, r.optimizer, r.train_mse, r.test_mse) for r in res.runs]


def test_serial_keeps_task_order():
    assert run_tasks(operator.mul, [(2, 3), (4, 5), (0, 1)], executor="serial", progress=False) == [6, 20, 0]


def test_empty_sweep():
    assert run_tasks(operator.mul, [], executor="serial", progress=False) == []


def test_first_error_is_raised():
    with pytest.raises(ZeroDivisionError, match="task 2 fails"):
        run_tasks(_boom, [(1,), (2,), (3,)], executor="serial", progress=False)


def test_bad_executor_is_a_value_error():
    with pytest.raises(ValueError, match="executor must be"):
        make_executor(42)


def test_given_executor_is_used_and_left_open():
    ex = cf.ThreadPoolExecutor(1)
    assert run_tasks(operator.add, [(1, 2)], executor=ex, progress=False) == [3]
    assert ex.submit(operator.add, 2, 2).result() == 4     # not shut down by run_tasks
    ex.shutdown()


def test_single_threaded_blas_runs():
    single_threaded_blas()
    import numpy as np

    a = np.ones((64, 64), np.float32)
    assert float((a @ a)[0, 0]) == 64.0


def test_progress_lines(capsys):
    run_tasks(operator.mul, [(1, 1)] * 3, executor=SerialExecutor(), progress=True, desc="demo")
    assert "demo: 3/3 done" in capsys.readouterr().err


@pytest.mark.slow
def test_local_processes_match_serial():
    assert _tiny_sweep("local") == _tiny_sweep("serial")


@pytest.mark.slow
def test_dask_matches_serial():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        got = _tiny_sweep(cluster.scheduler_address)
    assert got == _tiny_sweep("serial")
