"""A small reader for the DOT that srcdiff writes: enough to check a picture's contents.

Reads one ``digraph`` of node statements (``id [attr=value, ...];``), edge chains
(``a -> b -> c [attrs];``), ``graph``/``node``/``edge`` defaults, ``{ ... }`` subgraphs
and ``name=value`` attribute statements.  Attribute values may be identifiers, numbers, quoted strings or HTML-like
``<...>`` strings.  Anything else is a syntax error, so a malformed picture fails here.
"""
import html
import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'\s*(?:(?P<arrow>->)|(?P<punct>[{}\[\];=,])|(?P<quoted>"(?:[^"\\]|\\.)*")'
                    r'|(?P<id>-?[A-Za-z0-9_.]+)|(?P<html><))')


@dataclass
class Graph:
    name: str
    attributes: dict = field(default_factory=dict)
    nodes: dict = field(default_factory=dict)   # id -> attributes
    edges: list = field(default_factory=list)   # (tail, head, attributes)


def tokens(text):
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return
        match = _TOKEN.match(text, position)
        if match is None:
            raise SyntaxError(f"unexpected {text[position:position + 20]!r}")
        if match.group("html"):
            end = _html_end(text, match.start("html"))
            yield "string", text[match.start("html") + 1:end - 1]
            position = end
            continue
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "quoted":
            kind, value = "string", re.sub(r"\\(.)", r"\1", value[1:-1])
        yield kind, value
        position = match.end()


def _html_end(text, start):
    depth = 0
    for i in range(start, len(text)):
        depth += {"<": 1, ">": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    raise SyntaxError("unterminated <...> string")


def parse(text):
    """The Graph of a DOT text (raises SyntaxError when it is not well formed)."""
    stream = list(tokens(text))
    pos = 0

    def take(kind=None, value=None):
        nonlocal pos
        if pos >= len(stream):
            raise SyntaxError("unexpected end of input")
        got = stream[pos]
        if (kind and got[0] != kind) or (value and got[1] != value):
            raise SyntaxError(f"expected {value or kind}, got {got[1]!r}")
        pos += 1
        return got[1]

    def peek():
        return stream[pos][1] if pos < len(stream) else None

    def attributes():
        found = {}
        if peek() != "[":
            return found
        take(value="[")
        while peek() != "]":
            key = take("id")
            take(value="=")
            found[key] = take()
            if peek() == ",":
                take(value=",")
        take(value="]")
        return found

    def statements(graph):
        while peek() != "}":
            if peek() == "{":
                take(value="{")
                statements(graph)
                take(value="}")
            else:
                first = take("id")
                if peek() == "=":  # a graph attribute, as in { rank=min; ... }
                    take(value="=")
                    take()
                elif first in ("graph", "node", "edge") and peek() == "[":
                    attrs = attributes()
                    if first == "graph":
                        graph.attributes.update(attrs)
                elif peek() == "->":
                    chain = [first]
                    while peek() == "->":
                        take("arrow")
                        chain.append(take("id"))
                    attrs = attributes()
                    graph.edges.extend((a, b, attrs) for a, b in zip(chain, chain[1:]))
                    for node in chain:
                        graph.nodes.setdefault(node, {})
                else:
                    graph.nodes.setdefault(first, {}).update(attributes())
            if peek() == ";":
                take(value=";")

    take(value="digraph")
    graph = Graph(take())
    take(value="{")
    statements(graph)
    take(value="}")
    if pos != len(stream):
        raise SyntaxError("text after the graph")
    return graph


def plain_text(label):
    """The visible text of an HTML-like label: tags dropped, line breaks as newlines."""
    return html.unescape(re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/>", "\n", label)))
