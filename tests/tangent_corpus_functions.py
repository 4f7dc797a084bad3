"""Small functions in the families that Tangent's and micrograd's own test suites exercise
(scalar arithmetic, branches, loops, helpers, NumPy calls, subscripts, containers), written
anew for srcdiff's ``test_trust_tangent_corpus.py``.

Parameter names say what a case passes: ``a``, ``b``, ``c`` floats, ``n`` and ``i`` small
ints, ``x`` and ``h`` vectors, ``M``, ``U``, ``W`` matrices, ``t`` a tuple of floats, ``d`` a
dict of floats, ``p`` a dict of dicts.
"""
import math

import numpy as np

ROW_WEIGHTS = np.array([0.5, -1.25, 2.0])


# ---------------------------------------------------------------- helpers the cases call

def times(u, v):
    return u * v


def plus(u, v):
    return u + v


def times_via_helper(u, v):
    return times(u, v)


def relu_int_zero(v):
    return 0 if v < 0 else v


def relu_max(v):
    return max(v, 0.0)


def dict_fma(q):
    return q["a"] * q["b"] + q["c"]


# ---------------------------------------------------------------- straight-line scalar code

def same(a):
    return a


def passed_on(a):
    b = a
    return b


def flipped(a):
    return -a


def bumped_by_int(a):
    return a + 1


def fma(a, b, c):
    return a * b + c


def fma_by_helpers(a, b, c):
    return plus(times(a, b), c)


def fma_in_steps(a, b, c):
    first = a * b
    second = first + c
    return second


def fma_rebound(a, b, c):
    s = a * b
    s = s + c
    return s


def names_like_generated_ones(a):
    grad_a = a * a
    da = grad_a + a
    tape = da * 0.5
    return tape + grad_a


def rebinds_its_parameter(a):
    a = a * 1.75
    return a


def rebinds_a_copy(a):
    b = a
    b = b * -2.5
    return b


def cube_by_products(a):
    return a * a * a


def cube_by_power(a):
    return a ** 3


def squared_twice(a):
    a = a * a
    return a * a


def chain_of_squares(a):
    b = a
    b = a * a
    c = b * b
    e = c * c
    return e


def chain_of_helper_squares(a):
    b = times(a, a)
    c = times(b, b)
    return times(c, c)


def nested_helper_call(a, b):
    return times_via_helper(a, b) + a


def augmented_ops(a):
    y = a * a
    y *= y
    y += a
    y -= 0.5 * a
    y /= a * a + 2.0
    y **= 2
    return y


def unused_parameter(a, b):
    return a * 3.0


def constant_result(a):
    return 2.0


# ---------------------------------------------------------------- a constant on either side, or a twice

def const_times(a):
    return a * 2.5


def times_const(a):
    return 2.5 * a


def self_times(a):
    return a * a


def over_const(a):
    return a / 4.0


def const_over(a):
    return 4.0 / a


def self_over(a):
    return a / a


def minus_const(a):
    return a - 4.0


def const_minus(a):
    return 4.0 - a


def self_minus(a):
    return a - a


def plus_const(a):
    return a + 4.0


def const_plus(a):
    return 4.0 + a


def self_plus(a):
    return a + a


# ---------------------------------------------------------------- branches

def scaled_by_sign(a):
    if a > 0:
        a = a * 3.0
    else:
        a = a * 2.0
    return a


def nested_branches(a):
    if a > 0:
        if a < 10:
            a = a * a
    else:
        a = 3.0 * a
    return a


def busy_branches(a):
    if a * a / 2.0 > 0.3:
        k = 2.0
    else:
        k = 5.0
    a = a * k
    if a < k - a * k:
        a = a * a
    elif a > k + 2.0 * a:
        if a / 3.0 < 0:
            a = a / k
        else:
            a = a * k
    else:
        a = -a
    return a


def two_branches_in_a_row(a):
    if a > 0:
        a = a * a
    a = a + a
    if a < 0:
        a = 3.0 * a
    return a


def branch_on_two_parameters(a, b):
    if a > b:
        a = a * a
    else:
        a = a * b
    return a


