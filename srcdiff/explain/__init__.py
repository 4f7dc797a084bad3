"""Explain mode: a function's computational graph at given inputs, its values, its
gradients and the backward steps, as a table (``explain``) and as a picture (``graph``).

Contract: ``explain_function(function, arguments)`` runs a lowered function's SSA at
those arguments along the path actually taken (``trace``) and then walks the same rule
templates the generated code is built from backwards (``walkthrough``), returning an
``Explanation`` (``model``): one row per executed value, one step per contribution,
read as downstream = local × upstream.  ``pictures`` draws it with Graphviz.  Imports
the stages up to ``emit`` (for names), never ``pipeline`` or the API.

| module | what it does |
| --- | --- |
| ``model`` | ``Row``, ``Step``, ``Explanation`` |
| ``trace`` | the forward walk: statements run in order, rows recorded |
| ``walkthrough`` | ``explain``, ``explain_function``, ``graph``: the backward walk and the rows |
| ``display`` | how a value is written: four significant digits, large arrays summarised |
| ``pictures`` | an Explanation as Graphviz DOT, rendered by ``dot`` to the format a file's suffix names (SVG, PNG, PDF...) |
"""
from .model import Explanation, Row, Step
from .pictures import picture_format, to_dot, write_picture
from .walkthrough import explain, explain_function, graph
