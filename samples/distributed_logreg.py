"""Logistic regression trained by gradient descent on 10 million rows, chunked over a Dask
cluster: python samples/distributed_logreg.py [--rows N] [--scheduler tcp://host:8786]

The loss is ordinary NumPy code.  Given the features X and labels y as Dask arrays (the
parameters w and b stay a small NumPy array and a float), srcdiff's gradient is one lazy
task graph for the loss and both sweeps; each step computes the loss and the gradients in
one go on the workers and only they come back.  Without --scheduler the script starts a
LocalCluster of --workers processes; with it, it connects to that cluster and nothing else
changes.  SRCDIFF_ROWS sets the default number of rows (a quick run: SRCDIFF_ROWS=100000).
"""
import numpy as np


def logistic_loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


if __name__ == "__main__":
    import argparse
    import os
    import time

    import dask.array as da
    from dask.distributed import Client, LocalCluster, progress

    import srcdiff

    def options():
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--rows", type=int, default=int(os.environ.get("SRCDIFF_ROWS", 10_000_000)))
        parser.add_argument("--features", type=int, default=10)
        parser.add_argument("--chunk", type=int, default=500_000, help="rows per chunk")
        parser.add_argument("--steps", type=int, default=10)
        parser.add_argument("--rate", type=float, default=4.0, help="the gradient-descent step size")
        parser.add_argument("--workers", type=int, default=2, help="worker processes of the local cluster")
        parser.add_argument("--scheduler", help="address of a running scheduler, e.g. tcp://scheduler:8786")
        return parser.parse_args()

    def connect(args):
        """A Client of the cluster at --scheduler, else of a new LocalCluster (and that cluster)."""
        if args.scheduler:
            return Client(args.scheduler), None
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None)
        return Client(cluster), cluster

    def dataset(client, args):
        """Features drawn on the workers, labels from a linear rule plus noise, kept in their memory."""
        rng = da.random.default_rng(0)
        X = rng.normal(size=(args.rows, args.features), chunks=(args.chunk, args.features))
        truth = np.linspace(-2.0, 2.0, args.features)
        y = (X @ truth + 0.5 * rng.normal(size=args.rows, chunks=args.chunk) > 0.0).astype(np.float64)
        X, y = client.persist([X, y])
        print(f"drawing {args.rows:,} rows x {args.features} features in {X.npartitions} chunks")
        progress(X, y)
        print()
        return X, y

    def train(client, X, y, args):
        """Gradient descent; each step's loss and gradients are computed in one go on the cluster."""
        value_and_grad = srcdiff.value_and_grad(logistic_loss, wrt=(0, 1), lazy=True)
        w, b = np.zeros(X.shape[1]), 0.0
        for step in range(1, args.steps + 1):
            start = time.perf_counter()
            loss, (g_w, g_b) = value_and_grad(w, b, X, y)
            futures = client.compute([loss, g_w, g_b])
            progress(futures)
            loss, g_w, g_b = client.gather(futures)
            w, b = w - args.rate * g_w, b - args.rate * float(g_b)
            print(f"\nstep {step}/{args.steps}  loss {float(loss):.6f}  ({time.perf_counter() - start:.2f} s)")
        return w, b

    def main():
        args = options()
        client, cluster = connect(args)
        try:
            X, y = dataset(client, args)
            w, b = train(client, X, y, args)
            print("w =", np.array2string(w, precision=3), " b =", round(b, 3))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    main()
