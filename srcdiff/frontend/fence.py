"""The fence: every construct outside the subset srcdiff differentiates, refused by name.

``check_supported(source)`` raises UnsupportedSyntaxError at the first refused construct
(its file, line and column, the line with a caret, and what to write instead), at a
function without ``return``, and at generated gradient code that keeps a tape.  Nested
``def``s, lambdas and star-arguments pass here: ``lower`` takes them (and refuses
``*args``/``**kwargs`` parameters of the differentiated function itself).
"""
import ast

from ..errors import UnsupportedSyntaxError


REFUSED = {
    ast.Try: ("'try' statements are not supported", "remove the try/except; srcdiff differentiates straight-line code"),
    ast.ClassDef: ("class definitions are not supported", "define classes outside the differentiated function"),
    ast.AsyncFunctionDef: ("async functions are not supported", "use a plain 'def'"),
    ast.Global: ("'global' statements are not supported", "pass the value in as a parameter"),
    ast.Nonlocal: ("'nonlocal' statements are not supported", "pass the value in as a parameter"),
    ast.SetComp: ("set comprehensions are not supported", "srcdiff differentiates numbers and arrays only"),
    ast.DictComp: ("dict comprehensions are not supported", "srcdiff differentiates numbers and arrays only"),
    ast.Yield: ("'yield' is not supported", "return a value instead"),
    ast.YieldFrom: ("'yield from' is not supported", "return a value instead"),
    ast.Await: ("'await' is not supported", "use a plain synchronous function"),
    ast.Delete: ("'del' statements are not supported", "remove the 'del'"),
    ast.Set: ("set displays are not supported", "srcdiff differentiates numbers and arrays only"),
    ast.Match: ("'match' statements are not supported", "write the cases as if/elif/else"),
}


def check_supported(source):
    """Raise UnsupportedSyntaxError at the first construct outside the accepted subset."""
    fn = source.node
    if isinstance(fn, ast.AsyncFunctionDef):
        raise source.error(UnsupportedSyntaxError, fn, "async functions are not supported", "use a plain 'def'")
    if _may_refuse(source):
        _check_statements(source)
    _check_imports(source)
    _check_walrus(source)
    _check_has_return(source)
    _check_generated_loops(source)
    _check_builtins_kept(source)


def _may_refuse(source):
    """Whether a class the fence may refuse occurs anywhere in the function (itself aside):
    when none does, the statement by statement walk cannot find anything."""
    itself = 1 if type(source.node) is ast.FunctionDef else 0
    return len(source.nodes(ast.FunctionDef)) > itself or any(source.nodes(kind) for kind in _REFUSABLE)


def _check_statements(source):
    for stmt in source.node.body:
        for node in _walk(stmt):
            if type(node) in REFUSED:
                message, hint = REFUSED[type(node)]
                raise source.error(UnsupportedSyntaxError, node, message, hint)


def _check_imports(source):
    """Refuse an import other than a statement of the function's own body (inside a branch, a
    loop or a nested function it binds on some runs only), and a relative one; those left are
    read as what they bind (``local_imports``)."""
    imports = [*source.nodes(ast.Import), *source.nodes(ast.ImportFrom)]
    top = {id(stmt) for stmt in source.node.body} if imports else set()
    for node in imports:
        if id(node) not in top:
            raise source.error(UnsupportedSyntaxError, node, "an import inside a block or a nested function is not "
                               "supported", "import at the top of the function, or at module level")
        if isinstance(node, ast.ImportFrom) and node.level:
            raise source.error(UnsupportedSyntaxError, node, "a relative import inside a function is not supported",
                               "import at module level")


# where ``:=`` is refused (``_check_walrus``): it would bind inside a scope of its own, on one
# side of a choice only, or anew for each test of a while loop
_WALRUS_REFUSED_IN = {
    ast.ListComp: "a comprehension", ast.GeneratorExp: "a generator expression", ast.Lambda: "a lambda",
    ast.IfExp: "a conditional expression", ast.BoolOp: "an 'and'/'or'", ast.While: "the test of a while loop",
}


