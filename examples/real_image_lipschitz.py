"""Worked example: is Assumption 6.2's K realistic? Lipschitz constants of image operators on real photographs.

Patches of scikit-image's bundled sample images (`skimage.data`, no download; the optional ``[examples]``
extra) are the inputs. For each image-to-image operator:

* a **certified upper bound** where the operator is linear or its structure gives one — linear operators
  are explicit Kronecker matrices ``A ⊗ A`` (separable filters and resamplers), whose ``ℓ_∞`` norm is the
  exact rational ``‖A‖_∞²`` (row sums in `fractions.Fraction`) and whose ``ℓ_2`` norm is ``λ_max(AᵀA)``
  computed from the exact rational ``AᵀA`` in mpmath at 40 digits (with its residual as an error bound);
  the 3×3 median is 1-Lipschitz in ``ℓ_∞`` (order statistics) and 3-Lipschitz in ``ℓ_2`` (each pixel lies
  in at most 9 windows); the exact ROF (total-variation) minimiser is a proximal map, 1-Lipschitz in ``ℓ_2``;
* a **search-based lower bound**: the largest difference quotient ``‖f(x + v) − f(x)‖/‖v‖`` found at real
  patches ``x`` — along natural perturbations (differences of two real patches), and maximised by a seeded
  search (power iteration for linear maps, hill climbing over directions for the others, single-pixel
  directions for the median). Every quotient is a realised pair, hence a true lower bound;
* the error amplification Theorem 6.6's proof then gives at VAR's depth (r scales, K₂ the Lipschitz
  constant of the layers): ``Σ_{j<r} K₂^j = (K₂^r − 1)/(K₂ − 1)``, exact in rationals.

Writes docs/examples/real_image_lipschitz.md (+ real_image_lipschitz.png). Without scikit-image the script
writes a page saying how to install it, and the page test skips.
"""

import math
from fractions import Fraction
from functools import cache

import mpmath
import numpy as np
import scipy.ndimage as ndi
import scipy.sparse as sp_sparse
from varproof.construct.var.interpolate import VAR_SCHEDULE, down_sample_matrix, up_matrix_1d
from varproof.verify.docs import example_main, md_table

#: what `tests/test_examples.py` needs installed to compare this page
REQUIRES = ("skimage", "torch")  # torch only for the trained super-resolution row
HINT = "scikit-image is not installed (pip install -e '.[examples]', or pip install scikit-image)"

IMAGES = ("camera", "astronaut", "coffee", "chelsea", "moon", "lfw_subset")
SIDE, LOW = 16, 8  # patches SIDE × SIDE; super-resolution maps LOW × LOW → SIDE × SIDE
PER_IMAGE, SEED = 6, 0
SIGMA = 1.0  # Gaussian denoising
TV_WEIGHT, TV_ITERATIONS = 0.1, 200  # total-variation denoising (Chambolle)
LANCZOS = 3
STEP = 1e-3  # perturbation size of the search for the nonlinear operators (ℓ_2 norm of v)
HILL = 300  # hill-climbing proposals per operator
POWER = 200  # power-iteration steps for the linear operators
DIGITS = 40
DEPTH = len(VAR_SCHEDULE)
#: a 5 × 5 neighbourhood in which each of the 3 × 3 windows containing the centre (½) has four 0s and four 1s
WITNESS = np.array([[1, 0, 0, 1, 0], [0, 1, 1, 0, 1], [0, 1, 0.5, 0, 1], [1, 0, 0, 1, 0], [0, 1, 1, 0, 1]], dtype=float)


def _available() -> bool:
    try:
        import skimage.data  # noqa: F401
    except ImportError:
        return False
    return True


