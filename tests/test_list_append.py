"""Lists built by ``append``, ``extend`` and ``+=`` (``lower.appends``, checked by ``lower.grown``).

Each function builds a list in a loop, a branch or straight code and reads it by constant and
run-time (negative) index, by iteration, ``len``, ``sum``, ``np.array``, ``np.stack``, or hands it
to a helper or gets it from one.  Each is checked against finite differences and autograd
(the same text run with ``autograd.numpy``) on every path: grad, value_and_grad, jvp, hvp,
hessian, grad(grad) for a number, explain.  Then the uses srcdiff refuses, each at its line.
"""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_explain_matches_grad, assert_user_error, fd_directional, fd_grad

autograd = pytest.importorskip("autograd")

RNG = np.random.default_rng(8)
X = np.array([0.4, -0.3, 0.8])
A = np.array([[0.5, -0.2, 0.3], [0.1, 0.7, -0.4], [0.2, 0.3, 0.6]])

HEADER = '''
import numpy as np

W = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.3], [-0.6, 0.2, 0.1]])


'''

FUNCTIONS = '''
def newcomer(xs, w):
    out = []
    for x in xs:
        out.append(np.tanh(w * x))
    return sum(out)


def indexed(x):
    out = []
    for i in range(len(x)):
        out.append(x[i] * x[i] * W[0, i])
    total = out[0] * out[-1]
    for k in range(len(out)):
        total = total + out[k] * k
    return total + out[len(out) - 1] * 2.0 + len(out)


def iterated(x):
    out = [x[0]]
    for i, v in enumerate(x):
        out.append(np.sin(v) * (i + 1.0))
    s = 0.0
    for y in out:
        s = s + y * y
    return s


def zipped(x):
    out = []
    for a, b in zip(x, W[1]):
        out.append(a * b)
    return sum(out) * out[1]


def branched(x, c):
    out = []
    for v in x:
        if v > c:
            out.append(v * v)
        else:
            out.append(-v)
            out.append(v * 3.0)
    return sum(out) + out[-1] * len(out)


def to_array(x):
    rows = []
    for i in range(3):
        rows.append(np.tanh(W[i] * x))
    return np.sum(np.array(rows) * W) + np.sum(np.stack(rows) ** 2 * W.T)


def extended(x):
    out = [x[0] * 2.0]
    out += [x[1], x[2] * x[0]]
    out.extend([v * v for v in x])
    out.extend(x)
    out += (v * 0.5 for v in x)
    return sum(out) * out[-1]


def grows(x, w):
    out = []
    while len(out) < 4:
        out.append(w * len(out) + np.sum(x))
    return out[-1] * out[0] + max(out)


def build(x):
    out = []
    for v in x:
        out.append(v ** 2)
    return out


def total(ys):
    return sum(ys) * ys[0]


def passed(x):
    ys = build(x)
    out = []
    for y in ys:
        out.append(np.exp(y))
    return total(out) + total(ys)


def straight(a, b):
    out = [a]
    out.append(a * b)
    out.append(np.sin(b))
    return out[0] * out[1] + out[2] ** 2 + len(out)


def nested_loops(x, n):
    total = 0.0
    for i in range(n):
        out = []
        for v in x:
            out.append(v * (i + 1.0))
        total = total + np.sum(np.array(out) ** 2)
    return total


def arrays_appended(A):
    h = A[0]
    hs = []
    for i in range(3):
        h = np.tanh(A @ h)
        hs.append(h)
    return np.sum(np.stack(hs) * W) + np.sum(hs[-1] * hs[0])


def early_exit(x, c):
    out = []
    for v in x:
        if v * c > 0.5:
            break
        out.append(v * c)
    if len(out) == 0:
        return c * 1.0
    return sum(out) * out[-1]


def list_of_lists(x):
    out = []
    for k in range(2):
        row = [x[j] * (j + k) for j in range(3)]
        out.append(row)
    return out[1][2] * out[0][1] + sum(out[0])
'''

CASES = [
    ("newcomer", (X, 0.7)), ("indexed", (X,)), ("iterated", (X,)), ("zipped", (X,)), ("branched", (X, 0.1)),
    ("to_array", (X,)), ("extended", (X,)), ("grows", (X, 0.6)), ("passed", (X,)), ("straight", (0.6, -0.9)),
    ("nested_loops", (X, 3)), ("arrays_appended", (A,)), ("early_exit", (X, 0.9)), ("list_of_lists", (X,)),
]
SCALAR_CASES = [("newcomer", (X, 0.7), 1), ("straight", (0.6, -0.9), 0), ("straight", (0.6, -0.9), 1),
                ("grows", (X, 0.6), 1)]


