"""Issue 11: what is not a function is refused saying what it is: an object called through its
``__call__`` method (differentiate ``obj.__call__``, which works) and, for ``export``, a bound
method (its class cannot be written into the module), not "a built-in or NumPy function"."""
import numpy as np
import pytest

import srcdiff


class Quadratic:
    def __init__(self, a):
        self.a = a

    def __call__(self, x):
        return self.a * x * x

    def loss(self, x):
        return np.sum(self.a * x ** 3)


@pytest.mark.parametrize("make", [srcdiff.grad, srcdiff.value_and_grad, srcdiff.hvp, srcdiff.jacobian, srcdiff.jvp])
def test_an_object_with_call_is_refused_with_a_hint(make):
    with pytest.raises(srcdiff.SrcdiffError, match=r"Quadratic object, called through its __call__ method") as info:
        make(Quadratic(2.0))
    assert "srcdiff.grad(obj.__call__)" in str(info.value)
    assert info.value.filename == __file__


def test_its_call_method_is_differentiated():
    assert srcdiff.grad(Quadratic(2.0).__call__, wrt="x")(3.0) == pytest.approx(12.0)


def test_export_of_a_bound_method_says_so(tmp_path):
    with pytest.raises(srcdiff.SrcdiffError, match="it is a bound method") as info:
        srcdiff.export(Quadratic(2.0).loss, str(tmp_path / "out.py"), wrt="x")
    assert "module-level function" in str(info.value)
    assert not (tmp_path / "out.py").exists()


def test_builtins_keep_their_message():
    with pytest.raises(srcdiff.SrcdiffError, match="a built-in or NumPy function"):
        srcdiff.grad(np.sin)
