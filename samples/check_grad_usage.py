"""check_grad in a user's own pytest suite: srcdiff's gradient against finite differences.

    def test_smooth_hinge():
        check_grad(smooth_hinge, 0.3, 1.5)              # every parameter
        check_grad(smooth_hinge, 0.3, 1.5, wrt="w")     # one of them
"""
import math


def smooth_hinge(w, x):
    margin = 1.0 - w * x
    return math.log(1.0 + math.exp(margin)) + 0.1 * w * w
