"""The runtime: what generated code calls, bound to the name ``rt`` in its globals.

Contract: every public name here is a plain function (or ``Context``) that works on
Python numbers, NumPy scalars and NumPy arrays (the array helpers on Dask arrays too,
lazily: ``lazy``; the helpers generated code of the Array API calls also on arrays of other
libraries, through ``namespace``), keeps its input's type (a float stays a
float) and has a gradient rule of its own in ``srcdiff.rules``, so that generated code
can be differentiated again.  Imports only ``errors``: it is the bottom layer, small
enough to be copied next to generated code.

| module | helpers |
| --- | --- |
| ``scalars`` | ``sign``, ``log``, ``xlogy``, ``div_or_zero``, ``scaled_pow``, ``zeros_like``, ``items_zeros``, ``whole_zeros``, ``owned_whole``, ``item_grad``, ``items_like``, ``vdot``, ``unpacked``, ``unpacked_at_least``, ``zero_gradient`` |
| ``special`` | ``digamma``, ``polygamma``, ``sinc_derivative`` |
| ``sequences`` | ``appended`` (lists built by comprehensions and ``append``), ``grown`` (the same in place), ``but_last`` (the gradient of the list before an append), ``argmax_item``, ``argmin_item``, ``sorted_order`` (``sorted``), ``keys_of`` (the keys a loop over a dict walks) |
| ``arrays`` | the array gradients: ``unbroadcast``, ``like``, the reductions' ``*_grad``; forward mode's ``broadcast_like`` (a tangent broadcast to its result's shape) |
| ``indexing`` | indexing and joining: ``index_grad`` (``index_grads``: several basic reads into one array), ``setitem``, ``written_grad``, the joins' gradients; ``tangent_like`` (a list parameter's tangent as a list), ``if_inexact`` (nothing through a store into integers) |
| ``checks`` | ``check_scalar`` (a result is one real number), ``check_direction`` (grad(grad) through loops), ``check_number_update`` (an ``x += v`` read again elsewhere: a number, not an array NumPy would update in place), ``check_sequence`` (a value from the arguments read by position where the code iterates it: no dict, set or iterator), ``check_mapping`` (a loop over ``d.values()``: a dict) |
| ``shapes`` | the gradients of shape and order functions: ``repeat_grad``, ``tile_grad``, ``pad_grad``, ``rollaxis_grad``, ``diff_grad``, ``gradient_grad``/``gradient_along`` (``np.gradient``), ``unsort``/``sort_like``, ``part_grad``/``part_of`` (``np.split``), ``concatenate_items``/``stack_items``/``split_items`` (a sequence given as one value) |
| ``orders`` | ``prod_grad``, ``prod_hvp``, ``cumprod_grad``, ``cumprod_tangent``, ``cumprod_hvp``; ``quantile_grad``, ``quantile_tangent`` (median, percentile, quantile) |
| ``products`` | the gradients of ``@``, ``np.dot`` and ``np.inner`` for every operand rank |
| ``namespaces`` | ``namespace``: NumPy itself for NumPy values (the fast path), else NumPy's names over the values' Array API namespace (array-api-compat), on their device |
| ``scatter`` | ``scatter_add``: ``x[index]``'s gradient for arrays of any library (no ``np.add.at``) |
| ``arguments`` | ``ArrayGradientError``; ``not_real`` (used off the fast paths, and by explain mode; no rule) |
| ``custom`` | ``Context`` and the ``srcdiff.Function`` base class; ``function_gradients``, ``function_gradient`` (what a backward returned, checked) |
| ``tensors`` | ``einsum_to`` and the gradients of ``tensordot``, ``kron``, ``trace``, ``diagonal``, ``diag`` |
| ``linalg`` | ``mT``, triangles, ``solve``'s right-hand sides, the factors of decompositions one at a time, eigenvector and singular-vector gradients |
| ``random_state`` | NumPy's random state saved and set back (``random_rewinder``, for the rows of ``jacobian`` and ``hessian``); not called by generated code |
| ``lazy`` | Dask arrays recognised without importing Dask (``is_lazy``), the array module of arguments (``array_module``), ``spread_to`` (a broadcast chunked as the data); no rules: they are not called by generated code |
| ``results`` | ``result_grad``, ``result_part``: the adjoint of a tuple of gradients gathered part by part (a gradient penalty through loops) |
| ``numerics`` | what lowering writes some NumPy calls with: ``item``, ``outer_operand`` (``ufunc.outer``), ``full_rank`` (``lstsq``), ``along_axis_index`` (``take_along_axis``), ``take_index`` (``take``), ``partition_order`` (``partition``), ``vander_column`` (``vander``), ``kept_positions`` (``delete``), ``average_weights``/``weights_total`` (``average``), ``running_extreme_index`` (``maximum.accumulate``), ``observation_rows``/``observation_rows_grad`` (``cov``), ``convolve_index``/``convolve_mask`` (``convolve``, ``correlate``) |
| ``item_adjoints`` | ``ItemAdjoints``: the adjoint of a list or tuple whose items differ in shape (a layer's ``(W, b)``), one per item, added item by item; what ``index_grad``, ``item_grad``, ``zeros_like`` and ``items_zeros`` give for one, and ``like`` and ``items_like`` give back in its own type; ``KeyedAdjoints``: a dict's read at keys known at run time, one per key read (``index_grad``, ``whole_zeros``; given back by ``tree_grad``) |
| ``absent`` | ``item_or_absent``: an item read only on some paths, absent where the argument is shorter |
| ``trees`` | ``tree_grad`` (the gradient of a container parameter, in its structure), ``tree_part``; ``tree_arithmetic``: ``tree_vdot``, ``tree_scale`` (leaf by leaf) |
| ``instances`` | ``check_class``, ``shadows_method``: the object a method's gradient was built for (its class, no method hidden by an attribute of its own) |
"""
import numpy as np

