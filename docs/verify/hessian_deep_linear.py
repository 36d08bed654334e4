"""Checks docs/landscape.md: Hessian spectra of the deep linear UFM with L factors

    f(A_1, ..., A_L) = 1/(2N) ||A_1 A_2 ... A_L - s Y||_F^2 + sum_l lam_l/2 ||A_l||_F^2

(A_1 = classifier W_m (K x d_m), ..., A_L = free features H1 (d_1 x N); lam_l in the Z
convention; TB: lam_W^Z = lam_W^TB / K, lam_H^Z = lam_H^TB / N) at the origin, at the
rank-deficient critical points f_j and at the global minimizer, against a central-difference
Hessian of the analytic gradient.
"""
import numpy as np

from common import check, fd_hessian, finish


def largest_root(kappa, L):
    """Largest root x of x^(1-2/L) (1 - x) = kappa (None if none)."""
    if L == 2:
        return 1 - kappa if kappa < 1 else None
    p = 1 - 2 / L
    lo, hi = p / (1 + p), 1.0
    if lo**p * (1 - lo) <= kappa:
        return None
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid**p * (1 - mid) > kappa:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


class DeepLinear:
    def __init__(self, K, n, widths, lams, s=1.0):
        """widths = [d_m, ..., d_1] (middle spaces, classifier side first); lams = [lam_1..lam_L]."""
        self.K, self.n, self.s = K, n, s
        self.N = K * n
        self.dims = [K] + list(widths) + [self.N]  # A_l is dims[l-1] x dims[l]
        self.L = len(self.dims) - 1
        assert len(lams) == self.L
        self.lams = np.asarray(lams, float)
        Y = np.zeros((K, self.N))
        for k in range(K):
            Y[k, k * n:(k + 1) * n] = s
        self.Y = Y
        self.shapes = [(self.dims[l], self.dims[l + 1]) for l in range(self.L)]
        self.size = sum(a * b for a, b in self.shapes)

    def unpack(self, x):
        out, i = [], 0
        for a, b in self.shapes:
            out.append(x[i:i + a * b].reshape(a, b))
            i += a * b
        return out

    def pack(self, mats):
        return np.concatenate([m.ravel() for m in mats])

    def value(self, x):
        A = self.unpack(x)
        P = A[0]
        for M in A[1:]:
            P = P @ M
        R = P - self.Y
        return 0.5 * np.sum(R * R) / self.N + sum(0.5 * lam * np.sum(M * M) for lam, M in zip(self.lams, A))

    def grad(self, x):
        A = self.unpack(x)
        L = self.L
        left = [np.eye(self.K)]
        for M in A:
            left.append(left[-1] @ M)  # left[l] = A_1 ... A_l
        right = [np.eye(self.N)]
        for M in reversed(A):
            right.append(M @ right[-1])
        right = right[::-1]  # right[l] = A_{l+1} ... A_L
        R = (left[L] - self.Y) / self.N
        grads = [left[l].T @ R @ right[l + 1].T + self.lams[l] * A[l] for l in range(L)]
        return self.pack(grads)

    # ----- closed forms (docs/landscape.md) -----
    def kappa(self):
        a = self.N * self.lams
        return np.exp(np.mean(np.log(a))) * self.n ** (1 / self.L - 1) * self.s ** (2 / self.L - 2)

    def critical_point(self, j, rng):
        """j singular directions at the largest root, the others at 0 (random middle frames)."""
        L, K, n = self.L, self.K, self.n
        x = largest_root(self.kappa(), L)
        a = self.N * self.lams
        pi = self.s * np.sqrt(n) * x
        gamma = np.exp(np.mean(np.log(a))) * pi ** (2 / L)
        sig = np.sqrt(gamma / a)  # sigma_l of every active direction
        frames = [np.eye(K)[:, :j]]
        for dim in self.dims[1:-1]:
            Q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
            frames.append(Q[:, :j])
        V = np.zeros((self.N, j))
        for p in range(j):
            V[p * n:(p + 1) * n, p] = 1 / np.sqrt(n)
        frames.append(V)
        mats = [frames[l] @ np.diag(np.full(j, sig[l])) @ frames[l + 1].T for l in range(L)]
        return self.pack(mats), x

    def symmetry_generators(self, x):
        """Tangent vectors of the symmetry orbit through x (docs/landscape.md#deep-zero-modes).

        Middle rotations: for the space between A_l and A_{l+1} and Omega in so(d_l):
            dA_l = A_l Omega,  dA_{l+1} = -Omega A_{l+1}.
        Outer rotations (Y has K equal singular values): Omega in so(K),
            dA_1 = Omega A_1,  dA_L = -A_L V Omega V^T   (V = normalized class indicators, N x K).
        """
        A = self.unpack(x)
        gens = []
        zero = [np.zeros_like(M) for M in A]

        def so(dim):
            for a in range(dim):
                for b in range(a + 1, dim):
                    O = np.zeros((dim, dim))
                    O[a, b], O[b, a] = 1.0, -1.0
                    yield O

        for l in range(self.L - 1):  # middle space between A[l] and A[l+1]
            for O in so(self.dims[l + 1]):
                d = [z.copy() for z in zero]
                d[l] = A[l] @ O
                d[l + 1] = -O @ A[l + 1]
                gens.append(self.pack(d))
        V = np.zeros((self.N, self.K))
        for k in range(self.K):
            V[k * self.n:(k + 1) * self.n, k] = 1 / np.sqrt(self.n)
        for O in so(self.K):
            d = [z.copy() for z in zero]
            d[0] = O @ A[0]
            d[-1] = -A[-1] @ V @ O @ V.T
            gens.append(self.pack(d))
        G = np.array(gens).T
        U, sv, _ = np.linalg.svd(G, full_matrices=False)
        return U[:, sv > 1e-9 * sv[0]]

    def origin_lambda_min(self):
        lam = self.lams
        if self.L == 2:
            c2 = self.s**2 / (self.K**2 * self.n)
            return 0.5 * (lam[0] + lam[1]) - np.sqrt(0.25 * (lam[0] - lam[1]) ** 2 + c2)
        return lam.min()

    def zero_modes(self, j):
        """dim of the critical manifold through a rank-j point: middle rotations + Grassmannian."""
        middle = self.dims[1:-1]
        return sum(j * dm - j * (j + 1) // 2 for dm in middle) + j * (self.K - j)


def spectrum(model, x, h=1e-5, with_matrix=False):
    H = fd_hessian(model.grad, x, h)
    ev = np.linalg.eigvalsh(H)
    return (ev, H) if with_matrix else ev


def main():
    rng = np.random.default_rng(0)
    worst = 0.0
    zero_tol = 1e-7
    print("Origin: lambda_min of the Hessian")
    # (K, n, widths [classifier side first], TB lambdas [W_m, ..., W_1, H1])
    cases = [
        (3, 2, [4], [0.3, 0.5]),          # L = 2, c < 1: strict saddle
        (4, 3, [5], [0.1, 0.2]),          # L = 2, c < 1
        (3, 2, [4], [1.5, 1.0]),          # L = 2, c > 1: origin global, PD
        (3, 2, [4], [1.0, 1.0]),          # L = 2, c = 1: lambda_min = 0
        (3, 2, [4, 4], [0.2, 0.3, 0.4]),  # L = 3, below kappa*: origin a local minimum
        (4, 2, [5, 4], [0.6, 0.5, 0.3]),  # L = 3, beyond kappa*: origin global
        (3, 2, [4, 4, 4], [0.2, 0.2, 0.2, 0.2]),  # L = 4
        (4, 5, [8], [0.2, 0.3]),          # L = 2, n = 5, d = 8
    ]
    for K, n, widths, tb in cases:
        L = len(tb)
        lams = [lam / K for lam in tb[:-1]] + [tb[-1] / (K * n)]  # TB -> Z
        m = DeepLinear(K, n, widths, lams)
        ev = spectrum(m, np.zeros(m.size))
        expect = m.origin_lambda_min()
        neg = int(np.sum(ev < -zero_tol))
        print(f" K={K} n={n} widths={widths} TB lam={tb} (L={L}, kappa={m.kappa():.4f}): "
              f"{neg} negative eigenvalues")
        worst = max(worst, check("lambda_min at the origin", ev[0], expect, 1e-6))
        if L == 2 and expect < 0:
            worst = max(worst, check("  number of negative eigenvalues = K d", neg, K * widths[0], 0))

    print("\nRank-deficient critical points f_j and the global minimizer")
    cases = [
        (3, 2, [4], [0.3, 0.5]),
        (4, 3, [6], [0.1, 0.2]),
        (4, 2, [5], [0.05, 0.4]),
        (3, 2, [4, 4], [0.2, 0.3, 0.4]),
        (4, 2, [5, 4], [0.05, 0.05, 0.05]),
        (3, 3, [4, 5], [0.1, 0.1, 0.1]),
        (3, 2, [4, 4, 4], [0.15, 0.15, 0.15, 0.15]),
        (4, 5, [8], [0.2, 0.3]),
        (4, 5, [8, 6], [0.1, 0.2, 0.3]),
    ]
    for K, n, widths, tb in cases:
        L = len(tb)
        lams = [lam / K for lam in tb[:-1]] + [tb[-1] / (K * n)]
        m = DeepLinear(K, n, widths, lams)
        print(f" K={K} n={n} widths={widths} TB lam={tb} (L={L}, kappa={m.kappa():.4f})")
        for j in range(1, K + 1):
            x, root = m.critical_point(j, rng)
            g = np.linalg.norm(m.grad(x))
            ev, Hm = spectrum(m, x, with_matrix=True)
            f = m.value(x)
            phi = 0.5 * (1 - root) ** 2 + (L / 2) * m.kappa() * root ** (2 / L)
            fj = (j * phi + (K - j) * 0.5) / K
            neg = int(np.sum(ev < -zero_tol))
            zeros = int(np.sum(np.abs(ev) <= zero_tol))
            positive = ev[ev > zero_tol]
            print(f"  j={j}: f = {f:.10f} (f_j = {fj:.10f}), |grad| = {g:.1e}, lambda_min = {ev[0]:.10f}, "
                  f"{neg} negative, {zeros} zero, smallest positive {positive[0]:.6f}")
            worst = max(worst, check("  f = f_j", f, fj, 1e-12))
            worst = max(worst, check("  gradient", g, 0, 1e-12))
            if L == 2 and j < K:
                worst = max(worst, check("  lambda_min = origin value", ev[0], m.origin_lambda_min(), 1e-6))
                worst = max(worst, check("  negatives = (K-j)(d-j)", neg, (K - j) * (widths[0] - j), 0))
            else:
                worst = max(worst, check("  lambda_min = 0 (PSD)", ev[0], 0, 1e-6))
                worst = max(worst, check("  no negative eigenvalue", neg, 0, 0))
            worst = max(worst, check("  zero modes = critical-manifold dimension", zeros, m.zero_modes(j), 0))
            # the symmetry generators span exactly the kernel; projecting them out leaves
            # the rest of the spectrum (negative directions of L = 2 saddles, positive otherwise)
            B = m.symmetry_generators(x)
            worst = max(worst, check("  rank of the symmetry generators", B.shape[1], m.zero_modes(j), 0))
            worst = max(worst, check("  max |Hessian . generator|", np.max(np.abs(Hm @ B)), 0, 1e-8))
            Qc, _ = np.linalg.qr(np.hstack([B, np.random.default_rng(1).standard_normal((x.size, x.size - B.shape[1]))]))
            C = Qc[:, B.shape[1]:]  # orthonormal complement of the orbit tangent
            ev_c = np.linalg.eigvalsh(C.T @ Hm @ C)
            if L == 2 and j < K:
                worst = max(worst, check("  complement: lambda_min = origin value", ev_c[0], m.origin_lambda_min(), 1e-6))
            else:
                print(f"    complement of the orbit: smallest eigenvalue {ev_c[0]:.10f} (> 0: strict in every non-symmetry direction)")
                worst = max(worst, check("  complement: smallest eigenvalue > 0", float(ev_c[0] > 1e-7), 1, 0))
    print(f"\nlargest deviation over all checks: {worst:.1e}")
    finish()


if __name__ == "__main__":
    main()
