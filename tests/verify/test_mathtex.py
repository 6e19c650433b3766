"""Plain-text mathematics as TeX on the Markdown pages (verify/mathtex.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.verify.mathtex import MATH_CHARS, md_math, to_tex
from varproof.verify.registry import all_claims

TEX_SPAN = re.compile(r"\\\((.*?)\\\)")


@pytest.mark.parametrize(
    "plain, tex",
    [
        ("‖x‖_∞ ≤ ε", r"\Vert x\Vert_{\infty} \le \epsilon"),
        ("E ∈ R^{(h_r w_r)×d}", r"E \in \mathbb{R}^{(h_{r} w_{r})\times d}"),
        ("K₂^{n−j}ε", r"K_{2}^{n-j}\epsilon"),
        ("f ∘ g", r"f \circ g"),
        ("Σ_{t=0}^{L/δ−1} δ", r"\sum_{t=0}^{L/\delta -1} \delta"),
        ("ReLU(x/θ)", r"\mathrm{ReLU}(x/\theta)"),
        ("FFN_1", r"\mathrm{FFN}_{1}"),
        ("Φ_up,i", r"\Phi_{\mathrm{up},i}"),
        ("W^(2)", r"W^{(2)}"),
        ("W_Kᵀ", r"W_{K}^{\top}"),
        ("D⁻¹A", r"D^{-1}A"),
        ("√d(L₀−δ)", r"\sqrt{d}(L_{0}-\delta)"),
        ("{a, a+ε, …, b}", r"\{a, a+\epsilon, \ldots, b\}"),
        ("⌊X/δ⌋+1", r"\lfloor X/\delta \rfloor +1"),
        ("Ḡ_δ", r"\bar{G}_{\delta}"),
        ("ŝ_i", r"\hat{s}_{i}"),
        ("x_img", r"x_{\mathrm{img}}"),
        ("nm+1", r"n m +1"),
        ("exp(z)", r"\exp (z)"),
        ("|c|·‖f‖_α", r"\vert c\vert \cdot \Vert f\Vert_{\alpha}"),
        ("r | h", r"r \mid h"),
        ("h'_k²", r"h_{k}^{\prime 2}"),
        ("2^{K−i}'", r"2^{K-i}{}'"),
        ("x ≠ y", r"x \ne y"),
        ("log2 N", r"\log_2 N"),
        ("100%", r"100\%"),
        ("η = 2^-12", r"\eta = 2^{-12}"),
        ("h_rw_r + n", r"h_{r}w_{r} + n"),
        ("Γ_Lemma5.4", r"\Gamma_{\mathrm{Lemma}5.4}"),
        ("N ∈ {4,096, 1,000,000}", r"N \in \{4{,}096, 1{,}000{,}000\}"),
        ("1,2,3", r"1,2,3"),
        ("x_", r"x\_"),
        ("a}b", r"a\}b"),
        ("x^{1", r"x^{1}"),
    ],
)
def test_closed_form_conversions(plain, tex):
    assert to_tex(plain) == tex


@pytest.mark.parametrize(
    "text, expected",
    [
        ("for all h_r w_r, n, d ≥ 1.", r"for all \(h_{r} w_{r}, n, d \ge 1\)."),
        ("f is K₁-Lipschitz", r"\(f\) is \(K_{1}\)-Lipschitz"),
        ("Ḡ_δ's points", r"\(\bar{G}_{\delta}\)'s points"),
        ("a spec with a = 2", r"a spec with \(a = 2\)"),
        ("the map (ℓ_∞ on maps)", r"the map (\(\ell_{\infty}\) on maps)"),
        (
            "varproof.construct.flowar.flowar.layer_norm refuses x_1",
            r"varproof.construct.flowar.flowar.layer\_norm refuses \(x_{1}\)",
        ),
        ("Linux (x86_64)", r"Linux (x86\_64)"),
        ("smallest_ratio: 3", r"smallest\_ratio: 3"),
        ("max_k |t_k|", r"\(\max_{k} \vert t_{k}\vert\)"),
        ("build (s), 1.4e+00 and O(N log N))", r"build (s), 1.4e+00 and \(O(N \log N)\))"),
        ("dense = build + check", "dense = build + check"),
        ("in 46 s, below 600 s. A run", r"in 46 s, below 600 s. A run"),
        ("t < 600 s", r"\(t < 600\) s"),
        ("no mathematics here, 3 cases", "no mathematics here, 3 cases"),
        ("f : R^n → R^n", r"\(f: \mathbb{R}^{n} \to \mathbb{R}^{n}\)"),
        ("in {−1, 0, 1, 2}", r"in \(\{-1, 0, 1, 2\}\)"),
        ("`code` and [link](x) & <b>", r"\`code\` and \[link\](x) &amp; \(<b>\)"),
    ],
)
def test_prose_and_formulas_are_cut_apart(text, expected):
    assert md_math(text) == expected


def _outside_tex(markdown: str) -> str:
    return TEX_SPAN.sub(" ", markdown)


def test_every_claim_statement_has_its_mathematics_in_tex():
    """For every registered claim, the Markdown of its statement, reference and no-repair reason has no
    Unicode mathematical character outside a TeX span, and every span's braces balance."""
    left = {}
    for cid, claim in all_claims().items():
        for text in (claim.statement, claim.ref, claim.no_repair or ""):
            md = md_math(text)
            stray = sorted({c for c in _outside_tex(md) if c in MATH_CHARS})
            if stray:
                left[cid] = (stray, md)
            for span in TEX_SPAN.findall(md):
                unescaped = re.sub(r"\\[{}]", "", span)
                depth = 0
                for c in unescaped:
                    depth += {"{": 1, "}": -1}.get(c, 0)
                    assert depth >= 0, (cid, span)
                assert depth == 0, (cid, span)
                assert "|" not in span, (cid, span)  # a bar would split a table cell
    assert not left, left


