"""Checks docs/imbalanced.md: the imbalanced MSE UFM (Z convention), bias-free and with a free
(unregularized) bias, against scipy L-BFGS on the full problem.

    f(W, H, b) = 1/(2N) ||W H + b 1^T - Y||_F^2 + lam_W/2 ||W||^2 + lam_H/2 ||H||^2,
    class k has n_k columns, N = sum n_k.
"""
import numpy as np

from common import best_of, check, finish, newton_polish


def phi(s, t):
    """Contribution of one singular value s of the (reduced) target: soft threshold at t."""
    return t * s - t * t / 2 if s > t else s * s / 2


def theory_bias_free(counts, lw, lh):
    counts = np.asarray(counts, float)
    N = counts.sum()
    t = N * np.sqrt(lw * lh)
    f = sum(phi(np.sqrt(nk), t) for nk in counts) / N
    z = np.maximum(np.sqrt(counts) - t, 0)  # singular values of the optimal G-factorized logits
    w_sq = np.sqrt(lh / lw) * z
    h_sq = np.sqrt(lw / lh) * z / counts
    return f, w_sq, h_sq


def theory_free_bias(counts, lw, lh):
    counts = np.asarray(counts, float)
    K = counts.size
    N = counts.sum()
    t = N * np.sqrt(lw * lh)
    D = np.diag(np.sqrt(counts))
    u = np.sqrt(counts / N)
    A = D @ (np.eye(K) - np.outer(u, u))
    U, s, Vt = np.linalg.svd(A)
    shrunk = np.maximum(s - t, 0)
    f = sum(phi(si, t) for si in s[:-1]) / N  # s[-1] = 0 (the direction u)
    Z = (U * shrunk) @ Vt
    # balanced factorization: W W^T = sqrt(lh/lw) (Z Z^T)^{1/2}, G^T G = sqrt(lw/lh) (Z^T Z)^{1/2}
    ZZt_half = (U * shrunk) @ U.T
    ZtZ_half = (Vt.T * shrunk) @ Vt
    w_sq = np.sqrt(lh / lw) * np.diag(ZZt_half)
    g_sq = np.sqrt(lw / lh) * np.diag(ZtZ_half)
    h_sq = g_sq / counts
    WWt = np.sqrt(lh / lw) * ZZt_half
    return f, w_sq, h_sq, counts / N, s[:-1], WWt


def two_group(KA, nA, KB, nB, lw, lh):
    """Closed form of the step-imbalanced free-bias case (docs/imbalanced.md#mse-free-bias-step)."""
    K = KA + KB
    N = KA * nA + KB * nB
    t = N * np.sqrt(lw * lh)
    mu = K * nA * nB / N
    f = ((KA - 1) * phi(np.sqrt(nA), t) + (KB - 1) * phi(np.sqrt(nB), t) + phi(np.sqrt(mu), t)) / N
    zA, zB, zm = (max(np.sqrt(x) - t, 0) for x in (nA, nB, mu))
    rw, rh = np.sqrt(lh / lw), np.sqrt(lw / lh)
    wA = rw * ((1 - 1 / KA) * zA + KB / (K * KA) * zm)
    wB = rw * ((1 - 1 / KB) * zB + KA / (K * KB) * zm)
    hA = rh * ((1 - 1 / KA) * zA + KB * nB / (N * KA) * zm) / nA
    hB = rh * ((1 - 1 / KB) * zB + KA * nA / (N * KB) * zm) / nB
    # cosine between two minority classifiers (KB >= 2)
    cosB = (-zB / KB + KA / (K * KB) * zm) / ((1 - 1 / KB) * zB + KA / (K * KB) * zm) \
        if (zB > 0 or zm > 0) else float("nan")
    return f, mu, (wA, wB), (hA, hB), cosB


def make_objective(counts, d, lw, lh, bias):
    K = len(counts)
    N = int(sum(counts))
    y = np.repeat(np.arange(K), counts)
    Y = np.zeros((K, N))
    Y[y, np.arange(N)] = 1
    nb = K if bias else 0

    def unpack(x):
        W = x[:K * d].reshape(K, d)
        H = x[K * d:K * d + d * N].reshape(d, N)
        b = x[K * d + d * N:] if bias else np.zeros(K)
        return W, H, b

    def fg(x):
        W, H, b = unpack(x)
        R = W @ H + b[:, None] - Y
        f = 0.5 * np.sum(R * R) / N + 0.5 * lw * np.sum(W * W) + 0.5 * lh * np.sum(H * H)
        gW = R @ H.T / N + lw * W
        gH = W.T @ R / N + lh * H
        parts = [gW.ravel(), gH.ravel()]
        if bias:
            parts.append(R.sum(axis=1) / N)
        return f, np.concatenate(parts)

    return fg, unpack, K * d + d * N + nb, y