def branch_inside_branch_with_else(a):
    if a > 0:
        a = a * 3.0
        if a < 2.5:
            a = a * a
        else:
            a = a * 2.0
    return a


def elif_chain(a):
    if a > 0.5:
        a = a * 3.0
    elif 0 > a:
        a = a * 2.0
    else:
        a = 1.0 * a
    return a


def root_of_magnitude(a):
    if a >= 0:
        r = np.sqrt(a)
    else:
        r = np.sqrt(-a)
    return r


def power_of_magnitude(a, b):
    if a >= 0:
        a = a ** b
    else:
        a = (-a) ** b
    return a


def branch_with_helper_calls(a, b):
    if a > b:
        out = times(a, b)
    else:
        out = times(b, a)
    return out


# ---------------------------------------------------------------- loops

def repeated_squares(a, n):
    for i in range(n):
        a = a * a
    return a


def two_loops_in_a_row(a, n):
    for i in range(n):
        a = a * a
    a = 2.0 * a
    for i in range(n + 1):
        a = a * 3.0
    return a


def branch_then_loop(a, n):
    if a > 0:
        a = a * a
    a = 2.0 * a
    for i in range(n):
        a = a * a
    return a


def loop_then_branch(a, n):
    for i in range(n):
        a = a * a
    a = 2.0 * a
    if a > 0:
        a = a * a
    return a


def product_from_int_one(a):
    out = 1
    for i in range(3):
        out = out * a
    return out


def product_from_a(a):
    out = a
    for i in range(3 - 1):
        out = out * a
    return out


def fixed_squares(a):
    for i in range(3):
        a = a * a
    return a


def squares_while_small(a):
    for i in range(3):
        if a < 3:
            a = a * a
    return a


def squares_if_small(a):
    if a < 3:
        for i in range(3):
            a = a * a
    return a


def nested_loops(a):
    for i in range(2):
        for j in range(2):
            a = a * a
    return a


def cubes_in_a_loop(a):
    for i in range(2):
        a = a * a * a
    return a


def loop_with_helper(a, n):
    for i in range(n):
        a = times(a, a)
    return a


def loop_with_nested_def(a, n):
    def scaled(a, n):
        return a * n

    for i in range(n):
        a = scaled(a, a)
    return a


def halving_while_large(a):
    while np.abs(a) > 0.1:
        a = a * 0.5
    return a


def halving_while_large_builtin(a):
    while abs(a) > 0.1:
        a = a / 2.0
    return a


def counting_loop(a):
    k = 0
    while k < 3:
        a = a * a + 0.5 * a
        k += 1
    return a


def loop_with_break(a, n):
    for i in range(n):
        a = a * 1.5
        if a > 2.0:
            break
    return a


def loop_with_continue(a, n):
    total = 0.0
    for i in range(n):
        if i % 2 == 1:
            continue
        total = total + a * i
    return total


# ---------------------------------------------------------------- NumPy functions of numbers

def np_exp(a):
    return np.exp(a)


def np_exp_of_exp(a):
    return np.exp(np.exp(a))


def np_cos(a):
    return np.cos(a)


def np_sin(a):
    return np.sin(a)


def np_tan(a):
    return np.tan(a)


def np_cosh(a):
    return np.cosh(a)


def np_sinh(a):
    return np.sinh(a)


def np_tanh(a):
    return np.tanh(a)


def np_arccos(a):
    return np.arccos(a)


def np_arcsin(a):
    return np.arcsin(a)


def np_arctan(a):
    return np.arctan(a)


def np_multiply(a):
    return np.multiply(a, 3.0)


def np_log_of_square(a):
    return np.log(a * a + 1.0)


def math_mix(a, b):
    return math.exp(a) * math.sin(b) + math.sqrt(a * a + b * b)


# ---------------------------------------------------------------- NumPy arrays, subscripts

def np_sum(x):
    return np.sum(x)


def np_sum_of_array(x):
    return np.sum(np.array(x))


def rebound_to_its_sum(x):
    x = np.sum(x)
    x = x * x
    return x


def np_mean(x):
    return np.mean(x)


def at_least_1d(x):
    return np.sum(np.atleast_1d(x) * 1.5)


def at_least_2d(x):
    return np.sum(np.atleast_2d(x) ** 2)


