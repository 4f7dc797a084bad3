"""Differential fuzzing of srcdiff: many random NumPy programs, each checked with grad,
jvp and hvp (and, with --checks, hessian, grad of grad, a gradient penalty,
value_and_grad, float32 arrays, jit="numba", explain, lists for 1-D arrays) against
finite differences and HIPS autograd (tests/fuzzing/).

    python benchmarks/fuzz.py --count 2000 --seed-start 0 --jobs 2
    python benchmarks/fuzz.py --count 500 --features linalg,reduce    # groups or features
    python benchmarks/fuzz.py --show 17 --features all                # one program and its failure
    python benchmarks/fuzz.py --show 17 --features all --source       # ... and srcdiff's code for it
    python benchmarks/fuzz.py --shrink 17 --features all              # a smaller program failing the same way
    python benchmarks/fuzz.py --count 2000 --generic                  # through the generic code, not the specialized
    python benchmarks/fuzz.py --count 500 --checks all                # every check (--checks hessian,f32: some)
    python benchmarks/fuzz.py --count 300 --features numba --checks default,numba --jobs 1
                                   # programs of numbers and 1-D float arrays, what jit="numba" compiles

Prints the counts of pass / skip / refused / crash / wrong per check and per program,
then every distinct failure signature (check, status, exception type and the first line
of its message with names and numbers blanked out; or ``wrong:<check>``) with its count,
its first seeds and a command that shows one.  ``--json PATH`` writes one line per
program that did not pass.  Feature names and groups: see tests/fuzzing/generate.py.
"""
import argparse
import collections
import json
import multiprocessing
import os
import pathlib
import re
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from fuzzing.check import CHECKS, STATUSES, check_program, expand_checks  # noqa: E402
from fuzzing.generate import FEATURES, GROUPS, expand_features, generate  # noqa: E402

_OPTIONS = {}


def _init(options):
    _OPTIONS.update(options)
    # one BLAS thread per worker: the arrays are tiny and the jobs are the parallelism
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _run(seed):
    o = _OPTIONS
    program = generate(seed, o["features"], o["size"])
    started = time.perf_counter()
    result = check_program(program, points=o["points"], timeout=o["timeout"], checks=o["checks"])
    record = result.to_dict()
    record["seconds"] = round(time.perf_counter() - started, 3)
    record["lines"] = program.source.count("\n")
    return record


def _feature_arg(features):
    return ",".join(features) if set(features) != set(FEATURES) else "all"


def show(seed, features, size, points, timeout, with_source, checks):
    program = generate(seed, features, size)
    print(program.source)
    print("parameters:", ", ".join(f"{p.name}: {p.kind}{list(p.shape) if p.shape else ''}" for p in program.params))
    result = check_program(program, points=points, timeout=timeout, checks=checks)
    print(f"kind: {result.kind}    " + "    ".join(f"{c}: {s}" for c, s in result.checks.items()))
    for failure in result.failures:
        print(f"\n[{failure.status}] {failure.signature}\n    {failure.message}")
    for note in result.notes:
        print(f"note: {note}")
    if with_source:
        _print_sources(program)


def _print_sources(program):
    """The code srcdiff generates for this program (where it builds), for reading."""
    import srcdiff
    from fuzzing.check import load_module
    with tempfile.TemporaryDirectory() as tmp:
        f = load_module(program.source, tmp, program.seed).f
        wrt = program.wrt
        p = int(np.random.default_rng([program.seed, 99]).choice(wrt))  # the parameter check_hvp picks
        for title, build in (("grad", lambda: srcdiff.grad(f, wrt=wrt)), ("jvp", lambda: srcdiff.jvp(f, wrt=wrt)),
                             (f"hvp wrt {program.params[p].name}", lambda: srcdiff.hvp(f, wrt=p))):
            print(f"\n# ---- srcdiff {title} ----")
            try:
                print(getattr(build(), "source", "(no source attribute)"))
            except Exception as exc:
                print(f"# {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


# ----------------------------------------------------------------------------------------
# shrinking: a smaller program with the same failure signature

def _block_end(lines, i):
    """The index after line i's block (the lines indented deeper than it that follow)."""
    depth = len(lines[i]) - len(lines[i].lstrip())
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > depth):
        j += 1
    return j