def test_statements_have_formulas_at_all():
    """The conversion is not vacuous: most statements carry TeX."""
    claims = all_claims()
    with_tex = sum(bool(TEX_SPAN.search(md_math(c.statement))) for c in claims.values())
    assert with_tex > 0.9 * len(claims)


@given(st.text(alphabet=st.sampled_from("ab x_^{}()[]|‖∞≤δ∈R×²₂ᵀ'−,.:=*`$\\<&"), max_size=40))
def test_md_math_is_total_and_keeps_math_in_tex(text):
    md = md_math(text)
    assert not {c for c in _outside_tex(md) if c in MATH_CHARS}
    for span in TEX_SPAN.findall(md):
        unescaped = re.sub(r"\\[{}]", "", span)
        assert unescaped.count("{") == unescaped.count("}"), (text, span)


def test_terminal_and_json_keep_the_plain_text():
    """Only the Markdown renderer converts: the text and JSON reports print the statement as written."""
    from varproof.verify.report import Evidence, render_json, render_markdown, render_text

    ev = Evidence(
        quantity="‖x‖_∞",
        measured=1.0,
        bound=2.0,
        margin=1.0,
        method="exact",
        arithmetic="exact",
        n_checked=1,
        claim_id="c",
        ref="Lemma 1",
        statement="‖x‖_∞ ≤ ε for x ∈ R^n",
    )
    assert "‖x‖_∞ ≤ ε for x ∈ R^n" in render_text([ev], details="all")
    assert "‖x‖_∞ ≤ ε for x ∈ R^n" in render_json([ev])
    assert r"> \(\Vert x\Vert_{\infty} \le \epsilon\) for \(x \in \mathbb{R}^{n}\)" in render_markdown([ev])


@given(st.text(alphabet=st.sampled_from("ab x_^{}()[]|‖∞≤δ∈R×²₂'−,.:=*`$\\<&#"), max_size=40))
def test_markdown_reads_each_formula_as_one_math_span(text):
    """Python-Markdown with arithmatex (as mkdocs runs it) turns each TeX span of `md_math` into one math
    element holding exactly that TeX, and reads nothing else as markup (no emphasis, code or link)."""
    markdown = pytest.importorskip("markdown", reason="Python-Markdown comes with the [docs] extra")
    import html

    text = text.strip()
    if not text or text.startswith(("#", "+", "-", "*", "1.", "=")):
        return
    md = md_math(text)
    out = markdown.markdown(
        md, extensions=["tables", "pymdownx.arithmatex"], extension_configs={"pymdownx.arithmatex": {"generic": True}}
    )
    spans = re.findall(r'<span class="arithmatex">(.*?)</span>', out)
    assert [html.unescape(s) for s in spans] == [f"\\({t}\\)" for t in TEX_SPAN.findall(md)], (md, out)
    assert not re.search(r"<(em|strong|code|a)\b", out), (md, out)


def test_generated_pages_have_their_mathematics_in_tex():
    """On the committed generated pages, outside headings (whose plain text the table of contents shows),
    code and TeX, no Unicode mathematical character is left: statements, references, quantities,
    values, parameters, counterexamples and notes all write their formulas as TeX."""
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    left = {}
    for name in ("claims.md", "errata.md", "report.md", "coverage.md"):
        for number, line in enumerate((docs / name).read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("#"):
                continue
            rest = re.sub(r"\\\(.*?\\\)|`[^`]*`|\$[^$]*\$", " ", line)
            if stray := sorted({c for c in rest if c in MATH_CHARS}):
                left.setdefault(name, []).append((number, "".join(stray)))
    assert not left, left
