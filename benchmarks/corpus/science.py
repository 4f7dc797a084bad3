"""Physics, statistics and optimisation test functions, as written in papers' code."""
import math

import numpy as np


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rastrigin(x):
    A = 10.0
    return A * len(x) + np.sum(x ** 2 - A * np.cos(2 * np.pi * x))


def ackley(x):
    n = x.size
    s1 = np.sum(x ** 2)
    s2 = np.sum(np.cos(2 * np.pi * x))
    return -20.0 * np.exp(-0.2 * np.sqrt(s1 / n)) - np.exp(s2 / n) + 20.0 + math.e


def himmelblau(x, y):
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def pendulum_energy(theta, omega, length=1.0, g=9.81):
    kinetic = 0.5 * (length * omega) ** 2
    potential = g * length * (1 - math.cos(theta))
    return kinetic + potential


def euler_projectile(v0, angle, steps):
    x, y = 0.0, 0.0
    vx = v0 * math.cos(angle)
    vy = v0 * math.sin(angle)
    dt = 0.01
    for _ in range(steps):
        x = x + vx * dt
        y = y + vy * dt
        vy = vy - 9.81 * dt
        vx = vx * (1 - 0.1 * dt)
    return x * x + y * y


def lennard_jones(positions):
    n = positions.shape[0]
    energy = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r = np.linalg.norm(positions[i] - positions[j])
            energy = energy + 4.0 * ((1.0 / r) ** 12 - (1.0 / r) ** 6)
    return energy


def horner(coeffs, x):
    result = 0.0
    for c in coeffs:
        result = result * x + c
    return result


def black_scholes_call(S, K, T, r, sigma):
    d1 = (math.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    N1 = 0.5 * (1.0 + math.erf(d1 / math.sqrt(2.0)))
    N2 = 0.5 * (1.0 + math.erf(d2 / math.sqrt(2.0)))
    return S * N1 - K * math.exp(-r * T) * N2


def portfolio_variance(weights, cov):
    w = weights / np.sum(weights)
    return w @ cov @ w


def trapezoid_area(y, dx):
    return dx * (np.sum(y) - 0.5 * (y[0] + y[-1]))


def spring_chain(x, k):
    d = np.diff(x)
    return 0.5 * k * np.sum((d - 1.0) ** 2)


def log_sum_exp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def rbf_kernel_sum(X, gamma):
    sq = np.sum(X ** 2, axis=1)
    D = sq[:, None] + sq[None, :] - 2 * X @ X.T
    return np.sum(np.exp(-gamma * D))


def newton_sqrt(a, iterations):
    x = a
    for _ in range(iterations):
        x = 0.5 * (x + a / x)
    return x


def logistic_map(r, x0, n):
    x = x0
    for _ in range(n):
        x = r * x * (1 - x)
    return x


def piecewise_tax(income):
    if income < 10.0:
        return 0.0 * income
    elif income < 40.0:
        return 0.2 * (income - 10.0)
    else:
        return 6.0 + 0.4 * (income - 40.0)


def softplus_sum(x):
    return np.sum(np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0))


def gru_cell(h, x, Wz, Wr, Wh):
    hx = np.concatenate([h, x])
    z = 1.0 / (1.0 + np.exp(-(Wz @ hx)))
    r = 1.0 / (1.0 + np.exp(-(Wr @ hx)))
    hh = np.tanh(Wh @ np.concatenate([r * h, x]))
    h_new = (1 - z) * h + z * hh
    return np.sum(h_new ** 2)
