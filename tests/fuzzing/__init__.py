"""Differential fuzzing of srcdiff: random NumPy programs (``generate``) whose gradients,
forward-mode derivatives and Hessian-vector products (and, on request, Hessians, gradients
of gradients, value_and_grad, float32 arrays, jit="numba", explain, lists for 1-D arrays) are checked against
finite differences and HIPS autograd (``check``).  ``benchmarks/fuzz.py`` runs many of them;
``tests/test_fuzz.py`` and ``tests/test_fuzz_checks.py`` run a few hundred on fixed seeds."""
