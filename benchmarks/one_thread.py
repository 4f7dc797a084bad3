"""Every contender of a benchmark on one thread: import this module before NumPy, JAX or PyTorch.

Importing it sets, for the libraries that read them when they start:

| library | setting |
| --- | --- |
| NumPy's BLAS, PyTorch (OpenBLAS, MKL, OpenMP) | ``OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1`` |
| JAX (the XLA CPU client) | ``PJRT_NPROC=1``: the size of the client's thread pool, which runs XLA's matrix products on every core otherwise (the ``XLA_FLAGS`` below alone leave it at the number of cores in JAX 0.10) |
| JAX, older XLA | ``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1`` |

PyTorch's own pool is sized by ``torch.set_num_threads(1)`` where a contender imports it.
``HEADER`` says all of this in one line; ``busy_threads(fn, args)`` counts the threads
that did the work of calls for a while and the CPU time they took over the wall time (Linux
only), so a benchmark can show it, not just claim it: a library that hands each call to a
worker thread and waits for it uses two threads but one core at a time (about 1.0).
"""
import os
import pathlib
import time

SETTINGS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PJRT_NPROC": "1",
            "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
os.environ.update(SETTINGS)

HEADER = ("one thread per contender: OPENBLAS/OMP/MKL_NUM_THREADS=1 (NumPy's BLAS, PyTorch), PJRT_NPROC=1 "
          "and XLA_FLAGS='--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1' (JAX), "
          "torch.set_num_threads(1)")

_TASKS = pathlib.Path("/proc/self/task")


def busy_threads(fn, args, seconds=0.3):
    """``(threads, cores)`` for calling ``fn(*args)`` for about ``seconds``: how many of this
    process's threads each did at least a tenth of the CPU time, and the CPU time of all
    threads over the wall time (above 1 only where threads ran at once); None where /proc
    cannot tell (not Linux)."""
    if not _TASKS.is_dir():
        return None
    before, start = _thread_ticks(), time.perf_counter()
    while time.perf_counter() < start + seconds:
        fn(*args)
    after, wall = _thread_ticks(), time.perf_counter() - start
    spent = [after[t] - before.get(t, 0) for t in after]
    total = sum(spent)
    threads = sum(1 for s in spent if s and s * 10 >= total) if total else 1
    return threads, total / os.sysconf("SC_CLK_TCK") / wall


def _thread_ticks():
    """CPU time (user + system, in clock ticks) of each thread of this process, by thread id."""
    ticks = {}
    for task in _TASKS.iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        ticks[task.name] = int(fields[11]) + int(fields[12])
    return ticks
