"""NumPy's random state, saved and set back: what ``srcdiff.jacobian`` and ``srcdiff.hessian``
need so that each row, one call of a product, draws the noise one call of the function draws.
Not called by generated code.
"""
import numpy as np


def random_rewinder(args):
    """A function setting NumPy's global random state, and that of every generator among
    ``args``, back to what they are now: the rows of a Jacobian or Hessian each draw the
    noise one call of the function draws (a gradient call draws its own, once)."""
    generators = [(a.bit_generator, a.bit_generator.state) for a in args if isinstance(a, np.random.Generator)]
    legacy = [(a, a.get_state()) for a in args if isinstance(a, np.random.RandomState)]
    state = np.random.get_state()

    def rewind():
        np.random.set_state(state)
        for bits, saved in generators:
            bits.state = saved
        for generator, saved in legacy:
            generator.set_state(saved)
    return rewind
