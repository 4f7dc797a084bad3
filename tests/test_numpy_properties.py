"""Property tests for array code: random NumPy programs over broadcasting shapes,
gradients against central finite differences.

Hypothesis draws parameters of the shapes scalar, (4,), (3, 4), (1, 4), (3, 1) (all
broadcast together) and a straight-line program of smooth element-wise operations,
ufuncs, reductions with and without keepdims, ``.T``, ``@`` and reassignment; the result
is summed.  Each program is written to a module file and differentiated.
"""
import pathlib
import tempfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import import_text
from gradcheck import check_grad

SHAPES = [(), (4,), (3, 4), (1, 4), (3, 1)]

# name -> (template, arity); every operation is smooth everywhere
ELEMENTWISE = {
    "add": ("{0} + {1}", 2), "sub": ("{0} - {1}", 2), "mul": ("{0} * {1}", 2),
    "div": ("{0} / (1.5 + {1} * {1})", 2), "pow": ("(1.0 + {0} ** 2) ** 0.5", 1),
    "sin": ("np.sin({0})", 1), "tanh": ("np.tanh({0}) * {1}", 2), "exp": ("np.exp(0.5 * np.tanh({0}))", 1),
    "log": ("np.log(2.0 + np.cos({0}))", 1), "neg": ("-{0} + 0.5 * {1}", 2), "square": ("np.square({0})", 1),
    "maximum_smooth": ("np.maximum({0}, {0} + 1.0)", 1), "where": ("np.where({1} > 10.0, {1}, {0})", 2),
}
# name -> (template, needs ndim >= 1, resulting shape from the operand's shape)
SHAPED = {
    "sum_keep": ("np.sum({0}, axis=-1, keepdims=True)", lambda s: s[:-1] + (1,)),
    "mean0": ("np.mean({0}, axis=0)", lambda s: s[1:]),
    "max_keep": ("{0}.max(axis=0, keepdims=True)", lambda s: (1,) + s[1:]),
    "transpose": ("{0}.T", lambda s: s[::-1]),
    "total": ("{0}.sum()", lambda s: ()),
}


@st.composite
def programs(draw):
    nparams = draw(st.integers(1, 3))
    shapes = [draw(st.sampled_from(SHAPES)) for _ in range(nparams)]
    values = [(f"p{i}", shape) for i, shape in enumerate(shapes)]
    lines = []
    for k in range(draw(st.integers(1, 6))):
        use_shaped = draw(st.booleans()) and any(s for _, s in values)
        if use_shaped:
            name, shape = draw(st.sampled_from([v for v in values if v[1]]))
            template, new_shape = SHAPED[draw(st.sampled_from(sorted(SHAPED)))]
            if template.endswith(".T") and len(shape) != 2:
                template, new_shape = "{0} * 1.5", (lambda s: s)
            expr, shape = template.format(name), new_shape(shape)
        else:
            op = draw(st.sampled_from(sorted(ELEMENTWISE)))
            template, arity = ELEMENTWISE[op]
            picked = [draw(st.sampled_from(values)) for _ in range(arity)]
            try:
                shape = np.broadcast_shapes(*(s for _, s in picked))
            except ValueError:  # a transposed value may not broadcast with the rest
                continue
            expr = template.format(*(n for n, _ in picked))
        target = draw(st.sampled_from([f"t{k}", values[0][0]]))  # sometimes reassign a parameter
        lines.append(f"    {target} = {expr}")
        values = [v for v in values if v[0] != target] + [(target, shape)]  # the name now has this shape
    last, _ = values[-1]
    params = ", ".join(f"p{i}" for i in range(nparams))
    text = f"import numpy as np\n\n\ndef program({params}):\n" + "\n".join(lines) + f"\n    return np.sum(np.sin({last}))\n"
    return text, shapes


_FOLDER = pathlib.Path(tempfile.mkdtemp(prefix="srcdiff_numpy_programs_"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.integers(0, 2 ** 16))
def test_random_array_programs_match_finite_differences(program, seed):
    text, shapes = program
    module = import_text(_FOLDER, text)
    rng = np.random.default_rng(seed)
    args = [float(rng.uniform(-1, 1)) if s == () else rng.uniform(-1, 1, size=s) for s in shapes]
    check_grad(module.program, *args, rtol=1e-4, atol=1e-6)
