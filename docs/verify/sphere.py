"""Checks docs/sphere.md: the spherical (normalized) UFM with temperature,

    f(W, H, b) = (1/N) sum_i L(tau W h_i + b, y_i),   ||w_k|| = 1, ||h_i|| = 1,

for CE, label smoothing (alpha), focal loss (beta) and MSE, with and without a free bias,
against L-BFGS from many random starts (rows and columns parametrized as u/||u||).
"""
import numpy as np

from common import check, finish, lbfgs, newton_polish


# ---------- losses on logits Z (K x N) with labels y; return mean loss and dL/dZ ----------

def softmax_cols(Z):
    Z = Z - Z.max(axis=0, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=0, keepdims=True), Z - np.log(E.sum(axis=0, keepdims=True))


def loss_grad(kind, Z, y, param=0.0, s=1.0):
    K, N = Z.shape
    cols = np.arange(N)
    if kind == "mse":
        T = np.zeros_like(Z)
        T[y, cols] = s
        R = Z - T
        return 0.5 * np.sum(R * R) / N, R / N
    P, logP = softmax_cols(Z)
    Y = np.zeros_like(Z)
    Y[y, cols] = 1
    if kind == "ce":
        return -np.sum(logP[y, cols]) / N, (P - Y) / N
    if kind == "ls":
        a = param
        T = (1 - a) * Y + a / K
        return -np.sum(T * logP) / N, (P - T) / N
    if kind == "fl":
        b = param
        p = P[y, cols]
        lp = logP[y, cols]
        q = 1 - p
        loss = -(q**b) * lp
        # dL/dz = [q^b - b q^(b-1) p log p] (P - e_y)
        factor = q**b - (b * q ** (b - 1) * p * lp if b > 0 else 0)
        return np.sum(loss) / N, (P - Y) * factor[None, :] / N
    raise ValueError(kind)


def sphere_objective(K, d, n, tau, kind, param=0.0, bias=False, s=1.0):
    N = K * n
    y = np.repeat(np.arange(K), n)

    def split(x):
        U = x[:K * d].reshape(K, d)
        V = x[K * d:K * d + d * N].reshape(d, N)
        b = x[K * d + d * N:] if bias else np.zeros(K)
        return U, V, b

    def fg(x):
        U, V, b = split(x)
        nu = np.linalg.norm(U, axis=1, keepdims=True)
        nv = np.linalg.norm(V, axis=0, keepdims=True)
        W, H = U / nu, V / nv
        Z = tau * W @ H + b[:, None]
        f, G = loss_grad(kind, Z, y, param, s)
        gW = tau * G @ H.T
        gH = tau * W.T @ G
        gU = (gW - W * np.sum(gW * W, axis=1, keepdims=True)) / nu
        gV = (gH - H * np.sum(gH * H, axis=0, keepdims=True)) / nv
        parts = [gU.ravel(), gV.ravel()] + ([G.sum(axis=1)] if bias else [])
        return f, np.concatenate(parts)

    def state(x):
        U, V, b = split(x)
        return U / np.linalg.norm(U, axis=1, keepdims=True), V / np.linalg.norm(V, axis=0, keepdims=True), b

    return fg, state, K * d + d * N + (K if bias else 0), y


def solve(K, d, n, tau, kind, param=0.0, bias=False, s=1.0, restarts=12, seed0=0):
    fg, state, dim, y = sphere_objective(K, d, n, tau, kind, param, bias, s)
    values, best = [], None
    for seed in range(seed0, seed0 + restarts):
        rng = np.random.default_rng(seed)
        res = lbfgs(fg, rng.standard_normal(dim), iters=20000, gtol=1e-12)
        values.append(res.fun)
        if best is None or res.fun < best.fun:
            best = res
    x = newton_polish(fg, best.x, steps=4)
    f = fg(x)[0]
    return f, state(x), np.array(values), y


# ---------- closed forms (docs/sphere.md) ----------

def ce_margin(m, K):
    return np.log1p((K - 1) * np.exp(-m))


def ell(kind, m, K, param):
    ce = ce_margin(m, K)
    if kind == "ce":
        return ce
    if kind == "ls":
        return ce + param * (K - 1) * m / K
    t = (K - 1) * np.exp(-m)
    return (t / (1 + t)) ** param * ce


