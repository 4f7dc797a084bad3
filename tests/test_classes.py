"""Models written as classes (issue 12): ``srcdiff.grad(model.loss)`` and
``srcdiff.grad(Model.loss, wrt="self")`` differentiate with respect to the object's numeric
attributes, returning an object of the same class; methods, properties, static and class
methods, ``super()`` are inlined.  Against central differences on every path, with square
shapes and non-uniform weights; refusals by name."""
import numpy as np
import pytest

import srcdiff
from conftest import check_golden, import_text, load_sample
from srcdiff.runtime.trees import leaves, replace_leaves, tree_part
from srcdiff.testing import check_grad

W2 = np.array([[1.0, -2.0], [0.5, 3.0]])
RNG = np.random.default_rng(7)


def act(z):
    return np.tanh(z)


class Model:
    scale = 2.0

    def __init__(self):
        self.W = RNG.normal(size=(2, 2))
        self.b = RNG.normal(size=2)
        self.c = 0.5
        self.name = "model"
        self.layers = 2

    @property
    def weight(self):
        return self.W * self.c

    @staticmethod
    def square(z):
        return z ** 2

    @classmethod
    def penalty(cls, w):
        return cls.scale * np.sum(cls.square(w))

    def forward(self, X):
        return act(X @ self.weight + self.b)

    def loss(self, X, y):
        out = self.forward(X)
        return np.sum(Model.square(out - y) * W2) + 0.1 * self.penalty(self.W)

    @classmethod
    def from_class(cls, x):
        return cls.scale * np.sum(cls.square(x) * W2)


class Doubled(Model):
    def forward(self, X):
        return super().forward(X) * 2.0


class Holder:
    def __init__(self):
        self.inner = Model()
        self.gain = 1.5

    def loss(self, X, y):
        return Model.loss(self.inner, X, y) * self.gain


def fd_self(f, obj, args, eps=1e-6):
    """``{path: d f(obj, *args) / d obj at path}`` for every float attribute, by central differences."""
    out = {}
    for path, value in leaves(obj):
        if isinstance(value, (int, np.integer)) and not isinstance(value, float):
            continue
        value = np.asarray(value, dtype=np.float64)
        grad = np.zeros(value.shape)
        for position in np.ndindex(value.shape):
            for sign in (1.0, -1.0):
                moved = value.copy()
                moved[position] += sign * eps
                grad[position] += sign * f(replace_leaves(obj, {path: moved if moved.shape else float(moved)}), *args) / (2 * eps)
        out[path] = grad
    return out


def _data():
    return RNG.normal(size=(2, 2)), RNG.normal(size=(2, 2))


def _assert_close(got, expected, rel=1e-5, abs=1e-6):
    for path, value in expected.items():
        assert np.asarray(tree_part(got, path)) == pytest.approx(value, rel=rel, abs=abs), path


@pytest.mark.parametrize("cls", [Model, Doubled], ids=["Model", "Doubled (super)"])
def test_bound_method_gradient_is_an_object_of_the_class(cls):
    model, (X, y) = cls(), _data()
    gradient = srcdiff.grad(model.loss)(X, y)
    assert type(gradient) is cls and gradient is not model
    _assert_close(gradient, fd_self(lambda m, X, y: m.loss(X, y), model, (X, y)))
    assert gradient.name == "model" and gradient.layers == 0.0  # kept; an int has a zero gradient
    assert set(vars(gradient)) == set(vars(model))
    check_grad(model.loss, X, y)


def test_unbound_method_with_wrt_self_and_other_parameters():
    model, (X, y) = Model(), _data()
    g_self, g_X = srcdiff.grad(Model.loss, wrt=("self", "X"))(model, X, y)
    _assert_close(g_self, fd_self(lambda m, X, y: m.loss(X, y), model, (X, y)))
    assert g_X == pytest.approx(srcdiff.grad(model.loss, wrt="X")(X, y))
    assert g_X == pytest.approx(srcdiff.grad(model.loss, wrt=0)(X, y))  # the bound method's positions
    value, again = srcdiff.value_and_grad(model.loss)(X, y)
    assert value == pytest.approx(model.loss(X, y)) and np.allclose(again.W, g_self.W)


