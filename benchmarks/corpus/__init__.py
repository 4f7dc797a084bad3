"""A corpus of ordinary scientific Python functions, written the way people write them
(not for srcdiff): losses, models, physics, statistics, optimisation test functions.
``benchmarks/corpus_run.py`` differentiates each and counts how many come out right."""