def solve(counts, d, lw, lh, bias, seeds=range(6)):
    fg, unpack, dim, y = make_objective(counts, d, lw, lh, bias)
    res = best_of(fg, dim, seeds, scale=0.5)
    res.x = newton_polish(fg, res.x)
    res.fun, res.jac = fg(res.x)
    W, H, b = unpack(res.x)
    K = len(counts)
    means = np.stack([H[:, y == k].mean(axis=1) for k in range(K)], axis=1)  # d x K
    within = max(np.abs(H[:, y == k] - means[:, [k]]).max() for k in range(K))
    return res, W, H, b, means, within


def deep_theory(counts, lams, largest_root):
    """Per-class closed form of the L-factor model (docs/imbalanced.md#deep-imbalanced)."""
    counts = np.asarray(counts, float)
    L = len(lams)
    N = counts.sum()
    a = N * np.asarray(lams, float)
    g = np.exp(np.mean(np.log(a)))
    f, sig = 0.0, []
    for nk in counts:
        kappa = g * nk ** (1 / L - 1)
        x = largest_root(kappa, L)
        phi = None if x is None else 0.5 * (1 - x) ** 2 + (L / 2) * kappa * x ** (2 / L)
        if phi is None or phi >= 0.5:
            x, phi = 0.0, 0.5
        f += nk * phi / N
        sig.append(g * (np.sqrt(nk) * x) ** (2 / L) / a)  # squared singular value of every factor
    return f, np.array(sig)  # sig[k, l]


def check_deep_imbalanced(counts, widths, lams, largest_root):
    """L-BFGS (many starts, init std 1) on the full L-factor problem vs the per-class closed form."""
    K, N, L = len(counts), sum(counts), len(lams)
    dims = [K] + list(widths) + [N]
    y = np.repeat(np.arange(K), counts)
    Y = np.zeros((K, N))
    Y[y, np.arange(N)] = 1
    shapes = [(dims[l], dims[l + 1]) for l in range(L)]

    def unpack(x):
        out, i = [], 0
        for r, c in shapes:
            out.append(x[i:i + r * c].reshape(r, c))
            i += r * c
        return out

    def fg(x):
        A = unpack(x)
        left = [np.eye(K)]
        for M in A:
            left.append(left[-1] @ M)
        right = [np.eye(N)]
        for M in reversed(A):
            right.append(M @ right[-1])
        right = right[::-1]
        R = left[L] - Y
        f = 0.5 * np.sum(R * R) / N + sum(0.5 * lam * np.sum(M * M) for lam, M in zip(lams, A))
        grads = [left[l].T @ (R / N) @ right[l + 1].T + lams[l] * A[l] for l in range(L)]
        return f, np.concatenate([g.ravel() for g in grads])

    dim = sum(r * c for r, c in shapes)
    res = best_of(fg, dim, range(12), scale=1.0)
    res.x = newton_polish(fg, res.x)
    f_num = fg(res.x)[0]
    f_th, sig = deep_theory(counts, lams, largest_root)
    A = unpack(res.x)
    print(f" counts {counts}, widths {widths}, lam (Z, classifier first) {lams}: "
          f"vanished classes {[k for k in range(K) if sig[k, 0] == 0]}")
    worst = check("f*", f_num, f_th, 1e-10)
    W = A[0]
    feats = A[1]
    for M in A[2:]:
        feats = feats @ M  # penultimate features, d_m x N
    means = np.stack([feats[:, y == k].mean(axis=1) for k in range(K)], axis=1)
    w_th = sig[:, 0]
    h_th = np.prod(sig[:, 1:], axis=1) / np.asarray(counts, float)
    worst = max(worst, check("max_k | ||w_k||^2 - sigma_1k^2 |", np.max(np.abs(np.sum(W * W, 1) - w_th)), 0, 1e-8))
    worst = max(worst, check("max_k | ||h_k||^2 - prod_{l>1} sigma_lk^2 / n_k | (penultimate)",
                             np.max(np.abs(np.sum(means * means, 0) - h_th)), 0, 1e-8))
    return worst