def test_jvp_hvp_jacobian_explain_of_a_method():
    model, (X, y) = Model(), _data()
    gradient = srcdiff.grad(model.loss)
    v = replace_leaves(model, {p: RNG.normal(size=np.shape(x)) if np.ndim(x) else 0.3
                               for p, x in leaves(model) if isinstance(x, (float, np.ndarray))})
    expected = fd_self(lambda m, X, y: m.loss(X, y), model, (X, y))
    along = sum(float(np.sum(expected[p] * tree_part(v, p))) for p in expected)
    assert srcdiff.jvp(model.loss)(X, y, v) == pytest.approx(along, rel=1e-5)
    eps = 1e-5
    moved = [replace_leaves(model, {p: tree_part(model, p) + s * eps * tree_part(v, p) for p in expected})
             for s in (1.0, -1.0)]
    high, low = (srcdiff.grad(Model.loss, wrt="self")(m, X, y) for m in moved)
    for mode in (None, "reverse"):
        product = srcdiff.hvp(model.loss, wrt="self", mode=mode)(X, y, v)
        assert type(product) is Model
        for p in expected:
            assert tree_part(product, p) == pytest.approx((tree_part(high, p) - tree_part(low, p)) / (2 * eps),
                                                          rel=1e-4, abs=1e-5)
    J = srcdiff.jacobian(model.forward, wrt="self")(X)
    assert J.W.shape == (2, 2, 2, 2) and J.b.shape == (2, 2, 2)
    for i, j in np.ndindex(2, 2):
        assert J.W[i, j] == pytest.approx(fd_self(lambda m, X: m.forward(X)[i, j], model, (X,))[("W",)], abs=1e-6)
    assert srcdiff.hessian(model.loss, wrt="X")(X, y).shape == (2, 2, 2, 2)
    explained = srcdiff.explain(model.loss, X, y)
    assert type(explained.gradients[0]) is Model and np.allclose(explained.gradients[0].W, gradient(X, y).W)


def test_a_class_method_bound_to_its_class():
    x = RNG.normal(size=(2, 2))
    assert srcdiff.grad(Model.from_class)(x) == pytest.approx(2.0 * 2 * x * W2)


def test_an_object_inside_an_object_called_through_its_class():
    holder, (X, y) = Holder(), _data()
    gradient = srcdiff.grad(holder.loss)(X, y)
    assert type(gradient) is Holder and type(gradient.inner) is Model
    _assert_close(gradient, fd_self(lambda h, X, y: h.loss(X, y), holder, (X, y)))


def test_a_subclass_object_is_refused_by_the_gradient_built_for_the_parent():
    gradient, (X, y) = srcdiff.grad(Model.loss, wrt="self"), _data()
    with pytest.raises(srcdiff.SrcdiffError, match="built for Model objects") as info:
        gradient(Doubled(), X, y)
    assert "def loss(self, X, y):" in info.value.line_text
    assert "rt.check_class(self, Model)" in gradient.source


def test_the_sample_class_model(update_golden):
    sample = load_sample("class_model")
    model = sample.TwoLayerNet(4, 4, 3, seed=1)
    X, y = RNG.normal(size=(5, 4)), np.array([0, 2, 1, 2, 0])
    gradient = srcdiff.grad(model.loss)(X, y)
    assert sorted(vars(gradient)) == ["W1", "W2", "b1", "b2"]
    _assert_close(gradient, fd_self(lambda m, X, y: m.loss(X, y), model, (X, y)))
    check_grad(model.loss, X, y, wrt="self")
    check_golden("class_model.TwoLayerNet.loss", srcdiff.grad(sample.TwoLayerNet.loss, wrt="self").source,
                 update_golden)
    first = model.loss(X, y)
    for _ in range(50):
        grads = srcdiff.grad(model.loss)(X, y)
        for name in ("W1", "b1", "W2", "b2"):
            setattr(model, name, getattr(model, name) - 0.5 * getattr(grads, name))
    assert model.loss(X, y) < 0.5 * first


