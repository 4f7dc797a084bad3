"""The gradient function: its forward section, its backward section and its return.

Output contract: ``emit_gradient`` returns the source of one function definition taking
the user's exact signature: the docstring; ``# forward``, the live forward statements
(branches stay ``if``, loops stay loops); ``# backward``, the adjoint records
(``backward``); a return of the requested gradients (``rt.like`` gives array code's
gradients their parameter's type, shape and dtype).  Straight-line code and code with
branches and loops go through the same printer.

| IR | forward section | backward section |
| --- | --- | --- |
| ``If`` | ``if c:`` the branch, then ``m = a`` for each merge | ``if c:`` the branch's adjoints (the same ``c``: the path taken) |
| ``Loop`` | ``h = init``; ``for``/``while True`` body; ``h = next``; ``if stop: break``; ``iterations += 1`` when the backward sweep needs the count | ``for _ in range(iterations):`` the body's adjoints |
| a value a reversed block reads, defined in a block inside a loop | ``tape.append(v)`` at the end of its block | ``v = tape.pop()`` at the start of the reversed block, or ``h_1 = h`` for a carry's next value, or ``x = xs[k]`` for an item read again (``tape``) |

Only what a loop overwrites goes on the tape: values defined outside every loop stay in
their variables.  The tape is one Python list, used as a stack (a list per push site in
numba mode).
"""
import dataclasses

from ..analysis import is_container, live_vars, tree_leaves, tree_paths
from ..ir import Loop, Var, is_call_of, replays_range, walk
from ..rules import gives_a_float
from ..transforms import Accumulate, ItemAccumulate, accumulates
from .backward import BackwardPrinter
from .freeing import freed, sunk
from .folding import merged_accumulations, reciprocals_reused, returned_in_place
from .fusion import Held, fusable
from .naming import FinalNames, Namer, assign_names, module_aliases, namespace_line
from .frame import header_lines, result_loc, return_line
from .growth import in_place_growths
from .printer import merged_operands, result_check_lines
from .prune import prune
from .runs import (adjoint_reads, floated_constants, floated_records, has_int_literal,
                   propagated_copies, shared_adjoint_names, tight)
from .tape import ExpressionNames, Tape, reads_of