@pytest.fixture(scope="module")
def m(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("appends"), HEADER + FUNCTIONS, "srcdiff_test_list_append_module")


@pytest.fixture(scope="module")
def a(tmp_path_factory):
    text = HEADER.replace("import numpy as np", "import autograd.numpy as np") + FUNCTIONS
    return import_text(tmp_path_factory.mktemp("appends_autograd"), text, "srcdiff_test_list_append_autograd")


def _direction(x):
    return RNG.normal(size=np.shape(x)) if np.ndim(x) else 0.7


@pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
def test_gradient(m, a, name, args):
    f = getattr(m, name)
    grad = srcdiff.grad(f, wrt=0)(*args)
    np.testing.assert_allclose(grad, fd_grad(f, args, 0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(grad, autograd.grad(getattr(a, name))(*args), rtol=1e-10, atol=1e-12)
    value, again = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == f(*args)
    np.testing.assert_allclose(again, grad, rtol=1e-12)


@pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
def test_forward_mode_and_second_derivatives(m, a, name, args):
    f = getattr(m, name)
    v = _direction(args[0])
    np.testing.assert_allclose(srcdiff.jvp(f, wrt=0)(*args, v), fd_directional(f, args, 0, v), rtol=1e-5, atol=1e-7)
    grad = srcdiff.grad(f, wrt=0)
    expected = fd_directional(lambda *b: np.asarray(grad(*b)), args, 0, v)
    np.testing.assert_allclose(srcdiff.hvp(f, wrt=0)(*args, v), expected, rtol=1e-4, atol=1e-6)
    hessian = np.reshape(srcdiff.hessian(f, wrt=0)(*args), (np.size(args[0]), -1))
    exact = np.reshape(autograd.hessian(getattr(a, name))(*args), (np.size(args[0]), -1))
    np.testing.assert_allclose(hessian, exact, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name,args,wrt", SCALAR_CASES, ids=[f"{c[0]}-{c[2]}" for c in SCALAR_CASES])
def test_number_parameters_and_grad_of_grad(m, a, name, args, wrt):
    f = getattr(m, name)
    grad = srcdiff.grad(f, wrt=wrt)
    assert grad(*args) == pytest.approx(fd_grad(f, args, wrt), rel=1e-6, abs=1e-8)
    assert grad(*args) == pytest.approx(autograd.grad(getattr(a, name), wrt)(*args), rel=1e-10)
    second = srcdiff.grad(grad, wrt=wrt)(*args)
    assert second == pytest.approx(fd_grad(grad, args, wrt), rel=1e-5, abs=1e-7)
    assert srcdiff.hvp(f, wrt=wrt)(*args, 1.0) == pytest.approx(second, rel=1e-8, abs=1e-10)


def test_list_argument_gives_a_list_gradient(m):
    grad = srcdiff.grad(m.newcomer)(list(X), 0.7)
    assert isinstance(grad[0], list)
    np.testing.assert_allclose(grad[0], fd_grad(m.newcomer, (X, 0.7), 0), rtol=1e-5)


def test_float32_arrays_keep_their_dtype(m):
    x32 = X.astype(np.float32)
    grad = srcdiff.grad(m.to_array)(x32)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, srcdiff.grad(m.to_array)(X), rtol=1e-5)


@pytest.mark.parametrize("name,args", [("newcomer", (X, 0.7)), ("straight", (0.6, -0.9)), ("branched", (X, 0.1))])
def test_explain_agrees_with_grad(m, name, args):
    assert_explain_matches_grad(getattr(m, name), args)


def test_generated_code_rebinds_the_list(m):
    text = srcdiff.grad(m.newcomer).source
    assert "out = ()" in text and "out_1 = rt.grown(out, s1)" in text and "out = out_1" in text
    assert "grad_out = rt.but_last(grad_out_1)" in text and "grad_s1 = grad_out_1[-1]" in text


@pytest.mark.parametrize("name,in_place", [
    ("newcomer", True), ("to_array", True), ("arrays_appended", True), ("branched", True),
    ("grows", True),  # read by the loop's test between appends: the list as grown so far
    ("nested_loops", True),  # a new list each round of the outer loop, read after the inner loop grew it
    ("indexed", True),
])
def test_lists_grow_in_place_only_where_nothing_reads_them_before(m, name, in_place):
    text = srcdiff.grad(m.__dict__[name], wrt=0).source
    assert ("rt.grown(" in text) is in_place
    assert "rt.appended(" in text or in_place


def test_a_list_the_backward_reads_mid_loop_is_copied(m, tmp_path):
    text = srcdiff.grad(m.passed).source  # build's list is walked and read by position: its adjoint item by item
    assert "out_1 = rt.grown(out, s0)" in text and "out_3 = rt.grown(out_2, s1)" in text
    f = import_text(tmp_path, "import numpy as np\n\n\n" + '''def sliced_each_step(x):
    out = []
    s = 0.0
    for v in x:
        out.append(v ** 2)
        s = s + np.sum(np.array(out[-2:]) * 1.5)
    return s
''').sliced_each_step
    grad = srcdiff.grad(f)
    assert "out_1 = rt.appended(out, s0)" in grad.source  # out[-2:]'s gradient reads each step's list: taped
    np.testing.assert_allclose(grad(X), fd_grad(f, (X,), 0), rtol=1e-6)


def test_generated_code_read_back_appends_as_before(m):
    grad = srcdiff.grad(m.newcomer, wrt=1)
    assert "rt.grown(" in grad.source
    second = srcdiff.grad(grad, wrt=1)
    assert second(X, 0.7) == pytest.approx(fd_grad(grad, (X, 0.7), 1), rel=1e-6)


def test_the_function_does_not_change_what_it_builds_from(m):
    xs = list(X)
    srcdiff.grad(m.passed)(np.array(xs))
    srcdiff.grad(m.newcomer)(xs, 0.7)
    assert xs == list(X)


REFUSED = {
    "param": ("def f(xs, w):\n    xs.append(w)\n    return sum(xs)\n", "xs.append(w)", "is a parameter"),
    "helper_param": ("def add(lst, v):\n    lst.append(v)\n    return lst\n\n"
                     "def f(x, w):\n    out = [x]\n    return sum(add(out, w))\n", "lst.append(v)", "is a parameter"),
    "two_names": ("def f(x, w):\n    a = b = []\n    a.append(x)\n    return sum(b)\n", "a = b = []",
                  "names the same list as another name"),
    "alias": ("def f(x, w):\n    out = [x]\n    other = out\n    out.append(w)\n    return sum(other)\n",
              "out.append(w)", "after it was passed on at line"),
    "stored": ("def f(x, w):\n    out = []\n    box = [out]\n    out.append(x)\n    return sum(box[0])\n",
               "box = [out]", "stored in another container"),
    "into_another": ("def f(x, w):\n    inner = [x]\n    inner.append(w)\n    out = []\n    out.append(inner)\n"
                     "    return out[0][0]\n", "out.append(inner)", "appended to another list"),
    "passed_in_loop": ("def total(ys):\n    return sum(ys)\n\ndef f(x, w):\n    out = [x]\n    s = 0.0\n"
                       "    for k in range(3):\n        s = s + total(out)\n        out.append(w * k)\n    return s\n",
                       "out.append(w * k)", "after it was passed on"),
    "walked": ("def f(x, w):\n    out = [x, w]\n    for y in out:\n        if y < 10.0:\n            out.append(y * 2.0)\n"
               "    return sum(out)\n", "for y in out:", "inside a loop over 'out'"),
    "enumerate_kept": ("def f(x, w):\n    out = [x]\n    e = enumerate(out)\n    out.append(w)\n    s = 0.0\n"
                       "    for i, v in e:\n        s = s + v\n    return s\n", "out.append(w)", "passed on"),
    "pop": ("def f(x, w):\n    out = [x, w]\n    out.append(x)\n    out.pop()\n    return sum(out)\n", "out.pop()",
            "'out.pop' changes the list"),
    "pop_value": ("def f(x, w):\n    out = [x, w]\n    out.append(x)\n    return out.pop()\n", "out.pop()", "changes"),
    "insert": ("def f(x, w):\n    out = []\n    out.append(x)\n    out.insert(0, w)\n    return sum(out)\n",
               "out.insert", "changes the list"),
    "sort": ("def f(x, w):\n    out = [w]\n    out.append(x)\n    out.sort()\n    return sum(out)\n", "out.sort()",
             "changes the list"),
    "sort_only": ("def f(xs, w):\n    xs.sort()\n    return sum(xs) * w\n", "xs.sort()", "changes its list or array in place"),
    "del": ("def f(x, w):\n    out = [x, w]\n    out.append(x)\n    del out[0]\n    return sum(out)\n", "del out[0]", "del"),
    "as_value": ("def f(x, w):\n    out = []\n    y = out.append(x)\n    return sum(out)\n", "y = out.append(x)",
                 "used as a value"),
    "closure": ("def f(x, w):\n    out = [x]\n    g = lambda: sum(out)\n    out.append(w)\n    return g()\n",
                "g = lambda", "nested function or lambda"),
    "bound_otherwise": ("def f(xs, w):\n    out = xs\n    out.append(w)\n    return sum(out)\n", "out = xs",
                        "bound only to a new list"),
    "loop_target": ("def f(rows, w):\n    s = 0.0\n    for out in rows:\n        out.append(w)\n        s = s + sum(out)\n"
                    "    return s\n", "for out in rows", "bound only to a new list"),
    "two_arguments": ("def f(x, w):\n    out = []\n    out.append(x, w)\n    return sum(out)\n", "out.append(x, w)",
                      "takes one argument"),
    "written_after": ("def f(x, w):\n    v = np.zeros(2) + x\n    out = []\n    out.append(v)\n    v[0] = w * x\n"
                      "    return np.sum(out[0])\n", "v[0] = w * x", "read again afterwards"),
    "updated_after": ("def f(x, w):\n    v = np.zeros(2) + x\n    out = []\n    out.append(v)\n    v += w\n"
                      "    return np.sum(out[0])\n", "v += w", "read again afterwards"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_at_the_line(tmp_path, case):
    text, line, message = REFUSED[case]
    module = import_text(tmp_path, "import numpy as np\n\n\n" + text)
    f = module.f
    first = [0.5, 0.25] if case in ("param", "bound_otherwise", "sort_only") else ([[0.5]] if case == "loop_target" else 0.5)
    with pytest.raises(srcdiff.SrcdiffError, match=message) as err:
        srcdiff.grad(f, wrt=1)(first, 0.3)
    assert err.value.hint
    where = module.add if case == "helper_param" else f
    assert_user_error(err.value, where, line)


def test_appends_before_the_list_is_passed_on_are_fine(tmp_path):
    text = ("import numpy as np\n\n\ndef total(ys):\n    return sum(ys) * ys[-1]\n\n\n"
            "def f(x, w):\n    out = [x]\n    for k in range(3):\n        out.append(w * k + x)\n    other = out\n"
            "    return total(other) + total(out)\n")
    f = import_text(tmp_path, text).f
    assert srcdiff.grad(f, wrt=(0, 1))(0.5, 0.3) == pytest.approx((fd_grad(f, (0.5, 0.3), 0), fd_grad(f, (0.5, 0.3), 1)))


GROWN_TWICE = '''
import numpy as np


def read_between(x, w):
    out = []
    for v in x:
        out.append(v * w)
    first = out[0] * out[-1]
    for v in x:
        out.append(np.sin(v * w))
    return sum(out) * first + len(out)


def either(x, w):
    a = []
    b = [w]
    for v in x:
        a.append(v * w)
        b.append(v + w)
    out = a if w > 0.0 else b
    return np.sum(np.array(out) ** 2) + sum(a) * b[-1]


def rows_of_rows(x, w):
    rows = [[v * w * j for j in range(3)] for v in x]
    flat = []
    for row in rows:
        flat.extend(row)
    return sum(flat) * flat[-2] + np.sum(np.array(rows) ** 2)


def rows_walked_and_whole(x, w):
    rows = [[v * w * j for j in range(3)] for v in x]
    s = 0.0
    for row in rows:
        s = s + row[1] * row[2]
    return s + np.sum(np.array(rows) ** 2)
'''


@pytest.mark.parametrize("name", ["read_between", "either", "rows_of_rows", "rows_walked_and_whole"])
def test_lists_read_between_growths_stay_right(tmp_path, name):
    f = getattr(import_text(tmp_path, GROWN_TWICE), name)
    for wrt in (0, 1):
        np.testing.assert_allclose(srcdiff.grad(f, wrt=wrt)(X, 0.7), fd_grad(f, (X, 0.7), wrt), rtol=1e-5, atol=1e-7)
    v = _direction(X)
    grad = srcdiff.grad(f, wrt=0)
    expected = fd_directional(lambda *b: np.asarray(grad(*b)), (X, 0.7), 0, v)
    np.testing.assert_allclose(srcdiff.hvp(f, wrt=0)(X, 0.7, v), expected, rtol=1e-4, atol=1e-6)
    second = srcdiff.grad(srcdiff.grad(f, wrt=1), wrt=1)(X, 0.7)
    assert second == pytest.approx(fd_grad(srcdiff.grad(f, wrt=1), (X, 0.7), 1), rel=1e-5, abs=1e-7)
    if name == "read_between":  # out[0] is read before the second loop grows the list: it is copied there
        assert "rt.grown(" not in srcdiff.grad(f, wrt=0).source
