"""Checks docs/landscape.md#softmax-origin: the Hessian of the CE / LS / FL UFM (Z convention)

    f(W, H, b) = (1/N) sum_i L(W h_i + b, y_i) + lam_W/2 ||W||^2 + lam_H/2 ||H||^2 + lam_b/2 ||b||^2

at the origin W = 0, H = 0, b = 0 (always a critical point for balanced classes), against a
central-difference Hessian of the analytic gradient.
"""
import numpy as np

from common import check, fd_hessian, finish
from sphere import loss_grad


def objective(K, n, d, lw, lh, lb, kind, param, bias=True):
    N = K * n
    y = np.repeat(np.arange(K), n)

    def split(x):
        W = x[:K * d].reshape(K, d)
        H = x[K * d:K * d + d * N].reshape(d, N)
        b = x[K * d + d * N:] if bias else np.zeros(K)
        return W, H, b

    def grad(x):
        W, H, b = split(x)
        f, G = loss_grad(kind, W @ H + b[:, None], y, param)
        parts = [(G @ H.T + lw * W).ravel(), (W.T @ G + lh * H).ravel()]
        if bias:
            parts.append(G.sum(axis=1) + lb * b)
        return np.concatenate(parts)

    return grad, K * d + d * N + (K if bias else 0)


def gradient_scale(kind, K, param):
    """g0: the logit gradient at z = 0 is g0 (1/K - e_y) (per sample, before 1/N)."""
    if kind == "ce":
        return 1.0
    if kind == "ls":
        return 1.0 - param
    b = param
    return ((K - 1) / K) ** (b - 1) * (K - 1 + b * np.log(K)) / K


def phi_second(kind, K, param):
    """phi''(1/K) for L = phi(p_y): the class-averaged logit Hessian at 0 is phi''(1/K) P / K^3."""
    p = 1 / K
    if kind == "ce":
        return 1 / p**2
    if kind == "ls":
        return None  # LS is not a function of p_y alone; its logit Hessian at 0 is P/K
    b = param
    q = 1 - p
    return (-b * (b - 1) * q ** (b - 2) * np.log(p) if b != 1 else 0.0) + 2 * b * q ** (b - 1) / p + q**b / p**2


def theory(kind, K, n, lw, lh, lb, param, bias=True):
    g0 = gradient_scale(kind, K, param)
    pair = 0.5 * (lw + lh) - np.sqrt(0.25 * (lw - lh) ** 2 + g0**2 / (K**2 * n))
    if not bias:
        return pair, g0, None
    curv = 1 / K if kind != "fl" else phi_second(kind, K, param) / K**3
    return min(pair, lb, lb + curv), g0, lb + curv


def main():
    worst = 0.0
    cases = [
        ("ce", 0.0, 3, 2, 3, 5e-3, 5e-3, 5e-3),
        ("ce", 0.0, 4, 3, 4, 1e-2, 3e-2, 0.0),
        ("ce", 0.0, 4, 2, 5, 0.2, 0.2, 1e-2),     # K sqrt(n lam lam) = 1.13 > 1: origin is the minimum
        ("ls", 0.1, 4, 2, 4, 5e-3, 5e-3, 5e-3),
        ("ls", 0.3, 3, 3, 4, 3e-2, 1e-2, 1e-3),
        ("fl", 3.0, 4, 2, 4, 5e-3, 5e-3, 5e-3),
        ("fl", 1.0, 3, 2, 4, 2e-2, 1e-2, 5e-3),
        ("fl", 2.0, 5, 2, 6, 1e-3, 4e-3, 2e-3),
    ]
    for kind, param, K, n, d, lw, lh, lb in cases:
        grad, dim = objective(K, n, d, lw, lh, lb, kind, param)
        g = np.linalg.norm(grad(np.zeros(dim)))
        H = fd_hessian(grad, np.zeros(dim), h=1e-5)
        ev = np.linalg.eigvalsh(H)
        expect, g0, bias_curv = theory(kind, K, n, lw, lh, lb, param)
        threshold = K * np.sqrt(n * lw * lh) / g0
        neg = int(np.sum(ev < -1e-8))
        print(f" {kind} param={param} K={K} n={n} d={d} lam=({lw},{lh},{lb}): g0 = {g0:.6f}, "
              f"K sqrt(n lw lh)/g0 = {threshold:.4f}, {neg} negative eigenvalues")
        worst = max(worst, check("  gradient at the origin", g, 0, 1e-14))
        worst = max(worst, check("  lambda_min", ev[0], expect, 1e-6))
        if expect < 0:
            worst = max(worst, check("  negatives = (K-1) d", neg, (K - 1) * d, 0))
        # the bias block: eigenvalue lam_b + phi''(1/K)/K^3 (multiplicity K-1), lam_b on the ones vector
        Hb = H[-K:, -K:]
        evb = np.linalg.eigvalsh(Hb)
        worst = max(worst, check("  bias block, direction 1", evb[0], lb, 1e-7))
        worst = max(worst, check("  bias block, directions orthogonal to 1", evb[-1], bias_curv, 1e-7))
    print(f"\nlargest deviation over all checks: {worst:.1e}")
    finish()


if __name__ == "__main__":
    main()
