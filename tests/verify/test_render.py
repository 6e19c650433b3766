"""The text and Markdown renderers: the terminal report gives the answer first and fits its width; the
Markdown escaping shows every generated text exactly as written; symbolic values become TeX."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.verify.report import Evidence, _md_cell, _tex, exit_meaning, md_text, render_text, section_of


def _ev(cid: str, ref: str, margin: float, measured="1", bound="2", **kw) -> Evidence:
    return Evidence(
        quantity="q",
        measured=measured,
        bound=bound,
        margin=margin,
        method="exact",
        arithmetic="exact",
        n_checked=1,
        claim_id=cid,
        ref=ref,
        statement=f"statement of {cid}",
        **kw,
    )


RESULTS = [
    _ev("eq-1", "Lemma C.1, Eq. (1)", -1.0, counterexample={"x": "49/32"}),
    _ev("lemma-6.4", "Lemma 6.4", -0.4, measured="8/(3*pi)", bound="4/(3*pi)"),
    _ev("def-3.6/corrected", "Definition 3.6 (repaired)", 0.0),
    _ev("alg-2/output-size", "Algorithm 2 (lines 19–25)", 0.0),
    _ev("lemma-5.4", "Lemma 5.4 (Hu et al. 2024, Lemma 2.2)", 0.5, notes="n " * 200),
]


@pytest.mark.parametrize(
    "ref, section",
    [
        ("Lemma C.1, Eq. (1)", "C"),
        ("Lemma 6.4", "6"),
        ("Definition D.10 / E.1 (reshape of Z^i)", "D"),
        ("Section 7.2 (HOFAR paragraph)", "7"),
        ("Algorithm 2 (line 12)", "F"),
        ("Theorem 6.6 (proof, steps 3–4)", "6"),
        ("something else", ""),
    ],
)
def test_section_of(ref, section):
    assert section_of(ref) == section


def test_text_report_answers_first_then_one_line_per_claim_by_section():
    text = render_text(RESULTS)
    lines = text.split("\n")
    assert lines[0].startswith("varproof: the claims of Chen, Li, Liang, Shi, Song")
    assert "5 claim(s): 3 holds, 0 supported, 2 fails, 0 precondition, 0 inconclusive" in lines[:4]
    assert any(line.startswith("exit status 1: the paper has statements that fail as written") for line in lines[:5])
    headings = [line for line in render_text(RESULTS, width=200).split("\n") if re.match(r"(Section|Appendix) ", line)]
    assert headings == [
        "Section 3. Preliminary",
        "Section 5. Any-Rank Single-Layer Attention is a Contextual Mapping Function",
        "Section 6. Universality of VAR Transformer",
        "Appendix C. Construction of Transformers",
        "Appendix F. High-Order Augmentation of Flow Autoregressive Transformers",
    ]
    claim_lines = [line for line in lines if re.match(r"  [A-Z]+ +\S", line)]
    assert [line.split()[1] for line in claim_lines] == [
        "def-3.6/corrected",
        "lemma-5.4",
        "lemma-6.4",
        "eq-1",
        "alg-2/output-size",
    ]
    assert "FAILS        lemma-6.4" in text and "measured 8/(3*pi) vs bound 4/(3*pi)" in text
    assert "statement of" not in text and "--details" in text  # no evidence blocks by default


def test_text_report_details_and_width():
    full = render_text(RESULTS, details="all", width=60)
    assert all(len(line) <= 60 for line in full.split("\n") if " " in line.strip())
    for ev in RESULTS:
        assert f"statement of {ev.claim_id}" in full
    assert "counterexample: x=49/32" in full
    fails = render_text(RESULTS, details="fails")
    assert "statement of eq-1" in fails and "statement of lemma-5.4" not in fails
    with pytest.raises(ValueError):
        render_text(RESULTS, details="some")


def test_claim_ids_are_never_broken_across_lines():
    long_id = "lemma-c.1/no-duplicates/closed-cube/corrected"
    text = render_text([_ev(long_id, "Lemma C.1 (proof, repaired domain [0,1)^{n×d})", 0.0)], details="all", width=40)
    assert long_id in text.split()


def test_exit_meaning_when_all_pass():
    assert exit_meaning([RESULTS[2]]).startswith("exit status 0")


def test_cli_text_report_is_deterministic_width_when_piped():
    """Not a terminal: the fixed width, whatever COLUMNS says."""
    run = [sys.executable, "-m", "varproof", "verify", "eq-1", "lemma-6.4", "-n", "2", "-m", "2", "--details"]
    a = subprocess.run(run, capture_output=True, text=True, env={"COLUMNS": "50", "PATH": ""}, timeout=300)
    b = subprocess.run(run, capture_output=True, text=True, env={"COLUMNS": "200", "PATH": ""}, timeout=300)
    assert a.returncode == 1 and a.stdout == b.stdout
    assert max(len(line) for line in a.stdout.splitlines()) <= 100


# -- Markdown -------------------------------------------------------------------------------------------------
def _rendered_text(markdown_source: str) -> str:
    """What a reader sees: the page's text after Python-Markdown (as mkdocs runs it), tags stripped."""
    markdown = pytest.importorskip("markdown", reason="Python-Markdown comes with the [docs] extra")
    import html

    out = markdown.markdown(
        markdown_source,
        extensions=["tables", "pymdownx.arithmatex"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    assert not re.search(r"<(?!/?p>)", out), out  # no markup at all: no <em>, <code>, <a>, math span
    return html.unescape(re.sub(r"</?p>", "", out)).strip()


MANGLED = [
    "8/(3*pi)",
    "h(A)_k − q_{A,k}",
    "sup_X ‖τ(X) − f(X)‖_∞ ≤ ε for ε = 2(C_∞+1)δ",
    "a*b*c",
    "x_1 and y_2",
    "`code`",
    "[link](x)",
    "<b>bold</b>",
    "a | b",
    "$x$ and $y$",
    "\\(x\\)",
    "3 > 2 & 1 < 2",
    "**strong**",
    "FM′_first = FM′_second=ε, ‖out′ − out‖_∞=3·ε",
    "back\\slash",
    "&amp; &lt;",
]


@pytest.mark.parametrize("text", MANGLED)
def test_md_text_shows_text_as_written(text):
    pytest.importorskip("pymdownx", reason="pymdown-extensions comes with the [docs] extra")
    assert _rendered_text(md_text(text)) == text


@given(st.text(alphabet=st.sampled_from("ab_*`[]()<>|$\\&#!+-.{}~ ‖∞≤"), max_size=30))
def test_md_text_property(text):
    pytest.importorskip("pymdownx", reason="pymdown-extensions comes with the [docs] extra")
    text = text.strip()
    if text and not text.startswith(("#", "+", "-", "1.")) and text not in ("---", "***"):
        assert _rendered_text(md_text(text)) == re.sub(r"\s+", " ", text)


def test_md_table_cell_keeps_its_column():
    pytest.importorskip("markdown")
    import markdown

    out = markdown.markdown(
        f"| a | b |\n|---|---|\n| {md_text('x | y')} | {_md_cell({'k_1': 'p*q'})} |", extensions=["tables"]
    )
    assert out.count("<td>") == 2 and "x | y" in out


@pytest.mark.parametrize(
    "value, tex",
    [
        ("8/(3*pi)", r"\frac{8}{3 \pi}"),
        ("4/(3*pi)", r"\frac{4}{3 \pi}"),
        ("5*V**4*d*(2*L_0 - delta)*log(L_0)", r"5 V^{4} d \left(2 L_{0} - \delta\right) \log{\left(L_{0} \right)}"),
    ],
)
def test_symbolic_values_become_tex(value, tex):
    assert _tex(value) == tex
    assert _md_cell(value) == f"${tex}$"


@pytest.mark.parametrize("value", ["1/48", "0.5", "float64 / mpmath", "sampled", "tokens*2", "x.__class__", "1e-3"])
def test_other_values_stay_text(value):
    assert _tex(value) is None
