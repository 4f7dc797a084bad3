"""Plain Python a newcomer writes over a list of readings: the statistics module, min with a
key, enumerate from 1, math.dist and a message printed.  The statistics functions and
math.dist run as they are (their values are the library's own); the gradient comes back as
a list, as the readings came in."""
import math
import statistics


def summary_loss(readings, target):
    mean = statistics.fmean(readings)
    spread = statistics.stdev(readings)
    closest = min(readings, key=lambda r: abs(r - target))
    weighted = sum(i * r for i, r in enumerate(readings, 1))
    note = f"mean={mean:.3f} spread={spread:.3f}"
    print(note)
    return (mean - target) ** 2 + spread * closest + 0.01 * weighted + math.dist(readings[:2], (target, target))