def _candidates(lines):
    """Smaller versions of the program: a statement or block removed, a block unwrapped
    (its body one level out, the header gone), a term of a return dropped, unused
    constants removed."""
    for i in reversed(range(len(lines))):
        line = lines[i]
        text = line.strip()
        if not text or text.startswith(("import ", "def f(", "#", '"""')):
            continue
        end = _block_end(lines, i)
        if not text.startswith("return ") or i > 0:
            yield lines[:i] + lines[end:]
        if text.endswith(":") and end > i + 1:
            body = [b[4:] if b.startswith("    ") else b for b in lines[i + 1:end]]
            yield lines[:i] + body + lines[end:]
        if text.startswith("return ") and " + " in text:
            head = line[:len(line) - len(text)] + "return "
            terms = _split_terms(text[len("return "):])
            for k in range(len(terms)):
                if len(terms) > 1:
                    yield lines[:i] + [head + " + ".join(terms[:k] + terms[k + 1:])] + lines[i + 1:]
    # constants nothing reads any more
    body = "\n".join(lines)
    for i, line in enumerate(lines):
        m = line.split(" = ", 1)[0] if " = " in line and not line.startswith(" ") else None
        if m and m.isidentifier() and m not in ("np", "math"):
            end = i + 1
            while end < len(lines) and lines[end].startswith(" ["):
                end += 1
            rest = "\n".join(lines[:i] + lines[end:])
            if not re.search(rf"\b{m}\b", rest) and m in body:
                yield lines[:i] + lines[end:]


def _split_terms(expr):
    """``a + np.sum(b + c) + d`` -> ['a', 'np.sum(b + c)', 'd'] (top-level ``+`` only)."""
    terms, depth, start = [], 0, 0
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and expr.startswith(" + ", i):
            terms.append(expr[start:i])
            start = i + 3
            i += 2
        i += 1
    terms.append(expr[start:])
    return terms


def shrink(program, signature, points, timeout, budget=400):
    """Greedy shrinking: keep any smaller candidate that still fails with ``signature``
    (running only grad, whose verdict the others read, and the signature's own check)."""
    from dataclasses import replace
    lines = program.source.splitlines()
    checks = ("grad",) + tuple(c for c in signature.split(":", 1)[:1] if c in CHECKS)  # not "invalid"
    tries = 0
    changed = True
    while changed and tries < budget:
        changed = False
        for cand in _candidates(lines):
            tries += 1
            if tries > budget:
                break
            text = "\n".join(cand) + "\n"
            try:
                compile(text, "<shrink>", "exec")
            except SyntaxError:
                continue
            # a short alarm: a candidate may loop for ever (its counter's increment removed)
            result = check_program(replace(program, source=text), points=points, timeout=min(timeout, 5.0),
                                   checks=checks)
            if any(f.signature == signature for f in result.failures):
                lines = cand
                changed = True
                break
    return replace(program, source="\n".join(lines) + "\n"), tries


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="number of programs (default 1000)")
    parser.add_argument("--seed-start", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--features", default="all",
                        help=f"comma-separated groups ({', '.join(GROUPS)}) or features ({', '.join(FEATURES)})")
    parser.add_argument("--size", type=int, default=None, help="top-level statements of f (default: 3 to 7)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--points", type=int, default=3, help="random points tried per check (default 3)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per check before it counts as a crash")
    parser.add_argument("--examples", type=int, default=3, help="seeds listed per failure signature (default 3)")
    parser.add_argument("--refusals", type=int, default=12, help="refusal signatures listed (default 12)")
    parser.add_argument("--json", metavar="PATH", help="write one JSON line per program that did not pass")
    parser.add_argument("--show", type=int, metavar="SEED", help="print one program, its checks and failures")
    parser.add_argument("--source", action="store_true", help="with --show: also print srcdiff's generated code")
    parser.add_argument("--shrink", type=int, metavar="SEED",
                        help="print a smaller program failing like SEED (its first failure, or --signature)")
    parser.add_argument("--signature", help="with --shrink: the failure signature to keep")
    parser.add_argument("--checks", default="default",
                        help=f"comma-separated checks ({', '.join(CHECKS)}), 'default' (grad, jvp, hvp) or 'all'")
    parser.add_argument("--generic", action="store_true",
                        help="run every gradient through its generic code (SRCDIFF_GENERIC=1), not the code "
                             "specialized to its arguments' kinds (the default)")
    args = parser.parse_args(argv)
    features = expand_features(args.features)
    checks = expand_checks(args.checks)
    if args.generic:  # read when each gradient is built, here and in the forked workers
        os.environ["SRCDIFF_GENERIC"] = "1"

    if args.show is not None:
        show(args.show, features, args.size, args.points, args.timeout, args.source, checks)
        return 0
    if args.shrink is not None:
        program = generate(args.shrink, features, args.size)
        result = check_program(program, points=args.points, timeout=args.timeout, checks=checks)
        failures = [f for f in result.failures if args.signature in (None, f.signature)]
        if not failures:
            print(f"seed {args.shrink} does not fail" + (f" with {args.signature!r}" if args.signature else ""))
            return 1
        small, tries = shrink(program, failures[0].signature, args.points, args.timeout)
        print(f"# shrunk from {program.source.count(chr(10))} to {small.source.count(chr(10))} lines "
              f"in {tries} tries, still failing with: {failures[0].signature}")
        print(small.source)
        again = check_program(small, points=args.points, timeout=args.timeout, checks=checks)
        for failure in again.failures:
            print(f"[{failure.status}] {failure.signature}\n    {failure.message}")
        if args.source:
            _print_sources(small)
        return 0

    options = dict(features=features, size=args.size, points=args.points, timeout=args.timeout, checks=checks)
    seeds = range(args.seed_start, args.seed_start + args.count)
    started = time.perf_counter()
    records = []
    step = max(1, args.count // 10)
    if args.jobs > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs, _init, (options,), maxtasksperchild=200) as pool:
            for record in pool.imap_unordered(_run, seeds, chunksize=4):
                records.append(record)
                if len(records) % step == 0:
                    print(f"  {len(records)}/{args.count} programs, {time.perf_counter() - started:.0f} s",
                          file=sys.stderr, flush=True)
    else:
        _init(options)
        for seed in seeds:
            records.append(_run(seed))
            if len(records) % step == 0:
                print(f"  {len(records)}/{args.count} programs, {time.perf_counter() - started:.0f} s",
                      file=sys.stderr, flush=True)
    records.sort(key=lambda r: r["seed"])
    elapsed = time.perf_counter() - started
    report(records, features, checks, args, elapsed)
    if args.json:
        with open(args.json, "w") as out:
            for r in records:
                if r["kind"] != "pass" or r["notes"]:
                    out.write(json.dumps(r) + "\n")
    bad = sum(r["kind"] in ("crash", "wrong", "invalid") for r in records)
    return 1 if bad else 0


