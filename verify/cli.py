"""``varproof`` command line (DESIGN.md, "CLI").

    varproof list
    varproof verify ID… | --all  [claim params] [--format text|json|md] [--exit-zero] [--out FILE]
    varproof build --target NAME --tokens n --channels d --steps m [--ramp θ] [--out FILE.safetensors]
    varproof inspect FILE.safetensors [--rows K] [--format text|json]
    varproof cost --tokens n --channels d (--steps m | --eps ε) [--lipschitz C] [--alpha α]

Exit codes: 0 every checked claim holds or is supported; 1 some claim fails, is inconclusive or
violates a precondition (``--exit-zero`` reports without failing); 2 bad usage or input — one line
on stderr, no traceback, nothing written; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from fractions import Fraction


class UsageError(Exception):
    """Bad usage or input: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse would print usage + message)
        raise UsageError(message)


def _int(name):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--{name} must be an integer, got {text!r}")
        return value
    return parse


def _finite_float(name):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--{name} must be a number, got {text!r}")
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"--{name} must be finite, got {text!r}")
        return value
    return parse


def _rational(text):
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"--ramp must be a rational like 1/64, got {text!r}")
    return value


def _bytes(text):
    units = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    suffix = t[-1] if t and t[-1] in units else ""
    try:
        value = float(t[: len(t) - len(suffix)]) * units[suffix]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--max-memory must look like 4G or 512M, got {text!r}")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"--max-memory must be positive, got {text!r}")
    return value


def _spec_args(p):
    p.add_argument("-n", "--tokens", type=_int("tokens"), default=None)
    p.add_argument("-d", "--channels", type=_int("channels"), default=None)
    p.add_argument("-m", "--steps", type=_int("steps"), default=None)
    p.add_argument("--ramp", type=_rational, default=None, help="ramp width θ as a rational (default δ/16)")