def _check_walrus(source):
    """Refuse ``:=`` where lowering cannot bind its name as Python does (``_WALRUS_REFUSED_IN``,
    and a statement generated code keeps as written: its binding would be unseen); elsewhere (an assignment, a call, an ``if`` test, a ``for``'s sequence) it binds once, as
    an assignment of its own before the statement would."""
    walruses = source.nodes(ast.NamedExpr)
    if not walruses:
        return
    parents = {child: node for node in ast.walk(source.node) for child in ast.iter_child_nodes(node)}
    for walrus in walruses:
        node = walrus
        while not isinstance(node, ast.stmt):
            parent = parents[node]
            inside = _WALRUS_REFUSED_IN.get(type(parent))
            if inside is not None and not (isinstance(parent, ast.While) and node is not parent.test):
                raise source.error(UnsupportedSyntaxError, walrus, f"the walrus operator ':=' inside {inside} is not "
                                   "supported", "assign in a statement of its own")
            node = parent
        if isinstance(node, KEPT_AS_WRITTEN) or isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            raise source.error(UnsupportedSyntaxError, walrus, "the walrus operator ':=' inside a statement kept as "
                               "written (an assert, a raise, a call for its effect) is not supported",
                               "assign in a statement of its own")


# Statements generated code keeps as written (a print, an assert: ``lower.effects``): only what
# would change the function inside them is refused there (lowering refuses other calls by name).
KEPT_AS_WRITTEN = (ast.Assert, ast.Raise)
REFUSED_IN_KEPT = frozenset({ast.Yield, ast.YieldFrom, ast.Await, ast.NamedExpr, ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef})
_REFUSABLE = (REFUSED.keys() | REFUSED_IN_KEPT) - {ast.FunctionDef}  # a def: the function itself, or nested


def _walk(node):
    """The nodes of ``node`` the fence checks (inside a statement kept as written: what it refuses there)."""
    if isinstance(node, KEPT_AS_WRITTEN) or isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return [n for n in ast.walk(node) if type(n) in REFUSED_IN_KEPT]
    if isinstance(node, (ast.stmt, ast.mod)):
        return [node] + [n for child in ast.iter_child_nodes(node) for n in _walk(child)]
    return list(ast.walk(node))


def _check_has_return(source):
    if not source.nodes(ast.Return):  # a statement: in the body, never in a decorator or a default
        raise source.error(UnsupportedSyntaxError, source.node, f"function {source.node.name!r} has no return statement",
                           "return the value to differentiate")


def keeps_a_tape(node):
    """Whether the generated function ``node`` (an ``ast.FunctionDef``) keeps a tape: it loops
    and appends to a list it pops.  Generated loops without a tape (forward mode's ``jvp_f``)
    are ordinary loops."""
    return _tape_loop(node) is not None


def _tape_loop(node):
    """The first loop of a generated function that keeps a tape, else None."""
    if not any(isinstance(n, ast.Attribute) and n.attr in ("append", "pop") for n in ast.walk(node)):
        return None
    return next((n for stmt in node.body for n in ast.walk(stmt) if isinstance(n, (ast.For, ast.While))), None)


def _check_generated_loops(source):
    """Gradient code of a loop keeps a tape (a list it appends to and pops): not differentiable again
    (a call of it from another function is: ``lower.gradients``)."""
    if not source.filename.startswith("<srcdiff"):
        return
    node = _tape_loop(source.node)
    if node is not None:
        raise source.error(UnsupportedSyntaxError, node,
                           "differentiating the gradient of a function with loops (a second derivative through a loop) is not supported",
                           "differentiate a loop-free version, or use finite differences of the gradient")


# builtins the generated code calls by name (a gradient returned as a float, a tuple's gradient as a
# tuple, the backward sweep of a loop): a parameter may not hide them (a variable is renamed)
EMITTED_BUILTINS = frozenset({"float", "tuple", "range", "reversed"})


def _check_builtins_kept(source):
    """Refuse a parameter of the function named like a builtin the generated code calls: the
    generated function keeps its parameters' names, so that keyword calls bind as the user's
    do (a nested function's parameters are inlined as variables, which are renamed)."""
    arguments = source.node.args
    own = arguments.posonlyargs + arguments.args + arguments.kwonlyargs + [
        a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    for node in own:
        if node.arg in EMITTED_BUILTINS:
            raise source.error(UnsupportedSyntaxError, node,
                               f"a parameter named {node.arg!r} hides Python's {node.arg}(), which the generated "
                               "gradient calls",
                               f"rename it ({node.arg}_ or a name of its meaning)")