def ls_free_margin(K, alpha):
    return np.log(K / alpha - K + 1)


def sphere_theory(kind, K, tau, param=0.0):
    """f* for K <= d+1 (LS saturated branch needs d >= K, see the docs)."""
    M = tau * K / (K - 1)
    if kind == "ls" and M > ls_free_margin(K, param):
        q = param * (K - 1) / K
        return -(1 - q) * np.log(1 - q) - q * np.log(q / (K - 1))  # entropy of the smoothed target
    return ell(kind, M, K, param)


def polygon_value(kind, K, tau, param=0.0):
    """Regular K-gon in d = 2 with h = w_k."""
    S = np.sum(np.exp(tau * (np.cos(2 * np.pi * np.arange(K) / K) - 1)))
    if kind == "ce":
        return np.log(S)
    if kind == "ls":
        return np.log(S) + param * tau
    return (1 - 1 / S) ** param * np.log(S)


def convex_envelope_ok(K, tau, beta, grid=40001):
    """True if the convex envelope of l_FL on [-2 tau, 2 tau] equals l_FL at M = tau K/(K-1)."""
    m = np.linspace(-2 * tau, 2 * tau, grid)
    l = ell("fl", m, K, beta)
    # lower convex hull (monotone chain)
    hull = []
    for i in range(grid):
        while len(hull) >= 2:
            i0, i1 = hull[-2], hull[-1]
            if (l[i1] - l[i0]) * (m[i] - m[i0]) >= (l[i] - l[i0]) * (m[i1] - m[i0]):
                hull.pop()
            else:
                break
        hull.append(i)
    M = tau * K / (K - 1)
    env = np.interp(M, m[hull], l[hull])
    return abs(env - ell("fl", M, K, beta)) <= 1e-9 * max(1.0, env), env


