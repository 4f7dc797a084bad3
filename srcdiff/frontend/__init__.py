"""The frontend: find a function's source, parse it, fence off what srcdiff cannot handle,
and resolve its names.

Contract: a ``Source`` whose ``node`` is an ``ast.FunctionDef`` using only constructs
``lower`` accepts (everything else was refused here with a SrcdiffError naming the
construct, its file, line and column), and whose ``scope`` resolves every free name to
a Resolution (``refs``): a module, a primitive, a user function, a constant or a
``srcdiff.Function`` subclass.  Two kinds of scope: ``RuntimeScope`` reads a live
function's globals and closure (the decorator and the Python API, ``load_function``);
``StaticScope`` reads a file's imports, constants and definitions without running it
(the command line).  Imports ``ir`` (for ``Loc``), ``runtime`` (to recognise its
helpers) and ``errors``.

| module | what it does |
| --- | --- |
| ``refs`` | the Resolutions, and the modules srcdiff knows by name |
| ``source`` | ``Source``; each file parsed once per version of its text; ``runs_this_code`` |
| ``reads`` | ``Reads``: what a build read from live objects, to tell a stale cache |
| ``local_imports`` | the imports at the top of a function's own body, read as what they bind (each scope's ``with_imports``) |
| ``fence`` | ``check_supported``: refused constructs, by name; ``keeps_a_tape`` (generated code); ``EMITTED_BUILTINS``, the builtins generated code calls by name |
| ``classes`` | the class of a method's ``self`` (``Owner``) and what a name means on a class (``member``) |
| ``live`` | ``load_function`` and ``RuntimeScope``; ``generic_of``, the generic code of a gradient that runs other code |
| ``callables`` | lambdas and ``functools.partial`` objects as Sources; ``defaults_of``, ``name_of`` |
| ``static_scope`` | ``StaticScope`` |
| ``free_names`` | ``free_binding``: the object a free name is bound to, for code kept as written (a ``print``) |
"""
from .callables import LAMBDA, as_def, defaults_of, name_of, title
from .classes import Member, Owner, member, owner_of, owner_of_bound
from .fence import EMITTED_BUILTINS, check_supported, keeps_a_tape
from .free_names import BUILTIN, UNBOUND, free_binding, static_module
from .live import RuntimeScope, classify, generic_of, load_function
from .refs import (BUILTIN_PRIMITIVES, ClassRef, ConstantRef, CustomFunctionRef, FunctionRef, GradientRef, GradientVjpRef,
                   ModuleRef, PrimitiveRef, library_object, primitive_name)
from .source import Source, keep_parsed_within_budget
from .static_scope import StaticScope