def build_parser() -> argparse.ArgumentParser:
    from construct.targets import TARGETS

    parser = _Parser(prog="varproof", description="Build and verify the constructions of the VAR universality paper.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    sub.required = True

    sub.add_parser("list", help="list the claims")

    v = sub.add_parser("verify", help="check claims")
    v.add_argument("ids", nargs="*")
    v.add_argument("--all", action="store_true")
    _spec_args(v)
    v.add_argument("--target", choices=TARGETS, default=None)
    v.add_argument("--alpha", type=_finite_float("alpha"), default=None)
    v.add_argument("--samples", type=_int("samples"), default=None)
    v.add_argument("--seed", type=_int("seed"), default=None)
    v.add_argument("--format", choices=("text", "json", "md"), default="text")
    v.add_argument("--exit-zero", action="store_true")
    v.add_argument("--exact", action="store_true", help="(claims decide exactly where they can; accepted for compatibility)")
    v.add_argument("--search", type=_int("search"), default=None)
    v.add_argument("--out", default=None)
    v.add_argument("--quiet", action="store_true")

    b = sub.add_parser("build", help="build a Lemma C.1 transformer")
    b.add_argument("--target", choices=TARGETS, default="blur")
    _spec_args(b)
    b.add_argument("--seed", type=_int("seed"), default=0)
    b.add_argument("--out", default=None)
    b.add_argument("--max-memory", type=_bytes, default=None)

    i = sub.add_parser("inspect", help="print a weights file")
    i.add_argument("file")
    i.add_argument("--rows", type=_int("rows"), default=8)
    i.add_argument("--format", choices=("text", "json"), default="text")

    c = sub.add_parser("cost", help="size, magnitude and precision the construction needs")
    _spec_args(c)
    c.add_argument("--eps", type=_finite_float("eps"), default=None)
    c.add_argument("--lipschitz", type=_finite_float("lipschitz"), default=1.0)
    c.add_argument("--alpha", type=_finite_float("alpha"), default=2.0)
    c.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _write(text: str, out: str | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    directory = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".varproof-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _cmd_list(args) -> int:
    from verify.registry import all_claims

    rows = [(c.id, c.ref, c.statement) for c in all_claims().values()]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    for cid, ref, st in rows:
        short = st if len(st) <= 90 else st[:87] + "..."
        print(f"{cid:<{w0}}  {ref:<{w1}}  {short}")
    return 0


def _params(args):
    from verify.registry import Params

    kw = {}
    for name in ("tokens", "channels", "steps", "ramp", "target", "alpha", "samples", "seed"):
        value = getattr(args, name, None)
        if value is not None:
            kw[name] = value
    params = Params(**kw)
    params.spec()  # validate the spec now: GridSpec names the violated hypothesis
    return params


def _cmd_verify(args) -> int:
    from verify.registry import all_claims
    from verify.report import RENDERERS

    claims = all_claims()
    if args.all and args.ids:
        raise UsageError("give claim ids or --all, not both")
    if not args.all and not args.ids:
        raise UsageError("give claim ids or --all (`varproof list` shows the ids)")
    ids = list(claims) if args.all else args.ids
    unknown = [i for i in ids if i not in claims]
    if unknown:
        raise UsageError(f"unknown claim {unknown[0]!r}; `varproof list` shows the ids")
    if args.search is not None:
        try:
            from verify.search import run_search  # noqa: F401
        except ImportError:
            raise UsageError("--search is not available yet (counterexample search lands with verify/search.py)")
    params = _params(args)
    show = sys.stderr.isatty() and not args.quiet and len(ids) > 1
    results = []
    if show:
        from tqdm import tqdm

        iterator = tqdm(ids, desc="claims", unit="claim", file=sys.stderr, leave=False)
    else:
        iterator = ids
    for cid in iterator:
        results.append(claims[cid].run(params))
    _write(RENDERERS[args.format](results), args.out)
    if args.exit_zero:
        return 0
    return 0 if all(ev.passed for ev in results) else 1


def _summary(tau) -> dict:
    import numpy as np

    largest = max(float(np.abs(a).max()) for a in (tau.quantizer.W1, tau.quantizer.b1, tau.memorizer.W1, tau.memorizer.b1,
                                                     tau.contextual.attention.W_Q))
    return {
        "spec": str(tau.spec),
        "target": tau.target,
        "neurons": tau.neurons,
        "parameters": tau.n_parameters,
        "largest |weight|": largest,
        "context-ID gap": tau.id_gap,
        "softmax scale λ": tau.contextual.scale,
        "conditions": tau.conditions(),
    }


def _print_summary(info: dict) -> None:
    for key, value in info.items():
        if key == "conditions":
            print("conditions (value, bound, slack):")
            for c in value:
                print(f"  [{'ok' if c['ok'] else 'VIOLATED'}] {c['name']}: {c['value']:.6g} vs {c['bound']:.6g}, slack {c['slack']:.3g}")
        else:
            print(f"{key}: {value}")


def _spec_from(args, defaults=(2, 1, 4)):
    from construct.grid import GridSpec

    n = args.tokens if args.tokens is not None else defaults[0]
    d = args.channels if args.channels is not None else defaults[1]
    m = args.steps if args.steps is not None else defaults[2]
    return GridSpec(n, d, m, args.ramp)


def _cmd_build(args) -> int:
    from construct.io import save_transformer
    from construct.targets import make_target
    from construct.transformer import build_transformer

    spec = _spec_from(args)
    tau = build_transformer(make_target(args.target, spec.tokens, spec.channels, seed=args.seed), spec,
                            max_bytes=args.max_memory)
    _print_summary(_summary(tau))
    if args.out:
        save_transformer(tau, args.out)
        print(f"wrote {args.out}")
    return 0


def _cmd_inspect(args) -> int:
    import numpy as np

    from construct.io import load_transformer, manifest

    tau = load_transformer(args.file)
    layers = {
        "FFN_1": tau.quantizer, "FFN_2": tau.memorizer,
    }
    info = _summary(tau)
    info["layers"] = {
        name: {"neurons": f.width, "W1": list(f.W1.shape), "W2": list(f.W2.shape),
               "W1 range": [float(f.W1.min()), float(f.W1.max())], "b1 range": [float(f.b1.min()), float(f.b1.max())],
               "W2 range": [float(f.W2.min()), float(f.W2.max())]}
        for name, f in layers.items()
    }
    att = tau.contextual.attention
    info["attention"] = {"W_Q": att.W_Q.tolist(), "W_K": att.W_K.tolist(), "W_V": att.W_V.tolist(), "head size": att.head_size}
    info["references"] = manifest(tau)["references"]
    if args.format == "json":
        print(json.dumps(info, indent=2, default=str, ensure_ascii=False))
        return 0
    _print_summary({k: v for k, v in info.items() if k not in ("layers", "attention", "references")})
    for name, f in layers.items():
        li = info["layers"][name]
        print(f"\n{name} ({info['references']['ffn1' if name == 'FFN_1' else 'ffn2']}): {f.width} neurons, "
              f"W1 in [{li['W1 range'][0]:.4g}, {li['W1 range'][1]:.4g}], b1 in [{li['b1 range'][0]:.4g}, {li['b1 range'][1]:.4g}]")
        print(f"  {'label':<34} {'W1 row':<28} {'b1':>12}  W2 column")
        for j in range(min(args.rows, f.width)):
            label = f.neuron_labels[j] if len(f.neuron_labels) else (j,)
            print(f"  {str(label):<34} {np.array2string(f.W1[j], precision=4):<28} {f.b1[j]:>12.5g}  "
                  f"{np.array2string(f.W2[:, j], precision=4)}")
    print(f"\nattention ({info['references']['attention']}): W_Q={att.W_Q.ravel().tolist()} W_K={att.W_K.ravel().tolist()}")
    print(f"  W_V={att.W_V.tolist()}")
    return 0


def cost_table(n: int, d: int, m: int, C: float, alpha: float) -> dict:
    """Cost of the Lemma C.1 construction for ``n`` tokens, ``d`` channels, ``m = 1/δ`` steps."""
    from construct.grid import format_bytes

    N = m ** (n * d)
    c1 = 2 * d * (n * m + 1)
    c2 = 3 * n * N
    params = n * d + (2 * d * c1 + c1 + d) + 2 * d + d * d + ((2 * d + 1) * c2 + d)
    V = n * m**d
    log10_N = n * d * math.log10(m)
    log10_delta_printed = -5 * V**4 * d * math.log(n) * n**2 * m / math.log(10) if n > 1 else 0.0
    out = {
        "tokens n": n, "channels d": d, "steps m": m, "δ": f"1/{m}",
        "grid sequences N": N if log10_N < 30 else f"10^{log10_N:.1f}",
        "FFN_1 neurons 2d(nm+1)": c1,
        "FFN_2 neurons (working) 3nN": c2 if log10_N < 30 else f"3n·10^{log10_N:.1f}",
        "FFN_2 neurons (printed) 3dnN": 3 * d * c2 // 3 if log10_N < 30 else f"3dn·10^{log10_N:.1f}",
        "parameters": params if log10_N < 30 else f"≈10^{math.log10(2 * d + 1) + math.log10(3 * n) + log10_N:.1f}",
        "weights memory (float64)": format_bytes(8.0 * params),
        "largest ramp slope 1/θ (θ = δ/16)": 16 * m,
        "log10 Δ (Lemma C.1 as printed)": log10_delta_printed,
        "bits −log2 Δ": -log10_delta_printed * math.log2(10),
    }
    if N * n <= 200_000:
        from construct.grid import GridSpec
        from construct.targets import make_target
        from construct.transformer import build_transformer

        tau = build_transformer(make_target("blur", n, d), GridSpec(n, d, m))
        span = float(tau.context_ids.max() - tau.context_ids.min())
        out["context-ID gap (measured)"] = tau.id_gap
        out["bump slope 2/gap (measured)"] = 2 / tau.id_gap
        out["bits to resolve the IDs log2(span/gap)"] = math.ceil(math.log2(max(span, 1e-300) / tau.id_gap)) if tau.id_gap > 0 else "∞"
    else:
        out["context-ID gap (measured)"] = "not built (N·n > 2e5)"
    return out


def _cmd_cost(args) -> int:
    if args.tokens is None or args.channels is None:
        raise UsageError("cost needs --tokens and --channels")
    if (args.steps is None) == (args.eps is None):
        raise UsageError("cost needs exactly one of --steps and --eps")
    if not args.alpha >= 1:
        raise UsageError(f"--alpha must satisfy 1 ≤ α (ℓ_α norm), got {args.alpha}")
    if args.lipschitz < 0:
        raise UsageError(f"--lipschitz must be ≥ 0, got {args.lipschitz}")
    n, d = args.tokens, args.channels
    if n < 1 or d < 1:
        raise UsageError("--tokens and --channels must be ≥ 1")
    if args.eps is not None:
        if args.eps <= 0:
            raise UsageError(f"--eps must be > 0 (Lemma 6.1: ε > 0), got {args.eps}")
        # Lemma C.1's relation Cδ(dn)^{1/α} ≤ ε/2, with the repaired (C+1) that counts output rounding
        m = max(2, math.ceil(2 * (args.lipschitz + 1) * (d * n) ** (1 / args.alpha) / args.eps))
    else:
        m = args.steps
        if m < 2:
            raise UsageError(f"--steps must be ≥ 2 (Lemma C.1 needs 0 < δ < 1), got {m}")
    table = cost_table(n, d, m, args.lipschitz, args.alpha)
    if args.eps is not None:
        table = {"ε": args.eps, "relation": "(C+1)δ(dn)^{1/α} ≤ ε/2", **table}
    if args.format == "json":
        print(json.dumps(table, indent=2, ensure_ascii=False, default=str))
    else:
        for k, v in table.items():
            print(f"{k}: {v}")
    return 0


COMMANDS = {"list": _cmd_list, "verify": _cmd_verify, "build": _cmd_build, "inspect": _cmd_inspect, "cost": _cmd_cost}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("varproof: interrupted", file=sys.stderr)
        return 130
    except (UsageError, ValueError, TypeError, MemoryError, KeyError, OSError, OverflowError, ZeroDivisionError) as err:
        message = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
        message = " ".join(message.split()) or type(err).__name__
        print(f"varproof: {message}", file=sys.stderr)
        return 2
    except SystemExit as exit_:  # argparse --help
        return int(exit_.code or 0)


def console() -> None:
    sys.exit(main())


if __name__ == "__main__":
    console()
