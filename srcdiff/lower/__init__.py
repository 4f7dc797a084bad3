"""Lowering: a checked function AST to SSA three-address code.

Contract: ``lower(source)`` takes a ``frontend.Source`` and returns an ``ir.Function``
whose statements each apply one operation to operands defined before (``verify``
holds).  Nested expressions become temporaries, reassignment fresh Vars, the user's
helpers are inlined, branches and loops become ``If`` and ``Loop`` with merged and
carried values, item writes become copies (``rt.setitem``) where a copy reproduces
NumPy's in-place write, and every name is resolved.  Whatever cannot be lowered is a
SrcdiffError pointing at it.  Imports ``frontend``, ``analysis`` (shapes, for the
check of in-place writes), ``ir``, ``runtime`` and ``errors``.

| module | lowers |
| --- | --- |
| ``function`` | ``lower``: statements and expressions |
| ``tails`` | (before lowering) early exits moved to the ends of their blocks |
| ``calls`` | names and calls: primitives, the user's helpers inlined |
| ``custom`` | ``Cls.apply(...)`` of a ``srcdiff.Function`` |
| ``gradients`` | a call of a generated gradient that keeps a tape, kept as a call (a gradient penalty through loops) |
| ``callables`` | lambdas, nested defs, closures, ``functools.partial``, star-arguments |
| ``binding`` | arguments bound to parameters as Python binds them, ``*args`` and ``**kwargs`` too |
| ``scopes`` | Python's scopes from the AST: what a nested function binds and reads |
| ``arrays`` | attributes, methods, indexing, item writes |
| ``linalg`` | linear algebra's settings read as constants; decompositions one call per factor; ``matrix_power`` as products |
| ``numpy_forms``, ``numpy_signals`` | NumPy calls written out with other primitives: ``vdot``, the ``nan*`` reductions, ``select``, ``meshgrid``, ``trapezoid``, ``polyval``, ``interp``, ``convolve``, ``correlate``, ``take_along_axis``, ``linalg.lstsq``, ``ufunc.reduce``/``ufunc.outer`` |
| ``trees`` | parts of container parameters read at constant paths (``params['W1']``, ``self.W``), read once at the start |
| ``methods`` | classes: ``self.forward(x)``, properties, static and class methods, class constants |
| ``operators`` | ``+ - * / ** // % @``, ``& | ^ ~`` on masks, comparisons: with a stack of their own |
| ``branches`` | ``if``, conditional expressions, ``and``/``or``, chained comparisons, exits |
| ``loops`` | ``for`` and ``while``; ``loop_forms``: ``for`` statements rewritten first into the forms ``loops`` takes (items unpacked in the body, ``enumerate`` counted from zero) |
| ``sequences`` | comprehensions and generator expressions: folds into accumulators |
| ``consumers`` | the calls that consume sequences (``sum``, ``max``, ``math.fsum``, ``np.stack``...) |
| ``comprehensions`` | a comprehension as the ``for`` statements it stands for |
| ``positions`` | a value from the arguments iterated by reads by position (a comprehension, ``sum``, ``list``): checked first (``rt.check_sequence``: no dict, set or iterator) |
| ``effects`` | ``print``, logging, ``assert``, ``raise`` kept as written (``ir.EFFECT``); ``isinstance``; ``np.errstate``; type hints |
| ``writes`` | (after lowering) which writes may be copies: refuses stale reads through aliases; ``number_updates``: an accumulator that starts as a number (``t += x`` read again) is checked when it runs instead |
"""
from .function import lower