from .arguments import ArrayGradientError, not_real
from .arrays import (broadcast_like, cumsum_grad, like, max_grad, mean_grad, min_grad, norm_grad, std_grad,
                     sum_grad, unbroadcast, var_grad)
from .indexing import (concatenate_grad, concatenate_place, hstack_grad, hstack_place, if_inexact, index_grad,
                       index_grads, setitem, tangent_like, vstack_grad, vstack_place, written_grad)
from .checks import check_direction, check_mapping, check_number_update, check_scalar, check_sequence
from . import linalg, tensors
from .custom import Context, Function, function_gradient, function_gradients
from .linalg import (eig_compose, eig_project, eigh_vectors, inv_t, inverse_gaps, logabsdet, lower_half, mT, qr_q,
                     qr_q_tangent, qr_r, qr_r_tangent, rhs_outer, rhs_times, slogdet_sign, solve_t, svd_u, svd_u_grad,
                     svd_u_tangent, svd_vh, svd_vh_grad, svd_vh_tangent, sym_lower, sym_lower_grad, tall_r)
from .products import (dot_grad_left, dot_grad_right, inner_grad_left, inner_grad_right, matmul_grad_left,
                       matmul_grad_right)
from .scalars import (div_or_zero, item_grad, items_like, items_zeros, owned_whole, whole_zeros, log, scaled_pow, sign, unpacked, unpacked_at_least, vdot, xlogy,
                      zero_gradient, zeros_like)
from .orders import cumprod_grad, cumprod_hvp, prod_grad, prod_hvp, cumprod_tangent, quantile_grad, quantile_tangent
from .shapes import (concatenate_items, diff_grad, gradient_along, gradient_grad, joined_items, joined_items_grad,
                     pad_grad, part_grad, part_of, repeat_grad, rollaxis_grad, sort_like, split_items, stack_items,
                     tile_grad, unsort)
from .sequences import appended, argmax_item, argmin_item, but_last, grown, keys_of, sorted_order
from .namespaces import namespace
from .special import digamma, polygamma, sinc_derivative
from .tensors import (cross_grad_left, cross_grad_right, diag_grad, diagonal_grad, einsum_to, kron_grad_left,
                      kron_grad_right, tensordot_grad_left, tensordot_grad_right, trace_grad)
from .results import result_grad, result_part
from .numerics import (along_axis_index, convolve_index, convolve_mask, full_rank, item, lstsq_kept, lstsq_rank,
                       outer_operand, partition_order, take_index, vander_column, kept_positions,
                       average_weights, running_extreme_index, weights_total, observation_rows,
                       observation_rows_grad)
from .instances import check_class, shadows_method
from .absent import item_or_absent
from .trees import tree_grad, tree_part, tree_zeros
from .tree_arithmetic import tree_scale, tree_vdot

s_ = np.s_  # the index maker of item writes when generated code calls the runtime by another name

__all__ = [
    "ArrayGradientError", "check_scalar", "check_sequence", "check_mapping", "concatenate_grad", "cumsum_grad", "dot_grad_left", "dot_grad_right",
    "hstack_grad", "concatenate_place", "hstack_place", "vstack_place", "if_inexact", "tangent_like", "index_grad", "index_grads", "inner_grad_left", "inner_grad_right", "like", "matmul_grad_left",
    "matmul_grad_right", "max_grad", "mean_grad", "min_grad", "norm_grad", "prod_grad", "setitem", "std_grad",
    "sum_grad", "unbroadcast", "var_grad", "vstack_grad", "written_grad", "Context", "Function", "function_gradient", "function_gradients", "div_or_zero",
    "item_grad", "items_like", "items_zeros", "owned_whole", "whole_zeros", "log", "scaled_pow", "sign", "unpacked", "unpacked_at_least", "vdot", "xlogy", "zero_gradient", "zeros_like",
    "digamma", "polygamma", "s_", "not_real", "broadcast_like", "check_direction", "check_number_update",
    "sinc_derivative", "prod_hvp", "cumprod_grad", "cumprod_hvp", "cumprod_tangent", "quantile_grad", "quantile_tangent",
    "concatenate_items", "diff_grad", "gradient_along", "gradient_grad", "joined_items", "joined_items_grad",
    "pad_grad", "part_grad", "part_of", "repeat_grad", "rollaxis_grad", "sort_like",
    "split_items", "stack_items", "tile_grad", "unsort", "check_class", "shadows_method", "tree_grad", "tree_part", "item_or_absent", "tree_scale",
    "tree_vdot", "tree_zeros", "appended", "grown", "but_last", "argmax_item", "argmin_item", "sorted_order", "keys_of", "namespace",
    "result_grad", "result_part",
    "along_axis_index", "convolve_index", "convolve_mask", "full_rank", "item", "lstsq_kept", "lstsq_rank", "outer_operand",
    "partition_order", "take_index", "vander_column", "kept_positions", "average_weights", "running_extreme_index",
    "weights_total", "observation_rows", "observation_rows_grad",
] + linalg.__all__ + tensors.__all__
