"""Where a list or tuple argument meets ``+`` or ``*`` as a sequence (Python joins or repeats it),
which code specialized to the arguments' kinds cannot read as arithmetic on its array."""
from ..analysis import joined_parameters, joins
from ..errors import SrcdiffError
from ..runtime.arrays import JOINED_SEQUENCE_HINT


def joins_a_sequence_argument(function, kinds):
    """Whether a list or tuple argument (by ``kinds``) may meet ``+`` or ``*`` as a sequence."""
    joined = joined_parameters(function)
    return any(p in joined and _a_sequence(p, kinds) for p in function.params)


def _a_sequence(param, kinds):
    """Whether the argument of ``param`` is a list or a tuple (by ``kinds``)."""
    kind = kinds.get(param.hint)
    return kind is not None and kind.sequence


def refuse_a_certain_join(function, kinds):
    """A SrcdiffError at the first statement that joins or repeats sequences for certain:
    every sequence it reads comes from a list or tuple argument (by ``kinds``)."""
    for stmt, params in joins(function):
        if all(_a_sequence(p, kinds) for p in params):
            loc = stmt.loc.user()
            raise SrcdiffError("a list or tuple joined with '+' or repeated with '*' here: srcdiff reads '+' and "
                               "'*' as arithmetic", loc.filename, loc.lineno, loc.col, loc.line_text,
                               JOINED_SEQUENCE_HINT)
