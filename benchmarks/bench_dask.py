"""One gradient of a logistic regression on Dask arrays spread over a LocalCluster, against
srcdiff's NumPy gradient of the same data in memory, and its scaling from 1 to 4 workers.

    python benchmarks/bench_dask.py                       # 2,000,000 rows x 20 features
    python benchmarks/bench_dask.py --rows 1000000 --workers 1,2,4
    python benchmarks/bench_dask.py --quick               # a smoke test

BLAS runs one thread per process (OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1,
set here before NumPy loads and inherited by the worker processes), so that the workers,
not BLAS, are what scales; each worker has one thread.  The data are drawn by Dask from a
fixed seed (the same numbers every time), once on each cluster, where its workers keep
them, and once in this process for NumPy; so a timed
gradient is what a training step costs: building the task graph (both sweeps) and one
``dask.compute`` of the gradients of w and b, which are all that comes back.  Times are the
minimum (and median) over --repeat calls after one warm-up call.  The script checks that
the Dask gradient equals the NumPy one before timing it.
"""
import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import srcdiff  # noqa: E402
from samples.distributed_logreg import logistic_loss  # noqa: E402


def options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--chunk", type=int, default=250_000, help="rows per chunk")
    parser.add_argument("--workers", default="1,2,4", help="cluster sizes to time, comma-separated")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a smoke test: small data, two calls")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.chunk, args.repeat, args.workers = 40_000, 10_000, 2, "1,2"
    return args


def timed(call, repeat):
    """``(min, median)`` seconds of ``call()`` over ``repeat`` calls, after a warm-up call."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def dask_data(args):
    """Features and 0/1 labels as Dask arrays drawn from a fixed seed."""
    import dask.array as da

    rng = da.random.default_rng(0)
    X = rng.normal(size=(args.rows, args.features), chunks=(args.chunk, args.features))
    noise = rng.normal(size=args.rows, chunks=args.chunk)
    return X, (X @ np.linspace(-2.0, 2.0, args.features) + noise > 0.0).astype(np.float64)


def on_cluster(workers, w, b, args, want):
    """Time one gradient on a LocalCluster of ``workers`` processes holding the data."""
    from dask.distributed import Client, LocalCluster, wait

    gradient = srcdiff.grad(logistic_loss, wrt=(0, 1))
    lazy = srcdiff.grad(logistic_loss, wrt=(0, 1), lazy=True)
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        X_d, y_d = client.persist(list(dask_data(args)))
        wait([X_d, y_d])
        got = gradient(w, b, X_d, y_d)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-9)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-9)
        build = timed(lambda: lazy(w, b, X_d, y_d), args.repeat)
        return timed(lambda: gradient(w, b, X_d, y_d), args.repeat), build


def main():
    args = options()
    import dask

    X, y = dask.compute(*dask_data(args), scheduler="threads")
    w, b = np.full(args.features, 0.1), -0.2
    numpy_gradient = srcdiff.grad(logistic_loss, wrt=(0, 1))
    want = numpy_gradient(w, b, X, y)
    numpy_time = timed(lambda: numpy_gradient(w, b, X, y), args.repeat)
    print(f"logistic regression, {args.rows:,} rows x {args.features} features (float64), chunks of {args.chunk:,} rows")
    print(f"BLAS threads: OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']} "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']} (set by this script; workers inherit it); "
          f"{os.cpu_count()} CPUs; one thread per worker process")
    print(f"NumPy in memory: {numpy_time[0] * 1e3:.1f} ms ({numpy_time[1] * 1e3:.1f} ms)")
    print("| workers | gradient on Dask, min (median) | over NumPy | speed-up over 1 worker | graph build alone |")
    print("| --- | --- | --- | --- | --- |")
    first = None
    for workers in [int(n) for n in args.workers.split(",")]:
        (best, median), (build, _) = on_cluster(workers, w, b, args, want)
        first = first or best
        print(f"| {workers} | {best * 1e3:.1f} ms ({median * 1e3:.1f} ms) | {best / numpy_time[0]:.2f}x | "
              f"{first / best:.2f}x | {build * 1e3:.1f} ms |")


if __name__ == "__main__":
    main()
