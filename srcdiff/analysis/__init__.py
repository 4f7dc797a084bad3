"""Facts about lowered SSA, computed without rewriting it.

Contract: each function here takes an ``ir.Function`` (or a body) and returns a fact
about it; nothing is changed.  Imports ``ir``, and ``runtime`` for the names of the
helpers that make a function array code.

| module | fact |
| --- | --- |
| ``kinds`` | what is known statically about each value's shape: a number, not an array, or a named unknown shape (equal shapes share a name); whether the result is provably one number (the values themselves and how they join: ``shape_values``) |
| ``array_code`` | whether a function is array code at all (``uses_arrays``); whether it reads a parameter at a constant position (``reads_positions``), which parameters it reduces whole (``reduced_whole``) |
| ``reads`` | what the shape of ``x[index]`` depends on for a basic index (``x[1:]`` and ``x[:-1]`` share one) |
| ``liveness`` | which values some roots need, through branches and loops |
| ``signature`` | the kind of each argument a gradient is specialized to (``Kind``), from a value (``kind_of``, ``call_key``) or from ``--sig`` text |
| ``items`` | the ``xs[i]`` reads of a sequence parameter or of a list grown by appends whose gradient is added entry by entry; the parameters only read item by item |
| ``trees`` | the parts of a container parameter a function uses whole (its leaves) |
| ``joins`` | the parameters Python may join (``+``) or repeat (``*``) as lists or tuples |
"""
from .array_code import reads_positions, reduced_whole, uses_arrays
from .kinds import ELEMENTWISE, OTHER, REDUCTIONS, SCALAR, Shape, broadcast, infer_shapes, is_ufunc, proves_scalar
from .items import item_reads, only_read_by_items
from .joins import joined_parameters, joins
from .liveness import live_vars
from .signature import GRAMMAR as SIGNATURE_GRAMMAR
from .signature import Kind, call_key, kind_of, numbers_alone, parse_signature
from .trees import is_container, tree_leaves, tree_paths