def at_least_3d(x):
    return np.sum(np.atleast_3d(x) * x[0])


def two_items(x):
    first = x[0]
    second = x[1]
    return first * second


def tail_slice(x):
    return np.sum(x[1:] ** 2)


def strided_new_axis(x):
    return np.sum(x[::2, np.newaxis] * x[1])


def list_of_number_and_items(x):
    b = [1, x[0] * x[1] * x[2], 3]
    return np.sum(b)


def list_with_a_number(a):
    b = [1, a * a, 2]
    return np.sum(b)


def list_read_by_index(a):
    xs = [1.5, a, 3.0]
    return xs[0] * xs[1]


def sum_by_iteration(x):
    total = 0.0
    for v in x:
        total += v * v
    return total


def comprehension_sum(x):
    return np.sum([v * 3 for v in x])


def item_write_into_parameter(x):
    first = x[0]
    second = x[1]
    x[0] = first * second
    return np.sum(x)


def item_write_into_a_copy(x):
    y = x ** 2.0
    z = x.copy()
    z[0] = y[1] * y[2]
    return np.sum(z * y)


def copied_item_by_item(x):
    y = np.zeros_like(x)
    for i in range(len(x)):
        y[i] = x[i] * (i + 1.0)
    return np.sum(y * x)


def rows_filled_from_items(x):
    h = np.zeros((len(x), 3))
    for k in range(len(h)):
        h[k] = x[k]
    return np.sum(h * ROW_WEIGHTS)


def recurrence(M, W):
    h = np.zeros((4, 3))
    for k in range(3):
        h[k + 1] = np.dot(M[k], W) + h[k]
    return np.sum(h[1:] * ROW_WEIGHTS)


def logistic_loss(x, label, W, b):
    logits = np.dot(x, W) + b
    prob = 0.5 * (np.tanh(logits) + 1)
    chance = prob * label + (1 - prob) * (1 - label)
    return -np.sum(np.log(chance))


def bilinear(x, h, U, W, b):
    y = np.dot(x, W)
    y = y + np.dot(h, U)
    y = y + b
    y = np.tanh(y)
    return np.sum(y * ROW_WEIGHTS)


def determinant(M):
    return np.linalg.det(M)


# ---------------------------------------------------------------- containers

def unpacked_triple(t):
    a, b, c = t
    return a * b + c


def dict_of_floats(d):
    return d["a"] * d["b"] + d["c"]


def dict_built_for_a_helper(t):
    a, b, c = t
    return dict_fma(dict(a=a, b=b, c=c))


def dict_display_for_a_helper(a, b, c):
    return dict_fma({"a": a, "b": b, "c": c})


def tuple_indexed_by_parameter(a, b, c, i):
    packed = a, b, c
    return packed[i]


def list_indexed_by_parameter(a, b, c, i):
    packed = [a, b * 2.0, c * c]
    return packed[i]


def first_of_triple(t):
    a, b, c = t
    return a


def dict_of_dicts(p):
    return p["i"]["j"] * p["i"]["k"]


# ---------------------------------------------------------------- more than one result (jvp only)

def polar(a, b):
    r = np.sqrt(a ** 2.0 + b ** 2.0)
    theta = np.arctan2(b, a)
    return r, theta


def doubled_and_same(a):
    return 2 * a, a


# ---------------------------------------------------------------- micrograd's engine checks, as plain floats

def sanity_relu_helper(x):
    z = 2 * x + 2 + x
    q = relu_int_zero(z) + z * x
    h = relu_int_zero(z * z)
    return h + q + q * x


def sanity_relu_max(x):
    z = 2 * x + 2 + x
    q = relu_max(z) + z * x
    h = relu_max(z * z)
    return h + q + q * x


def sanity_relu_mask(x):
    z = 2 * x + 2 + x
    q = z * (z > 0) + z * x
    h = np.maximum(z * z, 0)
    return h + q + q * x


def more_ops(a, b):
    c = a + b
    e = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    e += e * 2 + relu_int_zero(b + a)
    e += 3 * e + relu_int_zero(b - a)
    diff = c - e
    f = diff ** 2
    g = f / 2.0
    g += 10.0 / f
    return g


