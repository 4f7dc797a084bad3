"""Print and run the gradient of the lecture's first example: python samples/demo.py"""
import srcdiff


def f(x, y, z):
    q = x + y
    return q * z


grad_f = srcdiff.grad(f)
print(grad_f.source)
print("grad at (x, y, z) = (-2, 5, -4):", grad_f(-2.0, 5.0, -4.0))