def emit_gradient(function, backward, *, name, returns, single, docstring=None, comments=False, prefix="grad_",
                  like=False, check_scalar=False, items_as=None, free=frozenset(), spread=frozenset(),
                  reread=frozenset(), fuse=False, runs=False, float_literals=False, tape_per_site=False):
    """The source of the gradient function of ``function`` for the records ``backward``.

    ``returns`` is ``"grad"`` (return the gradients) or ``"value_and_grad"`` (return
    ``value, gradients``); ``single`` returns one gradient bare instead of a tuple;
    ``prefix`` starts the adjoints' names (``grad2_`` in a second derivative).  Array code:
    ``like`` returns each gradient as ``rt.like(grad_x, x)`` (a dict: per parameter Var,
    ``"like"``, ``"float"`` for ``float(grad_x)``, ``"bare"``, or ``"array"`` and ``"fresh"``: a
    float array's, bare where its one write makes it fresh with its shape and dtype,
    ``rt.index_grads``, which ``"array"`` writes in place: ``reads_in_place``); ``items_as`` (Var ->
    ``"list"``, ``"tuple"``, ``"array"``, or ``"float_list"`` and ``"float_tuple"``: each item made
    a float) returns a sequence's gradient gathered item by item in a list of numbers in that
    type (``ITEMS_LIKE``), else ``rt.items_like``; ``check_scalar`` ends the
    forward section with a check that the result is one number (``result_check_lines``);
    the arrays among the values and adjoints of the Vars ``free`` are deleted after their
    last use, and the penalty terms of the parameters' adjoints come last (``freeing``);
    their adjoints add a ``keepdims`` sum's adjoint in place by broadcasting, but for the
    Vars ``spread`` (whose adjoint may be a number standing for an array: ``backward``).
    ``reread`` holds the parameters whose items reversed loops read again instead of taping
    them (``tape``: lists and tuples a function only reads item by item, in specialized code);
    ``fuse`` writes the temporaries of loops into the expressions that read them (``fusion``).
    ``runs`` gives straight-line code (``runs.tight``) a second text, ``text.runs``: the one its
    gradient runs, temporaries fused, adjoint copies propagated, versions' adjoints sharing a
    name, no check of a float result.
    ``float_literals`` writes the int literals of adjoint expressions as floats (specialized
    scalar code, whose values are numbers: ``runs.floated_records``).
    ``tape_per_site`` gives each push site its own list (``tape``: numba mode, whose lists hold one type).
    """
    want_value = returns == "value_and_grad"
    if float_literals:
        backward = dataclasses.replace(backward, statements=floated_records(backward.statements))
    if free:
        params = set(function.params) & set(backward.wrt)
        backward = dataclasses.replace(backward, statements=sunk(backward.statements, params, backward.tokens))
    read_names = ExpressionNames()  # each record's expression walked once for every question
    found, reads, plans = reads_of(backward.statements, backward.tokens, reread, read_names)
    roots = found | set(backward.needed)
    if (want_value or check_scalar) and isinstance(function.result, Var):
        roots.add(function.result)
    live = live_vars(function.body, roots)
    adjoint_order, by_items, fresh = adjoint_writes(backward.statements)
    pruned = dataclasses.replace(function, body=prune(function.body, live))
    names, grad_names = assign_names(pruned, adjoint_order, prefix)
    aliases = module_aliases(function)
    namer = Namer(set(function.reserved) | set(names.values()) | set(grad_names.values()) | set(aliases.values()))
    for stmt in walk(function.body):  # a loop replayed backwards whose forward run was not needed
        if isinstance(stmt, Loop) and replays_range(stmt):
            names.update((t, namer.fresh(t.hint)) for t in stmt.iter.targets if t not in names)
    final_names = FinalNames()  # token -> its final name, read as a Name node
    for token, (kind, var) in backward.tokens.by_token.items():
        table = grad_names if kind == "adjoint" else names
        if var in table:  # tokens made for placeholders a template did not use have no name
            final_names[token] = table[var]
    tape = Tape(function.body, backward.statements, reads, plans, namer, names, aliases, tape_per_site)
    printer = BackwardPrinter(names, final_names, live, aliases, grad_names, namer, comments, tape,
                              merge_read=merged_operands(function.body, live) | backward.zero_reads, spread_in_place=frozenset(free) - spread)
    printer.grown_in_place = in_place_growths(function, roots, plans)
    if isinstance(like, dict):  # specialized: a float array parameter's basic reads' gradients in place
        printer.float_arrays = frozenset(names[p] for p, how in like.items() if how == "array" and p in names)
    if fuse:
        temps = fusable(function, roots, {v for plan in plans.values() for v in plan.reread})
        printer.holding = lambda printer, in_loop: Held(temps, names, printer) if in_loop else None

    runs = runs and tight(function, backward)
    if runs:  # each forward statement printed once: the text that runs has most of them as they are
        printer.remembered = {}

    check_loc = result_loc(function) if check_scalar and isinstance(function.result, Var) else None

    def printed(statements, grad_names, check_scalar, backward_lines=None):
        """The lines of the gradient whose records are ``statements``, and its backward section's
        (``backward_lines`` where given, else printed); the return writes ``grad_names`` (a
        parameter's adjoint's name, or in the text that runs the expression it stands for)."""
        names_now = names
        forward = printer.forward(function.body, 1)
        lines = header_lines(name, function.arguments, docstring)
        bound = namespace_line(function, aliases)
        lines += [bound] if bound else []
        if forward:
            lines.append("    # forward")
            lines += [f"    {name} = []" for name in tape.lists()]
            lines += forward
        if check_scalar and isinstance(function.result, Var):
            check = "\n".join(result_check_lines(names[function.result], aliases))
            lines += printer.located(check, check_loc).split("\n")  # a line each (``unmarked``)
        if statements:
            if backward_lines is None:
                backward_lines = printer.backward(statements, 1, set())
            if want_value and function.result in tape.popped:  # the backward sweep reuses its name
                saved = namer.fresh("value")
                lines.append(f"    {saved} = {names[function.result]}")
                names_now = {**names, function.result: saved}
            lines.append("    # backward")
            lines += backward_lines
        parts = tree_paths(function)  # a part of a container parameter -> (the parameter, its path)
        gradients = [_container_text(function, p, backward.wrt, names_now, grad_names, aliases, by_items)
                     if is_container(function, p) else
                     _gradient_text(p, names_now, grad_names, aliases, like,
                                    _items_as(p, items_as, by_items, backward.whole), p in fresh)
                     for p in dict.fromkeys(parts.get(v, (v,))[0] for v in backward.wrt)]
        lines.append(return_line(function.result if want_value else None, gradients, single, names_now, aliases))
        return lines, backward_lines

    lines, backward_lines = printed(backward.statements, grad_names, check_scalar)
    text = printer.finish(lines, function)
    if runs:  # the text that runs: temporaries fused, copies propagated, statements folded (``runs``, ``folding``)
        kept, copied = propagated_copies(backward.statements, backward.tokens)
        merged = merged_accumulations(kept, backward.tokens, copied)
        multiplied = reciprocals_reused(merged, function.body, backward.tokens, live)
        rewritten = multiplied is not kept
        floats = has_int_literal(backward.statements, read_names)  # else no literal to float
        kept, floated = floated_constants(multiplied) if floats else (multiplied, False)
        run_roots = roots  # the values the run's records read: no more those divided by (reciprocals_reused)
        if multiplied is not merged:
            run_roots = reads_of(kept, backward.tokens, names=read_names)[0] | (set(backward.needed) - found) \
                | (roots & {function.result})
        wrt = frozenset(backward.wrt)
        reads = adjoint_reads(kept, backward.tokens, copied, read_names)
        shared = shared_adjoint_names(kept, reads, copied, grad_names, wrt)
        run_grad_names = {**grad_names, **shared}
        run_grad_names.update((var, run_grad_names[source]) for var, source in copied.items())
        kept, returned = returned_in_place(kept, reads, copied, wrt, run_grad_names)
        if copied or floated or shared or returned or rewritten:  # printed again (else the same lines)
            backward_lines = None
        if copied or shared:  # the copies' readers read what they copied; shared names
            printer.final_names = FinalNames(final_names)
            printer.final_names.update((backward.tokens.adjoint(var), run_grad_names[var])
                                       for var in {**copied, **shared})
            printer.grad_names, printer.renamed = run_grad_names, None
        returns = {**run_grad_names, **{var: printer.expr(expr) for var, expr in returned.items()}}
        temps = fusable(function, run_roots, frozenset(), across_lines=True)
        printer.holding = lambda printer, in_loop: Held(temps, names, printer, across_lines=True)
        check = check_scalar and not gives_a_float(function)
        text.runs = printer.finish(printed(kept, returns, check, backward_lines)[0], function)
    if not free:
        return text
    adjoints = {grad_names[v]: names[v] for v in free if v in grad_names and v in names}
    return freed(text, {table[v] for table in (names, grad_names) for v in free if v in table}, adjoints)


