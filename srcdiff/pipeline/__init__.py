"""The pipeline: the stages run end to end, from a live function or a Source to text or
a compiled function.

    source --frontend--> Source --lower--> SSA --rules, transforms--> records --emit--> text --compile--> function

Contract: ``*_source`` functions take a lowered function and its Source and return the
generated text (with its name, and the SSA it was printed from); ``build_*`` functions
take a live Python function and return the compiled result with ``source`` set.
Second derivatives transform generated text again (``generated``).  Nothing here
caches.  Imports every stage below it; nothing imports it but the API and the command
line.

| module | builds |
| --- | --- |
| ``gradient`` | the gradient's text: ``gradient_source``, ``select_wrt`` |
| ``generated`` | generated text read back as a Source (closure under the transform) |
| ``higher`` | Hessian-vector products, derivatives through loops, forward mode |
| ``jacobian`` | vector-Jacobian products |
| ``gradient_vjp`` | the vector-Jacobian product of a gradient that keeps a tape (a gradient penalty through loops) |
| ``build`` | the compiled functions the API hands out |
| ``specialize`` | gradients (and Hessian-vector products) dispatching on their arguments' kinds to code built for them |
| ``specialize_sequences`` | a jvp or vjp dispatching the same way, where a list or tuple parameter that NumPy calls read changes its code |
| ``dispatch`` | the function such a gradient hands out: one test written out per signature seen, the code built for it run |
| ``jit`` | ``jit="numba"``: what numba mode compiles, and the specialized text in numba's terms |
| ``taken_sides`` | numba mode: each branch its constants decide replaced by the side it takes, as numba would |
| ``export`` | a generated function as a module that runs without srcdiff |
| ``runtime_copy`` | the runtime helpers generated text calls, copied as source for such a module |
"""
from .build import build_gradient, build_hvp, build_jvp, build_vjp, collector_paused, compiled_function
from .export import KINDS as EXPORT_KINDS, export_function, export_text
from .generated import gradient_as_source, static_scope
from .gradient import gradient_source, select_wrt
from .higher import DEFAULT_MODE, MODES, hvp_source, jvp_source, single_parameter
from .jacobian import jacobian_rows, jacobians_of_items, vjp_source
from .jit import NumbaError
from .specialize import (dispatching, numba_dispatching, specializable, specialized, specialized_gradient,
                         specialized_hvp)
from .specialize_sequences import specialized_jvp, specialized_vjp
