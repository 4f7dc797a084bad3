"""Differential fuzzing of srcdiff: random NumPy programs (``generate``) whose gradients,
forward-mode derivatives and Hessian-vector products are checked against finite
differences and HIPS autograd (``check``).  ``benchmarks/fuzz.py`` runs many of them;
``tests/test_fuzz.py`` runs a few hundred on fixed seeds."""
