"""Other libraries' gradients of the workloads of bench_specialized.py, where installed.

Each maker returns a function with the same arguments and results as srcdiff's gradient
(NumPy in, NumPy or floats out, so the comparison includes the conversions a NumPy user
pays), or None when the library is missing.  Each runs on one thread: JAX as ``one_thread`` set it
up (imported before JAX), PyTorch by ``torch.set_num_threads(1)``.
"""
import one_thread  # noqa: F401  (one thread for JAX when this module is imported first)

import numpy as np


def jax_recurrence(n):
    """``jax.jit`` of the recurrence's gradient, written with ``lax.scan``; None without JAX."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def loss(w, u, xs):
        def step(h, x):
            return jnp.tanh(w * h + u * x), None
        return jax.lax.scan(step, jnp.zeros((), xs.dtype), xs)[0]

    compiled = jax.jit(jax.grad(loss, argnums=(0, 1, 2)))

    def gradient(w, u, xs):
        gw, gu, gxs = compiled(w, u, jnp.asarray(xs))
        return float(gw), float(gu), np.asarray(gxs)
    return gradient


def jax_net(dtype):
    """``jax.jit`` of the 2-layer net's gradient w.r.t. W1, b1, W2, b2; None without JAX."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def loss(W1, b1, W2, b2, X, y, reg):
        hidden = jnp.maximum(0.0, X @ W1 + b1)
        scores = hidden @ W2 + b2
        scores = scores - jnp.max(scores, axis=1, keepdims=True)
        exp_scores = jnp.exp(scores)
        probs = exp_scores / jnp.sum(exp_scores, axis=1, keepdims=True)
        data_loss = -jnp.mean(jnp.log(probs[jnp.arange(X.shape[0]), y]))
        return data_loss + 0.5 * reg * (jnp.sum(W1 * W1) + jnp.sum(W2 * W2))

    compiled = jax.jit(jax.grad(loss, argnums=(0, 1, 2, 3)))

    def gradient(W1, b1, W2, b2, X, y, reg):
        return tuple(np.asarray(g) for g in compiled(W1, b1, W2, b2, X, y, reg))
    return gradient


def torch_net(dtype):
    """PyTorch eager (CPU) gradient of the 2-layer net; None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def gradient(W1, b1, W2, b2, X, y, reg):
        params = [torch.from_numpy(a).requires_grad_() for a in (W1, b1, W2, b2)]
        w1, c1, w2, c2 = params
        hidden = torch.relu(torch.from_numpy(X) @ w1 + c1)
        scores = hidden @ w2 + c2
        loss = torch.nn.functional.cross_entropy(scores, torch.from_numpy(y)) \
            + 0.5 * reg * ((w1 * w1).sum() + (w2 * w2).sum())
        loss.backward()
        return tuple(p.grad.numpy() for p in params)
    return gradient
