"""One way to run a sweep: local processes by default, a Dask cluster when given an address.

Sweeps (Table 2's depth x width x seeds, the descent sweeps) are lists of independent tasks
``fn(*args)``; :func:`run_tasks` runs them on a :class:`concurrent.futures.Executor` and
returns the results *in task order*, so the output does not depend on where or in which
order the tasks ran. :func:`make_executor` chooses the executor:

- ``None`` or ``"local"``: a :class:`~concurrent.futures.ProcessPoolExecutor` with one
  worker per core (``spawn`` start method), each worker's BLAS limited to one thread;
- ``"serial"``: in this process, one task after the other (tests, ``--quick``, debugging);
- any other string: the address of a Dask ``distributed`` scheduler (``tcp://host:8786``);
  Dask is an optional extra (``pip install harmonic-electrodynamics[dask]``) imported only here;
- an existing :class:`~concurrent.futures.Executor` (e.g. ``Client.get_executor()``) is used as is.

>>> from operator import mul
>>> run_tasks(mul, [(2, 3), (4, 5)], executor="serial", progress=False)
[6, 20]
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
from typing import Any, Callable, Iterator, Sequence

from .progress import Progress

__all__ = ["make_executor", "executor_scope", "run_tasks", "single_threaded_blas", "SerialExecutor"]

_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
#: Seconds to wait for a Dask scheduler to answer before giving up with a ValueError.
DASK_CONNECT_TIMEOUT = 5.0


class SerialExecutor(cf.Executor):
    """Runs each task when it is submitted, in this process."""

    def submit(self, fn, /, *args, **kwargs):
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            fut.set_exception(exc)
        # KeyboardInterrupt and SystemExit are not a task's result: they stop the sweep here
        return fut


def single_threaded_blas() -> None:
    """Limit BLAS to one thread in this process (env variables for later imports, and the
    already loaded libraries through threadpoolctl), so a worker per core does not
    oversubscribe."""
    from threadpoolctl import threadpool_limits

    for k in _BLAS_ENV:
        os.environ[k] = "1"
    threadpool_limits(1)


def _worker_init() -> None:
    """A local worker: one BLAS thread, and Ctrl-C left to the parent (which stops the
    workers), so an interrupt prints one line, not a traceback per worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    single_threaded_blas()


def _stop_now(ex: cf.Executor) -> None:
    """Cancel what has not started and end local worker processes at once (an interrupt)."""
    procs = list((getattr(ex, "_processes", None) or {}).values())   # ProcessPoolExecutor's workers
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.join(timeout=5)


def make_executor(executor: Any = None, *, max_workers: int | None = None,
                  start_method: str = "spawn") -> cf.Executor:
    """The executor named by ``executor`` (see the module docstring). ``start_method`` of
    local workers: ``"spawn"`` (a fresh interpreter; the default) or ``"fork"`` (a copy of
    this process with what it has imported: no start-up cost, for short tasks of a process
    that holds no threads of its own; POSIX only)."""
    if isinstance(executor, cf.Executor):
        return executor
    if executor is None or executor == "local":
        import multiprocessing as mp

        if start_method not in mp.get_all_start_methods():
            raise ValueError(f"start_method must be one of {mp.get_all_start_methods()} here; "
                             f"got {start_method!r}")
        n = max_workers or os.cpu_count() or 1
        return cf.ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context(start_method),
                                      initializer=_worker_init)
    if executor == "serial":
        return SerialExecutor()
    if isinstance(executor, str):
        try:
            from distributed import Client
        except ImportError as exc:
            raise ValueError(f"a scheduler address ({executor!r}) needs Dask: "
                             "pip install 'harmonic-electrodynamics[dask]'") from exc
        try:
            client = Client(executor, timeout=DASK_CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"cannot reach the Dask scheduler at {executor!r} within "
                             f"{DASK_CONNECT_TIMEOUT:g} s ({' '.join(str(exc).split())}); is it running, "
                             "and is the address tcp://host:port?") from None
        except ValueError as exc:
            raise ValueError(f"executor {executor!r} is neither 'local', 'serial' nor a Dask scheduler "
                             f"address such as tcp://host:8786 ({exc})") from None
        return client.get_executor()
    raise ValueError(f"executor must be None, 'local', 'serial', a scheduler address or a "
                     f"concurrent.futures.Executor; got {executor!r}")


@contextlib.contextmanager
def executor_scope(executor: Any = None, *, max_workers: int | None = None,
                   start_method: str = "spawn") -> Iterator[cf.Executor]:
    """:func:`make_executor`, shut down on exit if it was created here (a given one is left open).
    On an interrupt (Ctrl-C) local workers are ended at once instead of being waited for."""
    ex = make_executor(executor, max_workers=max_workers, start_method=start_method)
    try:
        yield ex
    except KeyboardInterrupt:
        if ex is not executor:
            _stop_now(ex)
        raise
    finally:
        if ex is not executor:
            client = getattr(ex, "_client", None)
            ex.shutdown(wait=True)
            if client is not None:
                client.close()


def run_tasks(fn: Callable, tasks: Sequence[tuple], *, executor: Any = None,
              max_workers: int | None = None, progress: bool | None = True, desc: str = "tasks",
              note: Callable[[Any], str] | None = None) -> list:
    """``[fn(*t) for t in tasks]``, computed on ``executor``; results in task order.

    ``progress`` shows a :class:`~harmonic.progress.Progress` bar on standard error
    (``None``: only on a terminal); ``note(result)`` is shown beside it as tasks finish.
    The first task that raises is re-raised here, after the others were cancelled; a
    KeyboardInterrupt ends local workers at once and propagates.
    """
    tasks = list(tasks)
    results: list = [None] * len(tasks)
    with executor_scope(executor, max_workers=max_workers) as ex, \
            Progress(len(tasks), desc, enabled=progress) as bar:
        futures = {ex.submit(fn, *t): i for i, t in enumerate(tasks)}
        try:
            for fut in cf.as_completed(futures):
                i = futures[fut]
                results[i] = fut.result()
                bar.update(1, note(results[i]) if note else "")
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return results