def more_ops_inline_relu(a, b):
    c = a + b
    e = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    s = b + a
    e = e + e * 2 + (s if s > 0 else 0.0)
    s = b - a
    e = e + 3 * e + (s if s > 0 else 0.0)
    f = (c - e) ** 2
    return f / 2.0 + 10.0 / f


# ---------------------------------------------------------------- micrograd's other operators and its MLP

def reciprocal_and_power(a, b):
    return 2.0 / a + a ** -1 + b ** 2.5 - (1.0 - b) + (-a) * b


def neuron(ws, bias, xs):
    act = sum((w * x for w, x in zip(ws, xs)), bias)
    return relu_int_zero(act)


def layer_then_neuron(W, bs, w_out, b_out, xs):
    hidden = [neuron(w, b, xs) for w, b in zip(W, bs)]
    return neuron(w_out, b_out, hidden)


def squared_error_of_mlp(W, bs, w_out, b_out, xs, target):
    out = layer_then_neuron(W, bs, w_out, b_out, xs)
    return (out - target) ** 2


def tanh_neuron(ws, bias, xs):
    act = bias
    for w, x in zip(ws, xs):
        act = act + w * x
    e = math.exp(2 * act)
    return (e - 1) / (e + 1)


# ---------------------------------------------------------------- rebinding a name to other kinds of values

def rebound_to_a_list_and_back(a):
    y = a
    y = [a, a * 2.0]
    y = y[1] * y[0]
    return y + a


def tuple_indexed_by_constant(a, b, c):
    packed = a, b * 2.0, c
    return packed[1] * packed[-1]


def pair_from_helper(a, b):
    first, second = split_pair(a, b)
    return first * second


def split_pair(u, v):
    return u + v, u - v


# ---------------------------------------------------------------- more ordinary Python around the same families

def swapped_in_a_loop(a, b, n):
    for i in range(n):
        a, b = b, a * b + 0.5
    return a + 2.0 * b


def chained_targets(a):
    u = v = a * 2.0
    u = u * v
    return u + v


def chained_comparison(a):
    if -0.5 < a < 1.0:
        return a * a * 3.0
    return a + 1.0


def steps_down(a, n):
    out = a
    for i in range(n, -1, -1):
        out = out * a + i
    return out


def steps_by_two(a, n):
    out = 0.0
    for i in range(1, 2 * n, 2):
        out = out + a ** i
    return out


def early_return_in_loop(a, n):
    for i in range(n):
        a = a * 1.3
        if a > 1.5:
            return a * a
    return a


def conditional_in_loop(a, n):
    for i in range(n):
        a = a * 0.9 if a > 0 else a * a + 0.2
    return a


def builtins_of_numbers(a, b):
    return abs(a - b) + max(a, b, 0.25) * min(a * b, 1.0) + (a * a + b * b) ** 0.5


def sum_and_prod_of_lists(a, b):
    xs = [a, b, a * b]
    return sum(xs) * math.prod(xs) + sum(x * x for x in xs)


def accumulated_items(x):
    y = np.zeros_like(x)
    for i in range(1, len(x)):
        y[i] += x[i] * x[i - 1]
        y[i - 1] -= 0.5 * x[i]
    return np.sum(y * np.arange(1.0, len(x) + 1.0))


def shifted_slice_write(x):
    y = np.zeros_like(x)
    y[1:] = x[:-1] * 2.0
    y[0] = x[-1]
    return np.sum(y * y * np.arange(1.0, len(x) + 1.0))


def pairs_from_helper_in_loop(a, n):
    s, t = a, 1.0
    for i in range(n):
        s, t = split_pair(s * 0.5, t)
    return s * t


def matrix_power_loop(M, n):
    P = np.eye(3)
    for i in range(n):
        P = P @ M
    return np.sum(P * ROW_WEIGHTS)


def while_with_two_exits(a):
    k = 0
    while k < 10:
        a = a * 1.2 + 0.1
        k += 1
        if a > 3.0:
            break
    return a * k


def norm_and_normalize(x):
    n = np.sqrt(np.sum(x * x))
    unit = x / n
    return np.sum(unit * ROW_WEIGHTS) * n ** 1.5