def main():
    print("Bias-free imbalanced MSE UFM (Z): f*, ||w_k||^2, ||h_k||^2, orthogonality, duality")
    cases = [
        ((200, 100, 50, 50), 8, 2e-4, 2e-4),     # t = 0.08: nothing collapses
        ((200, 100, 50, 50), 8, 1.6e-2, 1.6e-2),  # t = 6.4 < sqrt(50): every class survives
        ((200, 100, 50, 50), 8, 2e-2, 2e-2),     # t = 8: the two 50s collapse (7.07 < 8 < 10)
        ((30, 10, 5, 2), 6, 5e-3, 1e-2),         # t = 0.33: every class survives
        ((30, 10, 5, 2), 6, 2e-2, 4e-2),         # t = 1.33 < sqrt(2): every class survives, barely
        ((30, 10, 5, 2), 6, 4e-2, 4e-2),         # t = 1.88: n=2 collapses
        ((12, 3, 3, 1, 1), 7, 3e-2, 2e-2),       # t = 20·0.0245 = 0.49 -> n=1 survives
        ((12, 3, 3, 1, 1), 7, 8e-2, 8e-2),       # t = 1.6: n=1 collapses
        ((5, 5, 5, 5), 6, 5e-3, 5e-3),           # balanced, = §3.1 in (Z)
    ]
    worst = 0.0
    for counts, d, lw, lh in cases:
        K, N = len(counts), sum(counts)
        f, w_sq, h_sq = theory_bias_free(counts, lw, lh)
        res, W, H, b, means, within = solve(counts, d, lw, lh, bias=False)
        t = N * np.sqrt(lw * lh)
        print(f" counts {counts}, d {d}, lam_W {lw}, lam_H {lh}: t = {t:.4f}, "
              f"collapsed classes {[k for k in range(K) if np.sqrt(counts[k]) <= t]}, "
              f"|grad| {np.linalg.norm(res.jac):.1e}")
        worst = max(worst, check("f*", res.fun, f, 1e-10))
        for k in range(K):
            worst = max(worst, check(f"||w_{k}||^2", W[k] @ W[k], w_sq[k], 1e-8))
            worst = max(worst, check(f"||h_{k}||^2", means[:, k] @ means[:, k], h_sq[k], 1e-8))
        gram_w = W @ W.T
        off = np.max(np.abs(gram_w - np.diag(np.diag(gram_w))))
        worst = max(worst, check("max off-diagonal of W W^T (orthogonal rows)", off, 0, 1e-8))
        duality = np.max(np.abs(means * np.sqrt(np.asarray(counts, float))[None, :]
                                - np.sqrt(lw / lh) * W.T))
        worst = max(worst, check("sqrt(n_k) h_k - sqrt(lam_W/lam_H) w_k", duality, 0, 1e-8))
        worst = max(worst, check("within-class spread (NC1)", within, 0, 1e-8))
        logits = W @ means
        expect = np.diag(np.maximum(1 - t / np.sqrt(np.asarray(counts, float)), 0))
        worst = max(worst, check("W h_k = (1 - t/sqrt(n_k))_+ e_k", np.max(np.abs(logits - expect)), 0, 1e-8))
        # TB form: lam^TB_W = K lam_W, lam^TB_H = N lam_H, c = sqrt(lamTB_W lamTB_H), r_k = sqrt(n_k/nbar)
        c = np.sqrt(K * lw * N * lh)
        nbar = N / K
        r = np.sqrt(np.asarray(counts, float) / nbar)
        f_tb = np.mean([c * rk - c * c / 2 if rk > c else rk * rk / 2 for rk in r])
        worst = max(worst, check("TB form of f*", f_tb, f, 1e-13))
        w_tb = np.sqrt((N * lh) / (K * lw)) * np.maximum(r - c, 0)
        h_tb = np.sqrt((K * lw) / (N * lh)) * np.maximum(r - c, 0) / r**2
        worst = max(worst, check("TB form of ||w_k||^2 (max over k)", np.max(np.abs(w_tb - w_sq)), 0, 1e-12))
        worst = max(worst, check("TB form of ||h_k||^2 (max over k)", np.max(np.abs(h_tb - h_sq)), 0, 1e-12))

    print("\nFree (unregularized) bias, imbalanced MSE UFM (Z): secular-equation solution")
    cases_b = [
        ((200, 100, 50, 50), 8, 2e-4, 2e-4),
        ((200, 100, 50, 50), 8, 1.5e-2, 1.5e-2),
        ((30, 10, 5, 2), 6, 5e-3, 1e-2),
        ((30, 10, 5, 2), 6, 3e-2, 4e-2),
        ((12, 3, 3, 1, 1), 7, 3e-2, 2e-2),
        ((20, 20, 20, 4, 4), 7, 3e-2, 3e-2),
        ((20, 20, 20, 4, 4), 7, 6e-2, 6e-2),
        ((5, 5, 5, 5), 6, 5e-3, 5e-3),
    ]
    for counts, d, lw, lh in cases_b:
        K, N = len(counts), sum(counts)
        f, w_sq, h_sq, b_star, s, WWt = theory_free_bias(counts, lw, lh)
        res, W, H, b, means, within = solve(counts, d, lw, lh, bias=True)
        t = N * np.sqrt(lw * lh)
        print(f" counts {counts}, d {d}, lam_W {lw}, lam_H {lh}: t = {t:.4f}, singular values "
              f"{np.round(s, 4).tolist()}, |grad| {np.linalg.norm(res.jac):.1e}")
        worst = max(worst, check("f*", res.fun, f, 1e-10))
        worst = max(worst, check("max_k |b_k - n_k/N|", np.max(np.abs(b - b_star)), 0, 1e-8))
        worst = max(worst, check("max_k | ||w_k||^2 - theory |", np.max(np.abs(np.sum(W * W, 1) - w_sq)), 0, 1e-8))
        worst = max(worst, check("max_k | ||h_k||^2 - theory |",
                                 np.max(np.abs(np.sum(means * means, 0) - h_sq)), 0, 1e-8))
        worst = max(worst, check("max |W W^T - theory|", np.max(np.abs(W @ W.T - WWt)), 0, 1e-8))
        worst = max(worst, check("|sum_k n_k h_k| (sample mean of features = 0)",
                                 np.linalg.norm(means @ np.asarray(counts, float)), 0, 1e-8))
        worst = max(worst, check("within-class spread (NC1)", within, 0, 1e-8))
        # the secular equation: every s_i^2 solves sum_k n_k/(n_k - mu) = 0 (or is a repeated n_k)
        cnt = np.asarray(counts, float)
        for mu in s**2:
            if np.min(np.abs(cnt - mu)) > 1e-9:
                sec = np.sum(cnt / (cnt - mu))
                worst = max(worst, check(f"secular equation at mu = {mu:.6g}", sec, 0, 1e-7))

    print("\nStep imbalance (K_A classes of n_A, K_B of n_B), free bias: closed form")
    for KA, nA, KB, nB, lw, lh in [(2, 20, 3, 4, 3e-2, 3e-2), (2, 20, 3, 4, 6e-2, 6e-2),
                                    (3, 30, 2, 3, 2e-2, 2e-2), (3, 30, 2, 3, 5e-2, 5e-2),
                                    (2, 40, 2, 1, 2e-2, 2e-2)]:
        counts = (nA,) * KA + (nB,) * KB
        f, mu, (wA, wB), (hA, hB), cosB = two_group(KA, nA, KB, nB, lw, lh)
        g = theory_free_bias(counts, lw, lh)
        res, W, H, b, means, within = solve(counts, 8, lw, lh, bias=True)
        N = sum(counts)
        print(f" K_A={KA} n_A={nA} K_B={KB} n_B={nB} lam={lw}: t = {N*np.sqrt(lw*lh):.4f}, "
              f"sqrt(mu) = {np.sqrt(mu):.4f}, sqrt(n_B) = {np.sqrt(nB):.4f}")
        worst = max(worst, check("f* (two-group formula vs secular)", f, g[0], 1e-13))
        worst = max(worst, check("f* (two-group formula vs L-BFGS)", res.fun, f, 1e-10))
        ww = np.sum(W * W, 1)
        hh = np.sum(means * means, 0)
        worst = max(worst, check("||w_k||^2 majority", ww[0], wA, 1e-8))
        worst = max(worst, check("||w_k||^2 minority", ww[-1], wB, 1e-8))
        worst = max(worst, check("||h_k||^2 majority", hh[0], hA, 1e-8))
        worst = max(worst, check("||h_k||^2 minority", hh[-1], hB, 1e-8))
        if KB >= 2 and not np.isnan(cosB):
            wl = W[-1] / np.linalg.norm(W[-1])
            wm = W[-2] / np.linalg.norm(W[-2])
            worst = max(worst, check("cos between two minority classifiers", wl @ wm, cosB, 1e-7))
    print("\nL-factor deep linear UFM, bias-free, imbalanced (Z): per-class 1-D problems")
    from hessian_deep_linear import largest_root
    for counts, widths, lams in [((20, 10, 5, 2), (6, 6), (4e-3, 4e-3, 4e-3)),
                                 ((20, 10, 5, 2), (6, 6), (3e-2, 2.5e-2, 2e-2)),  # the 2 vanishes
                                 ((12, 6, 3, 3), (5, 6, 5), (6e-3, 6e-3, 6e-3, 6e-3)),
                                 ((12, 6, 3, 3), (5, 6, 5), (3.3e-2, 3.3e-2, 3.3e-2, 3.3e-2))]:  # the 3s vanish
        worst = max(worst, check_deep_imbalanced(counts, widths, lams, largest_root))
    print(f"\nlargest deviation over all checks: {worst:.1e}")
    finish()


if __name__ == "__main__":
    main()