def adjoint_writes(statements):
    """``(order, by_items, fresh)``, read off the records ``statements`` once for both texts (the
    text that runs lacks only copies, ``grad_a = grad_b``): the Vars whose adjoints they write, in
    the order first written; those whose adjoint is gathered item by item (an ``ItemAccumulate``
    writes it); and those whose adjoint is written once, by ``rt.index_grads``: a new array of
    zeros of their shape and floating dtype, the reads added in place (a float array's gradient
    as ``rt.like`` would return it)."""
    writes, made, by_items = {}, [], set()
    for record in accumulates(statements):
        writes[record.var] = writes.get(record.var, 0) + 1
        kind = type(record)
        if kind is ItemAccumulate:
            by_items.add(record.var)
        elif kind is Accumulate and is_call_of(record.expr, "rt.index_grads"):
            made.append(record.var)
    return list(writes), by_items, {var for var in made if writes[var] == 1}


def _items_as(param, items_as, by_items, whole):
    """How the gradient of ``param`` gathered item by item is returned (``ITEMS_LIKE``; ``""``:
    ``rt.items_like``), or None; one gathered with the whole in an array: ``"whole"``."""
    if param not in by_items:
        return None
    return "whole" if param in whole else (items_as or {}).get(param, "")


def _gradient_text(param, names, grad_names, aliases, like, items, fresh=False):
    """The returned gradient of ``param``; ``items`` is None, or how a sequence's gradient
    gathered item by item is returned (``ITEMS_LIKE``; ``""``: ``rt.items_like``); ``fresh``:
    its adjoint is made new with its shape and dtype (``adjoint_writes``)."""
    rt = aliases["rt"]
    if param not in grad_names:
        return f"{rt}.zero_gradient({names[param]})"
    if items is not None:  # a sequence's gradient in its own type (a tuple for a tuple)
        return ITEMS_LIKE.get(items, "{rt}.items_like({g}, {x})").format(rt=rt, np=aliases["np"], g=grad_names[param],
                                                                         x=names[param])
    how = like.get(param, "like") if isinstance(like, dict) else "like" if like else "bare"
    if how == "float":
        return f"float({grad_names[param]})"
    if how in ("array", "fresh"):
        how = "bare" if fresh else "like"
    return f"{rt}.like({grad_names[param]}, {names[param]})" if how == "like" else grad_names[param]


# the gradient of a sequence gathered item by item in a list, as the kinds say to return it
# (a sequence walked item by item and used whole: its array, as the parameter's type and dtype)
ITEMS_LIKE = {"list": "{g}", "tuple": "tuple({g})", "float_list": "list(map(float, {g}))",
              "float_tuple": "tuple(map(float, {g}))", "array": "{np}.array({g}, {x}.dtype)", "whole": "{rt}.like({g}, {x})"}


def _container_text(function, param, wrt, names, grad_names, aliases, by_items):
    """``rt.tree_grad(p, ('W1',), grad_W1, ...)``: the gradient of a container parameter, in
    its structure, from the gradients of the parts of it differentiated (``wrt``)."""
    rt = aliases["rt"]
    parts = [names[param]]
    for path, var in tree_leaves(function, param):
        if var in wrt and var in grad_names:
            grad = f"{rt}.items_like({grad_names[var]}, {names[var]})" if var in by_items else grad_names[var]
            parts += [repr(path), grad]
    text = f"{rt}.tree_grad({', '.join(parts)})"
    if len(text) <= CONTAINER_LINE:
        return text
    pairs = [f"{path}, {grad}" for path, grad in zip(parts[1::2], parts[2::2])]  # a part a line
    return f"{rt}.tree_grad(\n        {parts[0]},\n" + "".join(f"        {pair},\n" for pair in pairs) + "    )"


CONTAINER_LINE = 90  # a longer rt.tree_grad(...) is written a part a line
