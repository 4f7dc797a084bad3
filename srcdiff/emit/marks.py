"""The marks that carry each printed line's user line, and the text they leave.

A printer marks each line it prints for a statement (``Printer.located``): the line ends
with ``MARK`` and a number, the position of the statement's Loc in the printer's
``origins``.  ``unmarked`` takes the marks off the finished lines and gives the text each
line's Loc (a ``GeneratedText``).  Lines are joined, indented and reordered freely in
between: a mark travels with its line.

The marks ``"\\x000"``, ``"\\x001"``, ... are made once, for every printer (``MARKS``,
``mark_of``): a gradient marks a line per statement, and writing a number as text costs
several times what looking it up does.
"""

MARK = "\x00"  # never in printed Python: strings print escaped, and source files cannot hold it
MARKS = []  # MARKS[n] is MARK + str(n): the marks made so far
_NUMBERS = {}  # str(n) -> n, for the marks made so far
# at most this many marks are kept (about 3 MB, a 5,000-operation gradient's): those after are
# written when asked, so a huge function printed once does not keep its marks for the session
KEPT_MARKS = 16384


def mark_of(number):
    """``MARKS[number]``, made (with those before it) where it is new; written afresh past ``KEPT_MARKS``."""
    if number >= KEPT_MARKS:
        return f"{MARK}{number}"
    while len(MARKS) <= number:
        _NUMBERS[str(len(MARKS))] = len(MARKS)
        MARKS.append(f"{MARK}{len(MARKS)}")
    return MARKS[number]


def unmarked(lines, origins, default):
    """The text of the printed ``lines`` (each may hold several lines), marks taken off: a
    ``GeneratedText`` whose line ``i + 1`` comes from ``origins[n]`` where it was marked ``n``,
    else from ``default``."""
    joined = "\n".join(lines)
    if joined.count("\n") >= len(lines):  # some line holds several: each on its own
        lines = joined.split("\n")
    parts = [line.partition(MARK) for line in lines]  # (text, MARK or "", number)
    numbers = _NUMBERS
    found = [origins[numbers.get(number) or int(number)] if marked else default for _, marked, number in parts]
    return GeneratedText("\n".join([text for text, _, _ in parts]) + "\n", found, default)


class GeneratedText(str):
    """Generated source text that knows where its lines come from: ``origins[i]`` is the
    user's Loc of line ``i + 1``, ``default`` the function's ``def``."""

    def __new__(cls, text, origins, default):
        made = super().__new__(cls, text)
        made.origins, made.default = tuple(origins), default
        return made