def main():
    worst = 0.0
    print("Known CE values on the sphere (science-reference test constants)")
    for K, d, tau, expect in [(4, 4, 2, 0.1893388394), (4, 3, 5, 0.0038106317), (6, 8, 1, 0.9186763079)]:
        worst = max(worst, check(f"CE closed form K={K} tau={tau}", sphere_theory("ce", K, tau), expect, 5e-11))

    print("\nK <= d+1: simplex ETF value for CE / LS / FL, full solver, n = 2")
    cases = [
        ("ce", 0.0, 4, 4, 2), ("ce", 0.0, 4, 3, 5), ("ce", 0.0, 5, 6, 0.7),
        ("ls", 0.05, 4, 4, 2), ("ls", 0.05, 4, 3, 2), ("ls", 0.2, 5, 6, 1.5),
        ("ls", 0.05, 4, 5, 5), ("ls", 0.05, 4, 4, 5), ("ls", 0.2, 5, 6, 4),
        ("fl", 3.0, 4, 4, 2), ("fl", 3.0, 4, 3, 5), ("fl", 1.0, 6, 8, 1), ("fl", 2.0, 5, 4, 0.5),
    ]
    for kind, param, K, d, tau in cases:
        f_theory = sphere_theory(kind, K, tau, param)
        f, (W, H, b), values, y = solve(K, d, 2, tau, kind, param)
        frac = np.mean(values < f_theory + 1e-8)
        regime = ""
        if kind == "ls":
            regime = " (saturated: M > m_LS)" if tau * K / (K - 1) > ls_free_margin(K, param) else " (ETF: M <= m_LS)"
        print(f" {kind} param={param} K={K} d={d} tau={tau}{regime}: best {f:.12f}, "
              f"{100*frac:.0f}% of {len(values)} starts reach it")
        worst = max(worst, check("f*", f, f_theory, 1e-9))
        if "saturated" in regime:
            Z = tau * W @ H
            own = Z[y, np.arange(len(y))]
            margins = own - (Z.sum(axis=0) - own) / (K - 1)
            others = np.array([np.ptp(np.delete(Z[:, i], y[i])) for i in range(len(y))])
            means = np.stack([H[:, y == k].mean(axis=1) for k in range(K)], axis=1)
            spread = max(np.linalg.norm(H[:, y == k] - means[:, [k]], axis=0).max() for k in range(K))
            worst = max(worst, check("  every sample's margin = m_LS", np.max(np.abs(margins - ls_free_margin(K, param))), 0, 1e-6))
            worst = max(worst, check("  non-target logits equal per sample", np.max(others), 0, 1e-6))
            print(f"  within-class spread max ||h_i - mean_k|| = {spread:.3e} (not forced to 0 when d > K)")
        elif f_theory > 1e-6:
            G = W @ W.T
            etf = (K / (K - 1)) * (np.eye(K) - 1 / K)
            worst = max(worst, check("max |W W^T - K/(K-1) (I - J/K)|", np.max(np.abs(G - etf)), 0, 1e-6))
            worst = max(worst, check("max_i ||h_i - w_{y_i}||", np.max(np.linalg.norm(H - W[y].T, axis=0)), 0, 1e-6))

    print("\nLS, saturated regime with d = K - 1: is the entropy bound reached?")
    for K, d, tau, alpha in [(4, 3, 5, 0.05), (3, 2, 5, 0.05), (3, 2, 3, 0.1)]:
        bound = sphere_theory("ls", K, tau, alpha)
        etf = ell("ls", tau * K / (K - 1), K, alpha)
        f, _, values, _ = solve(K, d, 2, tau, "ls", alpha, restarts=16)
        print(f" K={K} d={d} tau={tau} alpha={alpha}: solver {f:.10f}, entropy bound {bound:.10f}, "
              f"ETF (h = w) value {etf:.10f}")

    print("\nFL: the convex-envelope condition, and a case where it fails")
    for K, tau, beta in [(4, 2, 3), (4, 0.3, 3), (6, 1, 1), (10, 0.5, 3), (30, 0.3, 3), (30, 1.0, 3)]:
        ok, env = convex_envelope_ok(K, tau, beta)
        print(f" K={K} tau={tau} beta={beta}: envelope equals l_FL at M: {ok} (l(M) = "
              f"{ell('fl', tau*K/(K-1), K, beta):.10f}, envelope {env:.10f})")
    K, d, tau, beta = 30, 29, 0.3, 3.0
    f, _, values, _ = solve(K, d, 1, tau, "fl", beta, restarts=4)
    ok, env = convex_envelope_ok(K, tau, beta)
    print(f" full solver K={K} d={d} tau={tau} beta={beta}: best {f:.10f}, ETF value "
          f"{sphere_theory('fl', K, tau, beta):.10f}, lower bound (envelope) {env:.10f}")

    print("\nFree (unregularized) bias: CE / LS / FL unchanged, b constant")
    for kind, param, K, d, tau in [("ce", 0.0, 4, 4, 2), ("ls", 0.05, 4, 4, 2), ("fl", 3.0, 4, 4, 2)]:
        f, (W, H, b), values, y = solve(K, d, 2, tau, kind, param, bias=True)
        worst = max(worst, check(f"{kind} with free bias f*", f, sphere_theory(kind, K, tau, param), 1e-9))
        worst = max(worst, check(f"{kind} spread of b (max - min)", np.ptp(b), 0, 1e-6))

    print("\nMSE on the sphere: f* = (1/2)(s - tau)_+^2 for d >= K (bias-free)")
    for K, d, tau, s in [(4, 4, 0.5, 1.0), (4, 6, 0.8, 1.0), (4, 4, 2.0, 1.0), (4, 5, 2.0, 1.0), (3, 3, 3.0, 5.0)]:
        f, (W, H, b), values, y = solve(K, d, 2, tau, "mse", s=s, restarts=8)
        expect = 0.5 * max(s - tau, 0) ** 2
        worst = max(worst, check(f"K={K} d={d} tau={tau} s={s}: f*", f, expect, 1e-9))
        if tau < s:
            worst = max(worst, check("  max |W W^T - I| (orthogonal frame)", np.max(np.abs(W @ W.T - np.eye(K))), 0, 1e-6))
            worst = max(worst, check("  max_i ||h_i - w_{y_i}||", np.max(np.linalg.norm(H - W[y].T, axis=0)), 0, 1e-6))
    print(" d = K - 1: f* = (1/2)(1 - 2 tau + tau^2 K/(K-1)) for tau <= (K-1)/K (ETF), else 1/(2K)")
    for K, d, tau in [(4, 3, 0.5), (5, 4, 0.3), (3, 2, 0.6), (4, 3, 2.0), (3, 2, 1.0)]:
        f, (W, H, b), values, y = solve(K, d, 2, tau, "mse", restarts=8)
        if tau <= (K - 1) / K:
            expect = 0.5 * (1 - 2 * tau + tau * tau * K / (K - 1))
            worst = max(worst, check(f"K={K} d={d} tau={tau}: f*", f, expect, 1e-9))
            etf = (K / (K - 1)) * (np.eye(K) - 1 / K)
            # a signed simplex ETF: |W W^T| = |ETF| entrywise (rows may be negated), h = w
            worst = max(worst, check("  max ||W W^T| - |ETF|| (signed ETF)", np.max(np.abs(np.abs(W @ W.T) - np.abs(etf))), 0, 1e-6))
            worst = max(worst, check("  max_i ||h_i - w_{y_i}||", np.max(np.linalg.norm(H - W[y].T, axis=0)), 0, 1e-6))
        else:
            print(f"  K={K} d={d} tau={tau}: solver f* = {f:.10f}, rank bound 1/(2K) = {1/(2*K):.10f} "
                  f"({'attained' if abs(f - 1/(2*K)) < 1e-9 else 'NOT attained'})")

    print("\nMSE on the sphere with a free bias: f* = (K-1)/(2K) (1 - tau K/(K-1))_+^2")
    for K, d, tau in [(4, 3, 0.3), (4, 4, 0.5), (5, 6, 0.6), (4, 4, 1.5)]:
        f, (W, H, b), values, y = solve(K, d, 2, tau, "mse", bias=True, restarts=8)
        expect = (K - 1) / (2 * K) * max(1 - tau * K / (K - 1), 0) ** 2
        worst = max(worst, check(f"K={K} d={d} tau={tau}: f*", f, expect, 1e-9))
        if tau * K / (K - 1) < 1:
            worst = max(worst, check("  max |b - 1/K|", np.max(np.abs(b - 1 / K)), 0, 1e-6))
            G = W @ W.T
            etf = (K / (K - 1)) * (np.eye(K) - 1 / K)
            worst = max(worst, check("  max |W W^T - ETF|", np.max(np.abs(G - etf)), 0, 1e-6))

    print("\nd = 2, K > 3: regular K-gon values for CE / LS / FL vs the solver")
    for kind, param, K, tau in [("ce", 0.0, 5, 3), ("ce", 0.0, 7, 10), ("ls", 0.05, 5, 3), ("ls", 0.1, 6, 2),
                                ("ls", 0.05, 5, 10), ("fl", 3.0, 5, 3), ("fl", 1.0, 7, 10), ("fl", 3.0, 6, 1)]:
        f, (W, H, b), values, y = solve(K, 2, 2, tau, kind, param, restarts=16)
        g = polygon_value(kind, K, tau, param)
        ang = np.sort(np.mod(np.arctan2(W[:, 1], W[:, 0]), 2 * np.pi))
        gaps = np.diff(np.concatenate([ang, [ang[0] + 2 * np.pi]]))
        frac = np.mean(values < f + 1e-8)
        print(f" {kind} param={param} K={K} tau={tau}: solver {f:.12f}, polygon formula {g:.12f}, "
              f"diff {f-g:.1e}, max gap deviation from 2pi/K {np.max(np.abs(gaps - 2*np.pi/K)):.1e}, "
              f"{100*frac:.0f}% of starts at the best")
        if kind != "ls" or tau <= 3:
            worst = max(worst, check("  polygon value", f, g, 1e-9))
    for K, tau, expect in [(5, 3, 0.23144539), (7, 10, 0.04529867)]:
        worst = max(worst, check(f"science-reference K-gon CE K={K} tau={tau}", polygon_value("ce", K, tau), expect, 5e-9))
    print(f"\nlargest deviation over all asserted checks: {worst:.1e}")
    finish()


if __name__ == "__main__":
    main()
