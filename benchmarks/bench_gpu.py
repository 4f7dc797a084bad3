"""srcdiff's gradients on a GPU: the 2-layer network and an einsum-free attention score,
written against the Array API (samples/array_api/two_layer_net.py, attention.py), run on
CuPy and PyTorch CUDA arrays, against PyTorch autograd and ``jax.jit(jax.grad)`` on the
same GPU (each where installed).

    python benchmarks/bench_gpu.py            # N = 4096, D = H = 1024, C = 10; attention 2048 x 64
    python benchmarks/bench_gpu.py --quick    # small sizes, a smoke test
    python benchmarks/bench_gpu.py --cpu      # the same contenders on the CPU (PyTorch, JAX), small sizes

Without a GPU (no CUDA device for PyTorch, CuPy or JAX) it prints "no GPU" and exits 0.
Every contender computes the gradients of every float parameter in float32 from the same
data; the script checks that they agree before timing.  Times: after a warm-up call, each
call is synchronised with its device; min (median) over the rounds.
"""
import argparse
import importlib.util
import pathlib
import statistics
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import srcdiff  # noqa: E402


def load_twin(name, function):
    spec = importlib.util.spec_from_file_location(f"array_api_{name}", ROOT / "samples" / "array_api" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, function)


def optional(name):
    """The module ``name``, or None where it is not installed (or fails to import)."""
    try:
        return importlib.import_module(name)
    except Exception:
        return None


# ---------------------------------------------------------------- the problems

def net_problem(quick):
    n, d, h, c = (256, 64, 64, 10) if quick else (4096, 1024, 1024, 10)
    rng = np.random.default_rng(0)
    floats = [rng.normal(size=(d, h)) / np.sqrt(d), np.zeros(h), rng.normal(size=(h, c)) / np.sqrt(h), np.zeros(c),
              rng.normal(size=(n, d))]
    data = {"floats": [a.astype(np.float32) for a in floats], "labels": rng.integers(0, c, size=n), "reg": 1e-3}
    return f"2-layer net N={n} D={d} H={h} C={c}", load_twin("two_layer_net", "two_layer_net"), data, (0, 1, 2, 3)


def attention_problem(quick):
    q, k, d = (128, 128, 32) if quick else (2048, 2048, 64)
    rng = np.random.default_rng(1)
    floats = [rng.normal(size=s) for s in ((q, d), (k, d), (k, d), (q, d))]
    data = {"floats": [a.astype(np.float32) for a in floats], "labels": None, "reg": None}
    return f"attention score Q={q} K={k} d={d}", load_twin("attention", "attention_loss"), data, (0, 1, 2)


def arguments(data, asarray):
    """The problem's arguments as arrays of one library (``asarray``), labels and ``reg`` added where it has them."""
    args = [asarray(a) for a in data["floats"]]
    if data["labels"] is not None:
        args += [asarray(data["labels"]), data["reg"]]
    return args


# ---------------------------------------------------------------- the contenders: name -> (gradient, args, sync)

def torch_contenders(fn, data, wrt, device):
    torch = optional("torch")
    if torch is None or device == "cuda" and not torch.cuda.is_available():
        return {}
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    args = arguments(data, lambda a: torch.asarray(a, device=device))
    where = f"PyTorch {device}"

    def autograd(*args):
        params = [a.detach().requires_grad_() if i in wrt else a for i, a in enumerate(args)]
        return torch.autograd.grad(fn(*params), [params[i] for i in wrt])
    return {f"srcdiff on {where}": (srcdiff.grad(fn, wrt=wrt), args, sync),
            f"{where} autograd": (autograd, args, sync)}


def cupy_contenders(fn, data, wrt, device):
    cupy = optional("cupy") if device == "cuda" else None
    if cupy is None or not _cupy_has_device(cupy):
        return {}
    args = arguments(data, cupy.asarray)
    return {"srcdiff on CuPy": (srcdiff.grad(fn, wrt=wrt), args, cupy.cuda.Device().synchronize)}


def jax_contenders(fn, data, wrt, device):
    jax = optional("jax")
    if jax is None or device == "cuda" and not any(d.platform == "gpu" for d in jax.devices()):
        return {}
    target = jax.devices("gpu" if device == "cuda" else "cpu")[0]
    args = arguments(data, lambda a: jax.device_put(a, target))
    compiled = jax.jit(jax.grad(fn, argnums=wrt))
    return {f"jax.jit(jax.grad) {target.platform}": (compiled, args, lambda: None)}


def _cupy_has_device(cupy):
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def has_gpu():
    torch, cupy, jax = optional("torch"), optional("cupy"), optional("jax")
    return bool(torch is not None and torch.cuda.is_available() or cupy is not None and _cupy_has_device(cupy)
                or jax is not None and any(d.platform == "gpu" for d in jax.devices()))


# ---------------------------------------------------------------- timing

def to_numpy(value):
    if hasattr(value, "get"):
        value = value.get()
    if hasattr(value, "detach"):
        value = value.detach().cpu()
    return np.asarray(value)


def timed(gradient, args, sync, rounds):
    """(min, median) seconds per call, each call waited for; the gradients of the last call."""
    out = gradient(*args)
    _block(out)
    sync()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        out = gradient(*args)
        _block(out)
        sync()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), out


def _block(out):
    for value in out:
        if hasattr(value, "block_until_ready"):  # JAX dispatches asynchronously
            value.block_until_ready()


def run_problem(problem, device, rounds):
    title, fn, data, wrt = problem
    contenders = {}
    for make in (cupy_contenders, torch_contenders, jax_contenders):
        contenders.update(make(fn, data, wrt, device))
    results = {name: timed(*spec, rounds) for name, spec in contenders.items()}
    reference = next(iter(results.values()))[2]
    for name, (_, _, out) in results.items():
        for got, want in zip(out, reference):
            if not np.allclose(to_numpy(got), to_numpy(want), rtol=1e-3, atol=1e-4):
                raise SystemExit(f"{title}: {name} disagrees with {next(iter(results))}")
    print(f"\n{title}, float32, gradients of parameters {wrt}; {rounds} rounds, min (median) per call\n")
    print("| contender | time per call |")
    print("| --- | --- |")
    for name, (best, middle, _) in results.items():
        print(f"| {name} | {best * 1e3:.3f} ms ({middle * 1e3:.3f} ms) |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few rounds (a smoke test)")
    parser.add_argument("--cpu", action="store_true", help="run the contenders on the CPU instead (small sizes)")
    options = parser.parse_args(argv)
    device = "cpu" if options.cpu else "cuda"
    if device == "cuda" and not has_gpu():
        print("no GPU")
        return 0
    quick = options.quick or options.cpu
    for problem in (net_problem(quick), attention_problem(quick)):
        run_problem(problem, device, 5 if quick else 30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
