"""The seeds' modular API: a Multiply gate as a srcdiff.Function (forward stashes, backward multiplies)."""
import srcdiff


class Multiply(srcdiff.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)  # need to stash some values for use in backward
        z = x * y
        return z

    @staticmethod
    def backward(ctx, grad_z):  # upstream gradient
        x, y = ctx.saved_tensors
        grad_x = y * grad_z  # dz/dx * dL/dz
        grad_y = x * grad_z  # dz/dy * dL/dz
        return grad_x, grad_y


def f(x, y, z):
    return Multiply.apply(x + y, z)
