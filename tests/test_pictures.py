"""Pictures of the computational graph: the DOT read back, and real SVG and PNG files."""
import os
import shutil
import struct
import xml.etree.ElementTree as ElementTree

import pytest

import srcdiff
from conftest import load_sample
from dot_reader import parse, plain_text
from test_explain import NEURON_POINT, run_cli


@pytest.fixture
def needs_dot():
    """Graphviz's dot: CI installs it (.ci/install-system-deps), so there a missing dot fails."""
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz's dot is missing: run .ci/install-system-deps")
        pytest.skip("Graphviz's dot is not installed")


def _labels(graph):
    """{(tail, head): visible label} of the drawn wires (invisible ordering edges left out)."""
    return {(tail, head): plain_text(attrs.get("label", ""))
            for tail, head, attrs in graph.edges if attrs.get("style") != "invis"}


def test_mul_add_graph_has_every_gate_value_and_gradient():
    graph = parse(srcdiff.graph(load_sample("mul_add").f, -2.0, 5.0, -4.0))
    assert graph.attributes["rankdir"] == "LR"
    names = {node: plain_text(attrs.get("label", "")) for node, attrs in graph.nodes.items()}
    by_label = {label: node for node, label in names.items()}
    x, y, z, add, mul, out = (by_label[k] for k in ("x", "y", "z", "+", "*", "f"))
    assert graph.nodes[add]["shape"] == "circle" and graph.nodes[x]["shape"] == "plaintext"
    assert _labels(graph) == {
        (x, add): "x = -2\n-4", (y, add): "y = 5\n-4", (z, mul): "z = -4\n3",
        (add, mul): "q = 3\n-4", (mul, out): "f = -12\n1",
    }


def test_neuron_graph_reads_like_the_lecture():
    graph = parse(srcdiff.graph(load_sample("neuron").neuron, *NEURON_POINT))
    gates = sorted(plain_text(a["label"]) for a in graph.nodes.values() if a.get("shape") in ("circle", "ellipse"))
    assert gates == sorted(["*", "*", "+", "+", "-s3", "exp", "+1", "1 / s6"])
    labels = set(_labels(graph).values())
    assert {"s5 = 0.3679\n-0.5344", "s6 = 1.368\n-0.5344", "neuron = 0.7311\n1", "w0 = 2\n-0.1966"} <= labels
    inputs = [n for n, a in graph.nodes.items() if a.get("shape") == "plaintext" and plain_text(a["label"]) != "neuron"]
    assert [plain_text(graph.nodes[n]["label"]) for n in inputs] == ["w0", "x0", "w1", "x1", "w2"]


def test_a_fork_is_drawn_as_a_copy_gate_whose_branches_add_up():
    graph = parse(srcdiff.graph(load_sample("gates").gates, 3.0, -4.0, 2.0, -1.0))
    dots = [n for n, a in graph.nodes.items() if a.get("shape") == "point"]
    assert len(dots) == 1
    labels = _labels(graph)
    into = [label for (tail, head), label in labels.items() if head == dots[0]]
    branches = sorted(float(label) for (tail, head), label in labels.items() if tail == dots[0])
    assert into == ["x = 3\n-7"] and branches == [-8.0, 1.0]


def test_same_explanation_same_text():
    f = load_sample("exercise").exercise
    assert srcdiff.graph(f, 3.0, -4.0) == srcdiff.graph(f, 3.0, -4.0)


def png_size(data):
    """(width, height) from a PNG's signature and IHDR chunk; fails on anything else."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def test_cli_writes_a_real_png(tmp_path, needs_dot):
    path = tmp_path / "neuron.png"
    done = run_cli("samples/neuron.py:neuron", "--at", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3",
                   "--graph", str(path))
    assert done.returncode == 0, done.stderr
    width, height = png_size(path.read_bytes())
    # eight gates left to right, five inputs stacked: wide, and tall enough to read
    assert 800 <= width <= 6000 and 250 <= height <= 3000 and width > height


def test_cli_writes_svg_with_the_labels(tmp_path, needs_dot):
    path = tmp_path / "f.svg"
    done = run_cli("samples/mul_add.py:f", "--at", "x=-2", "y=5", "z=-4", "--graph", str(path))
    assert done.returncode == 0, done.stderr
    root = ElementTree.parse(path).getroot()
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"q = 3", "f = -12", "+", "*", "x", "y", "z"} <= set(texts)


def test_cli_writes_dot_source_without_graphviz(tmp_path):
    path = tmp_path / "f.dot"
    done = run_cli("samples/mul_add.py:f", "--at", "x=-2", "y=5", "z=-4", "--graph", str(path),
                   env={**os.environ, "PATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert parse(path.read_text()).name == "f"


def test_cli_without_dot_fails_in_one_line(tmp_path):
    path = tmp_path / "f.svg"
    done = run_cli("samples/mul_add.py:f", "--at", "x=-2", "y=5", "z=-4", "--graph", str(path),
                   env={**os.environ, "PATH": str(tmp_path)})
    assert done.returncode == 2 and not path.exists()
    assert len(done.stderr.strip().splitlines()) == 1 and "Graphviz's 'dot'" in done.stderr


def test_a_loop_is_drawn_iteration_by_iteration_without_copy_gates():
    """p = c; for i in range(n): p = p * x. Three * gates in a row, the wires carrying p."""
    graph = parse(srcdiff.graph(load_sample("loop_range").loop_range, 0.5, 2.0, 3))
    gates = sorted(plain_text(a["label"]) for a in graph.nodes.values() if a.get("shape") in ("circle", "ellipse"))
    assert gates == ["*", "*", "*", "+"]
    labels = set(_labels(graph).values())
    assert {"c = 2\n0.125", "p_1 = 1\n0.25", "p_1 = 0.5\n0.5", "p_1 = 0.25\n1"} <= labels
