"""Shared helpers of the docs/ verification scripts (numpy/scipy only).

Every script in this folder checks a formula of docs/*.md against an independent numerical
solution of the full problem (scipy L-BFGS with analytic gradients, many seeded starts) or a
finite-difference Hessian. Run any script with `python3 docs/verify/<name>.py`; each prints
its checks and exits non-zero if one fails.
"""
import sys

import numpy as np
from scipy.optimize import minimize

FAILURES = []


def check(name, value, expected, tol):
    """Prints one comparison and records a failure if |value - expected| > tol."""
    err = abs(value - expected)
    ok = err <= tol
    status = "ok " if ok else "FAIL"
    print(f"  [{status}] {name}: got {value:.12g}, expected {expected:.12g}, |diff| {err:.1e}")
    if not ok:
        FAILURES.append(name)
    return err


def finish():
    """Exit status of a verification script."""
    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) FAILED: {FAILURES}")
        sys.exit(1)
    print("\nall checks passed")


def lbfgs(fun_grad, x0, iters=200000, gtol=1e-13):
    """scipy L-BFGS-B on a (value, gradient) function, run to the gradient tolerance."""
    res = minimize(fun_grad, x0, jac=True, method="L-BFGS-B",
                   options={"maxiter": iters, "maxfun": 4 * iters, "gtol": gtol,
                            "ftol": 0.0, "maxcor": 30})
    return res


def best_of(fun_grad, dim, seeds, scale=1.0, **kw):
    """Best L-BFGS result over seeded N(0, scale^2) starts."""
    best = None
    for seed in seeds:
        rng = np.random.default_rng(seed)
        res = lbfgs(fun_grad, scale * rng.standard_normal(dim), **kw)
        if best is None or res.fun < best.fun:
            best = res
    return best


def fd_hessian(grad, x, h=1e-5):
    """Symmetrized central-difference Hessian of an analytic gradient."""
    n = x.size
    H = np.empty((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = h
        H[:, i] = (grad(x + e) - grad(x - e)) / (2 * h)
    return 0.5 * (H + H.T)


def fd_hessian_value(fun, x, h=1e-4):
    """Central-difference Hessian from function values only (for cross-checking gradients)."""
    n = x.size
    H = np.empty((n, n))
    f0 = fun(x)
    for i in range(n):
        ei = np.zeros(n)
        ei[i] = h
        H[i, i] = (fun(x + ei) - 2 * f0 + fun(x - ei)) / h**2
        for j in range(i):
            ej = np.zeros(n)
            ej[j] = h
            v = (fun(x + ei + ej) - fun(x + ei - ej) - fun(x - ei + ej) + fun(x - ei - ej)) / (4 * h * h)
            H[i, j] = H[j, i] = v
    return H


def newton_polish(fun_grad, x, steps=8, h=1e-6):
    """Newton steps with MINRES on a finite-difference Hessian-vector product.

    L-BFGS stops near |grad| ~ 1e-9 (rounding of f in the line search); a few Newton steps take
    the gradient to ~1e-14 so that structure (norms, Gram matrices) can be compared to 1e-10.
    Singular Hessians (rotation zero modes) are fine: the gradient is orthogonal to the kernel.
    """
    from scipy.sparse.linalg import LinearOperator, minres

    for _ in range(steps):
        f0, g0 = fun_grad(x)
        if np.linalg.norm(g0) < 1e-15:
            break
        scale = h * max(1.0, np.linalg.norm(x))

        def hv(v, x=x, scale=scale):
            nv = np.linalg.norm(v)
            if nv == 0:
                return np.zeros_like(v)
            e = scale * v / nv
            return (fun_grad(x + e)[1] - fun_grad(x - e)[1]) / (2 * scale) * nv

        op = LinearOperator((x.size, x.size), matvec=hv, dtype=float)
        p, _ = minres(op, -g0, rtol=1e-12, maxiter=500)
        x_new = x + p
        f1, g1 = fun_grad(x_new)
        if f1 > f0 + 1e-15 or np.linalg.norm(g1) > np.linalg.norm(g0):
            break
        x = x_new
    return x