# -- the real patches ---------------------------------------------------------------------------------------
@cache
def patches() -> dict[str, np.ndarray]:
    """``PER_IMAGE`` seeded SIDE × SIDE gray patches in [0, 1] per sample image (faces: centre crops)."""
    import skimage.data as data
    from skimage.color import rgb2gray
    from skimage.util import img_as_float

    rng = np.random.default_rng(SEED)
    out = {}
    for name in IMAGES:
        img = getattr(data, name)()
        if name == "lfw_subset":  # 200 faces of 25 × 25
            faces = img[rng.choice(len(img), PER_IMAGE, replace=False)]
            o = (img.shape[1] - SIDE) // 2
            out[name] = faces[:, o : o + SIDE, o : o + SIDE].astype(np.float64)
            continue
        img = img_as_float(img)
        img = rgb2gray(img) if img.ndim == 3 else img
        ys = rng.integers(0, img.shape[0] - SIDE, PER_IMAGE)
        xs = rng.integers(0, img.shape[1] - SIDE, PER_IMAGE)
        out[name] = np.stack([img[y : y + SIDE, x : x + SIDE] for y, x in zip(ys, xs)]).astype(np.float64)
    return out


def all_patches() -> np.ndarray:
    return np.concatenate(list(patches().values()))


@cache
def down() -> np.ndarray:
    """Area down-sampling SIDE → LOW (Definition D.2), the low-resolution inputs of super-resolution."""
    return down_sample_matrix(SIDE, SIDE, SIDE // LOW).toarray()


# -- linear operators as Kronecker factors ------------------------------------------------------------------
def lanczos_matrix_1d(h_in: int, h_out: int, a: int = LANCZOS) -> np.ndarray:
    """``(h_out, h_in)`` Lanczos-a resampling (align_corners=False, clamped border, rows normalised to sum 1)."""
    src = (np.arange(h_out) + 0.5) * (h_in / h_out) - 0.5
    A = np.zeros((h_out, h_in))
    for i, s in enumerate(src):
        taps = np.arange(math.floor(s) - a + 1, math.floor(s) + a + 1)
        w = np.sinc(s - taps) * np.sinc((s - taps) / a)
        w = w / w.sum()
        for t, wt in zip(taps, w):
            A[i, min(max(int(t), 0), h_in - 1)] += wt
    return A


def gaussian_matrix_1d(n: int) -> np.ndarray:
    """The 1-D factor of ``skimage.filters.gaussian(·, sigma, mode='nearest', truncate=4)`` (scipy.ndimage)."""
    return ndi.gaussian_filter1d(np.eye(n), SIGMA, axis=0, mode="nearest", truncate=4.0)


def linear_factors() -> dict[str, tuple[np.ndarray, str]]:
    """name → (1-D factor A, what it is); the operator on patches is ``A ⊗ A`` (row-major flattening)."""
    return {
        "bicubic ×2 (Keys, a = −½)": (
            up_matrix_1d(LOW, SIDE, "keys").toarray(),
            "varproof.construct.var.interpolate, PyTorch semantics",
        ),
        f"Lanczos-{LANCZOS} ×2": (lanczos_matrix_1d(LOW, SIDE), "normalised taps, clamped border"),
        f"Gaussian denoising σ = {SIGMA:g}": (gaussian_matrix_1d(SIDE), "skimage.filters.gaussian, mode 'nearest'"),
    }


def exact_inf_norm(A: np.ndarray) -> Fraction:
    """``‖A‖_∞`` of the float64 matrix, exactly (every entry is a binary rational)."""
    return max(sum((Fraction(float(v)).__abs__() for v in row), Fraction(0)) for row in A)


def certified_sigma_squared(A: np.ndarray) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``(λ_max(AᵀA), residual bound)`` from the exact rational ``AᵀA`` in mpmath (``DIGITS`` digits).

    For a symmetric S and unit v, some eigenvalue lies within ``‖Sv − λv‖`` of λ (the residual bound); the
    eigenvalue returned is the largest mpmath finds.
    """
    F = [[Fraction(float(v)) for v in row] for row in A]
    n = len(F[0])
    S = [[sum(F[k][i] * F[k][j] for k in range(len(F))) for j in range(n)] for i in range(n)]
    with mpmath.workdps(DIGITS):
        M = mpmath.matrix([[mpmath.mpf(x.numerator) / x.denominator for x in row] for row in S])
        E, Q = mpmath.eigsy(M)
        k = max(range(n), key=lambda i: E[i])
        v = Q[:, k]
        r = M * v - E[k] * v
        return E[k], mpmath.sqrt(sum(x**2 for x in r)) / mpmath.sqrt(sum(x**2 for x in v))


# -- nonlinear operators ------------------------------------------------------------------------------------
def tv_denoise(X: np.ndarray) -> np.ndarray:
    """skimage's default: Chambolle's iteration stopped when the energy changes by less than ``eps = 2e-4``."""
    from skimage.restoration import denoise_tv_chambolle

    return denoise_tv_chambolle(X, weight=TV_WEIGHT)


def tv_denoise_fixed(X: np.ndarray) -> np.ndarray:
    """The same iteration run for a fixed ``TV_ITERATIONS`` steps (``eps = 0``): no input-dependent stopping."""
    from skimage.restoration import denoise_tv_chambolle

    return denoise_tv_chambolle(X, weight=TV_WEIGHT, eps=0.0, max_num_iter=TV_ITERATIONS)


def median(X: np.ndarray) -> np.ndarray:
    """3×3 median with replicate borders (what ``skimage.filters.median`` does on float images)."""
    return ndi.median_filter(X, size=3, mode="nearest")


def _quotient(f, x: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """``(‖Δf‖_2/‖Δx‖_2, ‖Δf‖_∞/‖Δx‖_∞)`` for the step actually taken."""
    y = x + v
    dx, df = y - x, f(y) - f(x)
    return float(np.linalg.norm(df) / np.linalg.norm(dx)), float(np.abs(df).max() / np.abs(dx).max())


def natural_directions(X: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Perturbations seen in real images: the difference of each patch to another (seeded pairs)."""
    rng = np.random.default_rng(SEED + 1)
    pairs = rng.permutation(len(X))
    return [(i, X[pairs[i]] - X[i]) for i in range(len(X)) if pairs[i] != i]


@cache
def search(name: str) -> dict:
    """Lower bounds for a nonlinear operator: natural, random and hill-climbed directions at real patches."""
    f = {"tv": tv_denoise, "tv-fixed": tv_denoise_fixed, "median": median}[name]
    X = all_patches()
    rng = np.random.default_rng(SEED + 2)
    best = {"2": 0.0, "inf": 0.0}
    natural = {"2": 0.0, "inf": 0.0}
    trace = []
    for i, v in natural_directions(X):
        for scale in (1.0, 0.1):
            q2, qi = _quotient(f, X[i], scale * v)
            natural = {"2": max(natural["2"], q2), "inf": max(natural["inf"], qi)}
    start = (None, None, 0.0)
    for i in range(len(X)):
        v = rng.normal(size=X[i].shape)
        v *= STEP / np.linalg.norm(v)
        q2, qi = _quotient(f, X[i], v)
        best["inf"] = max(best["inf"], qi)
        if q2 > start[2]:
            start = (i, v, q2)
        trace.append(max(best["2"], q2))
        best["2"] = trace[-1]
    if name == "median":  # single-pixel directions: a pixel moves every output whose window has it as median
        for i in range(len(X)):
            for p in range(0, SIDE * SIDE, 7):
                v = np.zeros(SIDE * SIDE)
                v[p] = STEP
                q2, qi = _quotient(f, X[i], v.reshape(SIDE, SIDE))
                best["inf"] = max(best["inf"], qi)
                if q2 > start[2]:
                    start = (i, v.reshape(SIDE, SIDE), q2)
                best["2"] = max(best["2"], q2)
            trace.append(best["2"])
    i, v, q = start
    x = X[i].copy()
    for _ in range(HILL):  # hill climbing: perturb the direction (and the point), keep improvements
        v2 = v + 0.3 * STEP * rng.normal(size=v.shape) / SIDE
        v2 *= STEP / np.linalg.norm(v2)
        x2 = np.clip(x + 0.01 * rng.normal(size=x.shape), 0.0, 1.0)
        q2, _ = _quotient(f, x2, v2)
        if q2 > q:
            x, v, q = x2, v2, q2
        best["2"] = max(best["2"], q)
        trace.append(best["2"])
    return {"best": best, "natural": natural, "trace": trace}


def median_witness() -> tuple[float, float]:
    """An explicit pair attaining K_2 = 3 for the 3×3 median: a 0/1 pattern whose centre pixel, at ½, is the
    median of all 9 windows that contain it; moving it by t < ½ moves 9 outputs by t."""
    base = np.zeros((7, 7))
    base[1:6, 1:6] = WITNESS  # the windows containing the centre lie inside this 5 × 5 block
    v = np.zeros_like(base)
    v[3, 3] = 0.25
    return _quotient(median, base, v)


# -- a small trained super-resolution network (optional: torch) ---------------------------------------------
SR_CHANNELS, SR_TRAIN, SR_STEPS, SR_SEEDS = 4, 100, 150, (0, 1, 2)
SR_POWER = 10  # power-iteration steps per evaluation patch (one patch per image)


def _torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def training_patches() -> np.ndarray:
    """``SR_TRAIN`` further seeded SIDE × SIDE patches (other positions than the evaluation patches)."""
    import skimage.data as data
    from skimage.color import rgb2gray
    from skimage.util import img_as_float

    rng = np.random.default_rng(SEED + 10)
    out = []
    for name in IMAGES[:-1]:
        img = img_as_float(getattr(data, name)())
        img = rgb2gray(img) if img.ndim == 3 else img
        for _ in range(SR_TRAIN // (len(IMAGES) - 1)):
            y, x = rng.integers(0, img.shape[0] - SIDE), rng.integers(0, img.shape[1] - SIDE)
            out.append(img[y : y + SIDE, x : x + SIDE])
    return np.stack(out).astype(np.float64)


@cache
def sr_nets() -> list[dict]:
    """``f(x) = B x + C_2 ReLU(C_1 B x)``: bicubic ×2 (B, fixed) plus a trained residual of two 3×3 convolutions
    (zero padding, SR_CHANNELS hidden channels), per seed: certified upper bound ‖B‖_2(1 + ‖C_2‖_2‖C_1‖_2) from the
    explicit convolution matrices, lower bound the largest realised difference quotient at the real patches along
    the local Jacobian's top singular direction (power iteration with autograd)."""
    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    A = up_matrix_1d(LOW, SIDE, "keys").toarray()
    B = torch.from_numpy(np.kron(A, A))
    bicubic_K2 = float(certified_sigma_squared(A)[0]) * (1 + 1e-12)  # σ_max(A ⊗ A) = σ_max(A)², rounded up
    Y = torch.from_numpy(training_patches().reshape(-1, SIDE * SIDE))
    Xlow = Y @ torch.from_numpy(down()).T
    Xeval = torch.from_numpy(np.einsum("ij,pj->pi", down(), all_patches().reshape(len(all_patches()), -1)))
    out = []
    for seed in SR_SEEDS:
        g = torch.Generator().manual_seed(seed)
        c1 = torch.nn.Conv2d(1, SR_CHANNELS, 3, padding=1, dtype=torch.float64)
        c2 = torch.nn.Conv2d(SR_CHANNELS, 1, 3, padding=1, dtype=torch.float64)
        with torch.no_grad():
            for layer, scale in ((c1, 1 / 3), (c2, 0.1 / (3 * SR_CHANNELS**0.5))):
                layer.weight.copy_(torch.randn(layer.weight.shape, generator=g, dtype=torch.float64) * scale)
                layer.bias.zero_()

        def net(x):
            up = x @ B.T
            r = c2(torch.relu(c1(up.reshape(-1, 1, SIDE, SIDE)))).reshape(-1, SIDE * SIDE)
            return up + r

        opt = torch.optim.Adam(list(c1.parameters()) + list(c2.parameters()), lr=1e-2)
        for _ in range(SR_STEPS):
            opt.zero_grad()
            loss = ((net(Xlow) - Y) ** 2).mean()
            loss.backward()
            opt.step()
        with torch.no_grad():
            bicubic_loss = float(((Xlow @ B.T - Y) ** 2).mean())

        def conv_matrix(layer, c_in):  # the convolution (without bias) as an explicit matrix on 16 × 16 maps
            eye = torch.eye(c_in * SIDE * SIDE, dtype=torch.float64).reshape(-1, c_in, SIDE, SIDE)
            with torch.no_grad():
                cols = torch.nn.functional.conv2d(eye, layer.weight, padding=1)
            return cols.reshape(c_in * SIDE * SIDE, -1).T.numpy()

        # σ_max from the 256 × 256 Gram matrices (C_1ᵀC_1 and C_2C_2ᵀ)
        C1, C2 = conv_matrix(c1, 1), conv_matrix(c2, SR_CHANNELS)
        norms = [float(np.sqrt(np.linalg.eigvalsh(C1.T @ C1)[-1])), float(np.sqrt(np.linalg.eigvalsh(C2 @ C2.T)[-1]))]
        upper = bicubic_K2 * (1 + norms[0] * norms[1])
        lower = 0.0
        for x in Xeval[::PER_IMAGE]:  # power iteration on JᵀJ at x, then a realised quotient along the top direction
            v = torch.randn(LOW * LOW, generator=g, dtype=torch.float64)
            for _ in range(SR_POWER):
                _, jv = torch.func.jvp(net, (x[None],), (v[None],))
                _, vjp = torch.func.vjp(net, x[None])
                (w,) = vjp(jv)
                v = w[0] / w.norm()
            with torch.no_grad():
                h = 1e-7
                lower = max(lower, float((net((x + h * v)[None]) - net(x[None])).norm() / (h * v.norm())))
        out.append(
            {
                "loss": float(loss.detach()),
                "bicubic_loss": bicubic_loss,
                "upper": upper,
                "lower": lower,
                "params": sum(t.numel() for t in list(c1.parameters()) + list(c2.parameters())),
            }
        )
    return out


def _range(values, digits=2) -> str:
    lo, hi = _down(min(values), digits), _up(max(values), digits)
    return lo if lo == hi else f"{lo}–{hi}"


# -- tables -------------------------------------------------------------------------------------------------
@cache
def linear_rows() -> list[dict]:
    X = all_patches()
    rows = []
    for name, (A, how) in linear_factors().items():
        sr = A.shape[0] != A.shape[1]
        inputs = np.einsum("ij,pj->pi", down(), X.reshape(len(X), -1)) if sr else X.reshape(len(X), -1)
        K = sp_sparse.kron(A, A).toarray()
        inf = exact_inf_norm(A) ** 2
        lam, res = certified_sigma_squared(A)
        # natural perturbations: differences of real (low-resolution) patches
        nat = 0.0
        for _, v in natural_directions(inputs):
            nat = max(nat, float(np.linalg.norm(K @ v) / np.linalg.norm(v)))
        # power iteration on KᵀK from a real patch difference: a realised quotient, so a lower bound
        v = natural_directions(inputs)[0][1]
        trace = []
        for _ in range(POWER):
            w = K.T @ (K @ v)
            v = w / np.linalg.norm(w)
            trace.append(float(np.linalg.norm(K @ v)))
        rows.append(
            {
                "name": name,
                "how": how,
                "inf": inf,
                "two": lam,
                "two_res": res,
                "natural": nat,
                "power": max(trace),
                "trace": trace,
                "sr": sr,
            }
        )
    return rows


def amplification(K: Fraction, r: int = DEPTH) -> Fraction:
    """``Σ_{j<r} K^j`` — the factor on the per-layer error in Theorem 6.6's proof (exact)."""
    return sum((K**j for j in range(r)), Fraction(0))


def _up(x: float, digits: int = 4) -> str:
    """``x`` rounded up to ``digits`` significant digits (a certified upper bound stays one)."""
    if x == 0:
        return "0"
    e = math.floor(math.log10(abs(x))) - digits + 1
    return f"{math.ceil(x / 10**e - 1e-12) * 10**e:.{digits}g}"


def _down(x: float, digits: int = 4) -> str:
    """``x`` rounded down to ``digits`` significant digits (a lower bound stays one)."""
    if x == 0:
        return "0"
    e = math.floor(math.log10(abs(x))) - digits + 1
    return f"{math.floor(x / 10**e + 1e-12) * 10**e:.{digits}g}"


def page() -> str:
    head = "# Is the Lipschitz assumption realistic on real images?\n\n"
    if not _available():
        return head + f"Skipped: {HINT}.\n"
    P = patches()
    lin = linear_rows()
    tv, tvf, med = search("tv"), search("tv-fixed"), search("median")
    wit2, witi = median_witness()
    rows, amp = [], []
    for r in lin:
        two = float(r["two"])  # σ_max(A ⊗ A) = σ_max(A)² = λ_max(AᵀA)
        two_up = Fraction(_up(two + float(r["two_res"]) + 1e-15, 6))
        rows.append(
            [
                r["name"],
                f"{float(r['inf']):.6g} (exact)",
                f"{_up(two, 6)} (certified)",
                _down(r["power"] * (1 - 1e-12)),
                _down(r["natural"]),
            ]
        )
        if r["sr"]:  # per pixel: the root-mean-square norm divides the ×2 map's ℓ_2 constant by 2
            two_up = Fraction(_up(two / 2 + float(r["two_res"]) + 1e-15, 6))
            amp.append([f"{r['name']} (per pixel, K_2/2)", f"{_up(two / 2, 6)}", f"{float(amplification(two_up)):.4g}"])
        else:
            amp.append([r["name"], f"{_up(two, 6)}", f"{float(amplification(two_up)):.4g}"])
    rows.append(
        [
            f"TV denoising, weight {TV_WEIGHT:g} (skimage default: stops at eps = 2e-4)",
            "—",
            "1 for the exact ROF minimiser; none for the iterate",
            _down(tv["best"]["2"]),
            _down(tv["natural"]["2"]),
        ]
    )
    rows.append(
        [
            f"TV denoising, weight {TV_WEIGHT:g}, fixed {TV_ITERATIONS} iterations",
            "—",
            "1 for the exact ROF minimiser; none for the iterate",
            _down(tvf["best"]["2"]),
            _down(tvf["natural"]["2"]),
        ]
    )
    rows.append(
        [
            "median 3×3 (replicate borders)",
            "1 (order statistic)",
            "3 (≤ 9 windows per pixel)",
            _down(med["best"]["2"]),
            _down(med["natural"]["2"]),
        ]
    )
    amp.append(["TV denoising (exact ROF)", "1", f"{float(amplification(Fraction(1))):.4g}"])
    amp.append(
        [
            "TV denoising (skimage default, measured lower bound)",
            f"≥ {_down(tv['best']['2'])}",
            f"≥ {float(amplification(Fraction(_down(tv['best']['2'])))):.4g}",
        ]
    )
    amp.append(["median 3×3", "3", f"{float(amplification(Fraction(3))):.4g}"])
    if _torch_available():
        nets = sr_nets()
        rows.append(
            [
                f"trained SR net: bicubic + 2 convolutions ({nets[0]['params']} weights, {len(nets)} seeds)",
                "—",
                _range([n["upper"] for n in nets]) + " (‖B‖_2(1 + ‖C_2‖_2‖C_1‖_2))",
                _range([n["lower"] for n in nets]),
                "—",
            ]
        )
        sr_text = (
            f"The trained super-resolution net (torch, float64, one thread, deterministic algorithms; "
            f"{SR_STEPS} Adam steps on {SR_TRAIN} further patches, seeds {', '.join(map(str, SR_SEEDS))}) "
            "adds a learned residual C_2 ReLU(C_1 ·) to bicubic; its mean squared error falls from "
            f"{_range([n['bicubic_loss'] for n in nets])} (bicubic alone) to {_range([n['loss'] for n in nets])}. "
            "Its constants are machine-dependent (training is not bit-reproducible across CPUs), so they are "
            "printed as ranges over the seeds, rounded outward to two digits; the upper bound uses the "
            "explicit convolution matrices, the lower bound is a realised quotient along the top singular "
            "direction of the local Jacobian (power iteration by autograd) at one real patch per image; bicubic alone "
            f"has K_2 = {_up(float(lin[0]['two']), 6)}.\n\n"
        )
    else:
        sr_text = (
            "The trained super-resolution network is skipped: torch is not installed (pip install -e '.[torch]').\n\n"
        )
    counts = ", ".join(f"{name} ({len(v)})" for name, v in P.items())
    return (
        head + "Assumption 6.2 asks every layer f_i of the word-to-image target to be K-Lipschitz, and Theorem 6.6's "
        "proof multiplies the per-layer errors by powers of K₂ (the constant of Lemma 6.4). The synthetic "
        "`lipschitz_maps` example measured K on 8×8 random images; here the inputs are patches of real photographs, "
        f"scikit-image's bundled samples (`skimage.data`, no download): {counts} — {SIDE}×{SIDE} gray patches in "
        f"[0, 1] at seeded positions (faces: centre crops of the 25×25 LFW subset). Super-resolution maps {LOW}×{LOW} "
        f"→ {SIDE}×{SIDE}, its low-resolution inputs the area down-sampled patches.\n\n"
        "Upper bounds: the linear operators are explicit matrices A ⊗ A; $K_\\infty = \\Vert A\\Vert_\\infty^2$ exactly (rational row sums "
        "of the float64 entries) and K_2 = σ_max(A)², λ_max of the exact rational AᵀA in mpmath at "
        f"{DIGITS} digits, rounded up (the residual bound is below 1e-30). The median's bounds follow from its "
        "structure: each output is an order statistic of its 9-pixel window (1-Lipschitz in $\\ell_\\infty$), and each pixel "
        "lies in at most 9 windows, so ‖Δout‖_2² ≤ 9‖Δin‖_2². Total-variation denoising solves the ROF problem "
        "argmin ½‖u − f‖² + λ TV(u): its exact solution is the proximal map of a convex function, 1-Lipschitz "
        "in ℓ_2; skimage returns an iterate of Chambolle's projection algorithm (stopped by a tolerance), for "
        "which nothing is certified. Lower bounds (rounded down): the largest realised quotient "
        "‖f(x + v) − f(x)‖_2/‖v‖_2 at the real patches — *natural*: v the difference of two real patches "
        "(at full and at a tenth of its size for the nonlinear operators); *search*: power iteration on KᵀK "
        f"(linear), or random directions of size {STEP:g}, single-pixel directions (median) and {HILL} "
        "hill-climbing steps over directions and points (nonlinear), seeded.\n\n"
        + md_table(["operator", "K_∞ upper bound", "K_2 upper bound", "K_2 ≥ (search)", "K_2 ≥ (natural)"], rows)
        + f"\nSuper-resolution changes the number of pixels: in ℓ_2 every ×2 up-sampling that keeps constant images "
        f"has K_2 ≥ 2 (a constant {LOW}×{LOW} image has a quarter of the norm of the constant {SIDE}×{SIDE} one), so its "
        "K_2 is best read per pixel, divided by 2 (the root-mean-square norm): bicubic "
        f"{_up(float(lin[0]['two']) / 2, 6)}, Lanczos {_up(float(lin[1]['two']) / 2, 6)} — both above 1 because their "
        "negative lobes overshoot, as K_∞ > 1 shows. Differences of real patches are smooth, and the natural "
        "quotients of the super-resolution maps sit at the constant-image value 2, well below the worst case "
        "that power iteration finds along oscillating directions. Gaussian smoothing has K_∞ = 1 (non-negative "
        "rows summing to 1) but K_2 slightly above 1: the replicate border gives the edge pixels' columns more "
        "than unit weight.\n\n"
        + sr_text
        + f"Total-variation denoising as skimage runs it is not 1-Lipschitz: its iteration stops when the energy "
        f"changes by less than a tolerance, so the number of steps — and with it the output — jumps between nearby "
        f"inputs; the search finds quotients up to {_down(tv['best']['2'])}. Run for a fixed {TV_ITERATIONS} "
        f"steps the same iteration is a continuous map and the largest quotient found is {_down(tvf['best']['2'])}. "
        "Only the exact ROF minimiser has the certified constant 1.\n\n"
        f"The median is often said not to be Lipschitz in ℓ_2; on images of a fixed size it is, with K_∞ = 1 and "
        "K_2 = 3 exactly (what fails is a bound by 1, as for the linear smoothers). The upper "
        "bound is attained: on a 7×7 pattern of 0s and 1s whose centre pixel, at ½, is the median of each of the "
        f"9 windows containing it, moving that pixel moves 9 outputs — quotient {wit2:.6g} (and "
        f"{witi:.6g} in ℓ_∞). On real patches the search finds at least {_down(med['best']['2'])}: K_2 = 3 is a "
        "worst case that needs a special neighbourhood.\n\n"
        f"## What K does at VAR's depth\n\nTheorem 6.6's proof bounds the error by Σ_(j<r) K₂^j (K₁ε₁ + ε₂) with "
        f"r = {DEPTH} scales (VAR's schedule {VAR_SCHEDULE}); the factor Σ_(j<r) K₂^j for each operator's certified "
        "K_2 (super-resolution per pixel; exact in rationals, printed to 4 digits):\n\n"
        + md_table(["layer operator", "K_2", f"amplification Σ_(j<{DEPTH}) K^j"], amp)
        + f"\nWith K ≤ 1 the factor is at most r = {DEPTH}; a layer that overshoots by a few per cent already "
        "costs more, and a median layer (K_2 = 3) multiplies the per-layer error by tens of thousands.\n\n"
        "![patches, quotients and search](real_image_lipschitz.png)\n\n"
        "Related: `examples/lipschitz_maps.md` (synthetic images), claims `asm-6.2/corrected`, `lemma-6.4/corrected`, "
        "`thm-6.6/corrected`.\n\n"
        "Runtime budget: under two minutes on a shared 2-core CPU.\n\n"
        "Regenerate: `python examples/real_image_lipschitz.py` (needs `pip install -e '.[examples]'`).\n"
    )


def figures(folder) -> None:
    if not _available():
        return
    import matplotlib.pyplot as plt

    P = patches()
    lin = linear_rows()
    fig = plt.figure(figsize=(13, 6.5))
    grid = fig.add_gridspec(2, len(P) + 2)
    for k, (name, X) in enumerate(P.items()):
        ax = fig.add_subplot(grid[0, k])
        ax.imshow(X[0], cmap="gray", vmin=0, vmax=1)
        ax.set_title(name, fontsize=8)
        ax.axis("off")
    ax = fig.add_subplot(grid[1, : (len(P) + 2) // 2])
    for r in lin:
        ax.plot(np.arange(1, len(r["trace"]) + 1), r["trace"], label=f"{r['name']} (power iteration)")
        ax.axhline(float(r["two"]), ls="--", lw=0.8, color=ax.lines[-1].get_color())
    ax.set_xlabel("iteration")
    ax.set_ylabel("‖K v‖_2 (lower bound on K_2)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    ax = fig.add_subplot(grid[1, (len(P) + 2) // 2 :])
    for name, label in (
        ("tv", "TV denoising (skimage default)"),
        ("tv-fixed", f"TV, {TV_ITERATIONS} iterations"),
        ("median", "median 3×3"),
    ):
        t = search(name)["trace"]
        ax.plot(np.arange(1, len(t) + 1), t, label=label)
    ax.axhline(3, ls="--", lw=0.8, color="C2", label="median: K_2 = 3")
    ax.axhline(1, ls="--", lw=0.8, color="C0", label="exact ROF: K_2 ≤ 1")
    ax.set_xlabel("search step")
    ax.set_ylabel("best ‖Δf‖_2/‖Δx‖_2 so far")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(folder / "real_image_lipschitz.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(example_main("real_image_lipschitz", page, figures))