def report(records, features, checks, args, elapsed):
    feature_arg = _feature_arg(features)
    n = len(records)
    print(f"srcdiff fuzz: {n} programs, seeds {args.seed_start}..{args.seed_start + n - 1}, "
          f"features {feature_arg}, {elapsed:.0f} s ({1000 * elapsed / max(n, 1):.0f} ms per program, "
          f"{args.jobs} job{'s' if args.jobs > 1 else ''}), "
          f"{'generic code' if os.environ.get('SRCDIFF_GENERIC') == '1' else 'specialized code'}")
    kinds = collections.Counter(r["kind"] for r in records)
    print("programs: " + ", ".join(f"{k} {kinds[k]}" for k in STATUSES + ("invalid",) if kinds[k] or k != "invalid"))
    print(f"\n{'check':8}" + "".join(f"{s:>9}" for s in STATUSES))
    for check in checks:
        counts = collections.Counter(r["checks"].get(check) for r in records)
        print(f"{check:8}" + "".join(f"{counts[s]:>9}" for s in STATUSES))
    groups = collections.defaultdict(list)
    for r in records:
        for f in r["failures"]:
            groups[(f["status"], f["signature"])].append((r["seed"], f["message"]))
    order = {"invalid": 0, "crash": 1, "wrong": 2, "refused": 3}
    keys = sorted(groups, key=lambda k: (order[k[0]], -len(groups[k]), k[1]))
    failing = [k for k in keys if k[0] != "refused"]
    print(f"\nfailure signatures ({len(failing)}), most frequent first:")
    for status, sig in failing:
        _print_group(status, sig, groups[(status, sig)], feature_arg, checks, args)
    refusals = [k for k in keys if k[0] == "refused"]
    if refusals:
        print(f"\nrefusals ({len(refusals)} signatures; allowed, listed for reading):")
        for status, sig in refusals[:args.refusals]:
            _print_group(status, sig, groups[(status, sig)], feature_arg, checks, args, brief=True)
        if len(refusals) > args.refusals:
            print(f"  ... and {len(refusals) - args.refusals} more")
    notes = collections.Counter(note for r in records for note in r["notes"])
    if notes:
        print("\nnotes (counted as pass):")
        for note, c in notes.most_common():
            print(f"  {c:5d}  {note}")


def _print_group(status, sig, items, feature_arg, checks, args, brief=False):
    seeds = [s for s, _ in items]
    print(f"  {len(items):5d}  [{status}] {sig}")
    if brief:
        print(f"         seeds {', '.join(map(str, seeds[:args.examples]))}")
        return
    print(f"         first seeds: {', '.join(map(str, seeds[:args.examples]))}; e.g. {items[0][1][:160]}")
    size = f" --size {args.size}" if args.size is not None else ""
    picked = "" if args.checks == "default" else f" --checks {args.checks}"
    generic = " --generic" if args.generic else ""
    print(f"         reproduce: python benchmarks/fuzz.py --show {seeds[0]} --features {feature_arg}{size}{picked}{generic}")


if __name__ == "__main__":
    sys.exit(main())
