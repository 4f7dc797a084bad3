"""Issue 11: a method's gradient inlines the methods its class resolves; an attribute of the
object's own under a method's name (``model.forward = other``, ``mock.patch.object``) makes
Python call that attribute instead.  Every derivative built from the method refuses such an
object at the method's ``def`` (before: the class's method was differentiated, silently),
also when the attribute is set after the gradient was built; other objects keep working."""
import gc
import weakref
from unittest import mock

import numpy as np
import pytest

import srcdiff
from srcdiff.runtime.instances import shadows_method
from trust_helpers import assert_user_error, fd_grad

WEIGHTS = np.array([1.0, -2.0, 3.0])
W = np.array([[0.5, -0.3, 0.8], [0.2, 0.9, -0.4], [-0.7, 0.1, 0.6]])
X = np.array([0.3, -0.6, 0.9])


class Model:
    scale = 1.5

    def __init__(self, W):
        self.W = W

    def forward(self, x):
        return np.tanh(self.W @ x)

    @staticmethod
    def squash(z):
        return z * z

    def loss(self, x):
        return np.sum(self.squash(self.forward(x)) * WEIGHTS) * self.scale


class Slotted:
    __slots__ = ("a",)

    def __init__(self, a):
        self.a = a

    def helper(self, x):
        return self.a * x * x

    def f(self, x):
        return self.helper(x) + x


def shadowed(name="forward"):
    model = Model(W.copy())
    setattr(model, name, lambda x: x)
    return model


DERIVATIVES = {
    "grad": lambda m: srcdiff.grad(m.loss, wrt="x")(X),
    "grad self": lambda m: srcdiff.grad(m.loss)(X),
    "unbound": lambda m: srcdiff.grad(Model.loss, wrt="self")(m, X),
    "value_and_grad": lambda m: srcdiff.value_and_grad(m.loss, wrt="x")(X),
    "jvp": lambda m: srcdiff.jvp(m.loss, wrt="x")(X, WEIGHTS),
    "hvp": lambda m: srcdiff.hvp(m.loss, wrt="x")(X, WEIGHTS),
    "hessian": lambda m: srcdiff.hessian(m.loss, wrt="x")(X),
    "explain": lambda m: srcdiff.explain(m.loss, X),
}


@pytest.mark.parametrize("derivative", DERIVATIVES)
@pytest.mark.parametrize("name", ["forward", "squash"])
def test_an_own_attribute_hiding_a_method_is_refused(derivative, name):
    with pytest.raises(srcdiff.SrcdiffError, match=f"attribute '{name}' of its own, hiding the method Model.{name}") as info:
        DERIVATIVES[derivative](shadowed(name))
    assert_user_error(info.value, Model.loss)


def test_an_attribute_set_after_the_gradient_was_built_is_refused():
    model = Model(W.copy())
    gradient = srcdiff.grad(model.loss, wrt="x")
    expected = fd_grad(lambda x: model.loss(x), (X,), 0)
    np.testing.assert_allclose(gradient(X), expected, rtol=1e-6)
    with mock.patch.object(model, "forward", lambda x: np.sin(x)):
        with pytest.raises(srcdiff.SrcdiffError, match="hiding the method Model.forward"):
            gradient(X)
        with pytest.raises(srcdiff.SrcdiffError, match="hiding the method Model.forward"):
            srcdiff.grad(model.loss, wrt="x")(X)
    np.testing.assert_allclose(gradient(X), expected, rtol=1e-6)  # the attribute gone, the method runs again


def test_other_attributes_and_objects_without_a_dict_still_work():
    model = Model(W.copy())
    model.note = "a string"  # not a method's name
    model.scale = 2.5  # a class constant of its own: read as an attribute, as Python does
    expected = fd_grad(lambda x: model.loss(x), (X,), 0)
    np.testing.assert_allclose(srcdiff.grad(model.loss, wrt="x")(X), expected, rtol=1e-6)
    obj = Slotted(1.5)
    assert srcdiff.grad(obj.f, wrt="x")(0.5) == pytest.approx(2 * 1.5 * 0.5 + 1)


def test_an_object_of_a_class_defined_again_is_refused_saying_so():
    namespace = {"np": np}
    exec("class Model:\n    def forward(self, x):\n        return x\n", namespace)  # the class defined again
    other = namespace["Model"]()
    other.W = W.copy()
    with pytest.raises(srcdiff.SrcdiffError, match="another definition of the class") as info:
        srcdiff.grad(Model.loss, wrt="x")(other, X)
    assert_user_error(info.value, Model.loss)


def test_the_look_for_shadowed_methods_lets_classes_go():
    """The method names read per class are kept only while the class lives: a class defined
    again and again (a notebook cell, a test) is not held by srcdiff."""
    class Model:
        def forward(self, x):
            return x

    model = Model()
    assert not shadows_method(model)
    model.forward = len
    assert shadows_method(model)
    gone = weakref.ref(Model)
    del Model, model
    gc.collect()
    assert gone() is None