def test_redefining_a_method_builds_again(tmp_path):
    module = import_text(tmp_path, "import numpy as np\n\nclass M:\n    def __init__(self):\n        self.w = 2.0\n\n"
                                   "    def f(self, x):\n        return self.w * x\n\n"
                                   "    def loss(self, x):\n        return self.f(x) ** 2\n")
    model = module.M()
    assert srcdiff.grad(model.loss)(3.0).w == pytest.approx(2 * 6.0 * 3.0)
    module.M.f = quadratic_f  # the class changed: the cached gradient is not used again
    assert srcdiff.grad(model.loss)(3.0).w == pytest.approx(2 * 2.0 * 3.0 ** 4)


def quadratic_f(self, x):
    return self.w * x * x


# ---------------------------------------------------------------- refused, by name

class Refused:
    def __init__(self):
        self.W = np.eye(2)
        self.act = np.tanh

    def writes(self, x):
        self.W = self.W * 2.0
        return np.sum(self.W * x)

    def dynamic(self, x):
        return np.sum(getattr(self, "W") * x)

    def stored_function(self, x):
        return np.sum(self.act(self.W @ x))

    def method_as_value(self, x):
        f = self.writes
        return f

    def missing(self, x):
        return self.helper(x)


def plain_function(model, x):
    return np.sum(model.forward(x))


@pytest.mark.parametrize("method, line, message", [
    (Refused().writes, "self.W = self.W * 2.0", "writing to the attribute 'self.W'"),
    (Refused().dynamic, 'getattr(self, "W")', "an attribute named at run time"),
    (Refused().stored_function, "self.act(self.W @ x)", "srcdiff cannot call a function stored in an attribute"),
    (Refused().method_as_value, "self.writes", "is a method"),
    (Refused().missing, "self.helper(x)", "'self.helper' is an attribute of the object, not a method of Refused"),
], ids=["write", "getattr", "stored function", "method as value", "missing"])
def test_refused_with_a_clear_error(method, line, message):
    with pytest.raises(srcdiff.SrcdiffError, match=message) as info:
        srcdiff.grad(method)(np.eye(2))
    assert info.value.filename == __file__ and line in info.value.line_text


def test_a_method_of_an_object_whose_class_is_not_known_is_refused_with_the_way_out():
    with pytest.raises(srcdiff.SrcdiffError, match=r"method '.forward\(\)' is not supported") as info:
        srcdiff.grad(plain_function, wrt=0)(Model(), np.eye(2))
    assert "srcdiff.grad(model.loss)" in info.value.hint and "model.forward(x)" in info.value.line_text


def local_class_loss():
    class Local:
        def __init__(self):
            self.w = 1.5

        def f(self, x):
            return self.w * x

        def loss(self, x):
            return self.f(x) * x
    return Local


def test_a_class_defined_in_a_function_works_bound_and_is_refused_unbound():
    Local = local_class_loss()
    assert srcdiff.grad(Local().loss)(2.0).w == pytest.approx(4.0)
    with pytest.raises(srcdiff.SrcdiffError, match="method '.f()' is not supported|method '.f\\(\\)'"):
        srcdiff.grad(Local.loss, wrt="self")(Local(), 2.0)


class Linear:
    def __init__(self, bias):
        self.W = RNG.normal(size=(2, 2))
        self.use_bias = bias
        self.b = RNG.normal(size=2) if bias else None

    def loss(self, x):
        y = x @ self.W
        if self.use_bias:
            y = y + self.b
        return np.sum(np.tanh(y) * W2)


@pytest.mark.parametrize("bias", [True, False])
def test_an_attribute_that_is_none_on_the_path_not_taken(bias):
    model, x = Linear(bias), RNG.normal(size=(2, 2))
    gradient = srcdiff.grad(model.loss)(x)
    _assert_close(gradient, fd_self(lambda m, x: m.loss(x), model, (x,)))
    assert (gradient.b is None) == (not bias) and gradient.use_bias is bias
    for mode in (None, "reverse"):
        product = srcdiff.hvp(model.loss, wrt="self", mode=mode)(x, gradient)
        assert type(product) is Linear and (product.b is None) == (not bias)
