"""Plain-text mathematics as TeX, for the Markdown pages.

Claim statements, references, quantities and notes are written once, as plain text with Unicode
mathematics (``‖x‖_∞ ≤ ε``, ``E ∈ R^{(h_r w_r)×d}``, ``K₂^{n−j}``, ``f ∘ g``), because the terminal
report prints them as they are. The Markdown pages (claim reference, errata, coverage, report, live
claim tables) show the same text with its formulas typeset: `md_math` cuts a text into prose and
formula spans, escapes the prose for Markdown (`varproof.verify.report.md_text`) and writes each formula as
inline TeX ``\\(…\\)``, which MathJax (``pymdownx.arithmatex``) renders offline.

The conversion is total — every text gives a page, nothing is refused — and conservative about
prose: a word becomes mathematics only if it carries a mathematical character (a Greek letter, an
operator, a sub- or superscript, ``_``, ``^``, ``=``…), is a single letter used as a symbol, a
function applied to an argument (``f(x)``, ``Softmax(z)``), or a number bound to a formula by an
operator (the ``1`` of ``n ≥ 1``). Every Unicode mathematical character (`MATH_CHARS`) ends up
inside a TeX span, so no formula is left half typeset. Conventions of the plain text, read as TeX:

* ``x_r``, ``x_{i,j}``, ``x^n``, ``x^{1/α}``, ``W^(2)``, ``h_[r]``: sub- and superscripts (a bare one
  runs over letters, digits, primes and ``up,i``-style comma lists); ``₂``/``²``/``ᵀ``/``⁻¹``: likewise;
* ``{a, b}`` not after ``_``/``^``: a set (``\\{a, b\\}``); ``R^…``: the reals ``\\mathbb{R}^…``;
* names of two or more letters (``ReLU``, ``FFN``, ``img``): upright (``\\mathrm``), standard
  functions as their TeX operators (``\\exp``, ``\\sup``); a two-letter run that is no name (``dn``,
  ``hw``) is the product of its letters;
* ``‖…‖`` and ``|…|``: ``\\Vert``/``\\vert`` (never a literal bar, which would split a table cell);
  a bar standing alone between symbols (``r | h``) is ``\\mid``;
* ``Σ`` and ``Π`` are the paper's sum and product (``\\sum``, ``\\prod``), never a matrix named so;
* a character with no TeX name of its own is set as text (``\\text{–}``), so every input gives valid TeX.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MATH_CHARS", "md_math", "to_tex"]

_GREEK = {
    "α": r"\alpha",
    "β": r"\beta",
    "γ": r"\gamma",
    "δ": r"\delta",
    "ε": r"\epsilon",
    "ζ": r"\zeta",
    "η": r"\eta",
    "θ": r"\theta",
    "ι": r"\iota",
    "κ": r"\kappa",
    "λ": r"\lambda",
    "μ": r"\mu",
    "ν": r"\nu",
    "ξ": r"\xi",
    "π": r"\pi",
    "ρ": r"\rho",
    "σ": r"\sigma",
    "τ": r"\tau",
    "υ": r"\upsilon",
    "φ": r"\phi",
    "ϕ": r"\phi",
    "χ": r"\chi",
    "ψ": r"\psi",
    "ω": r"\omega",
    "ϵ": r"\epsilon",
    "Γ": r"\Gamma",
    "Δ": r"\Delta",
    "Θ": r"\Theta",
    "Λ": r"\Lambda",
    "Ξ": r"\Xi",
    "Π": r"\prod",
    "Σ": r"\sum",
    "Φ": r"\Phi",
    "Ψ": r"\Psi",
    "Ω": r"\Omega",
    "ℓ": r"\ell",
}
_SYMBOLS = {
    "−": "-",
    "×": r"\times",
    "·": r"\cdot",
    "∘": r"\circ",
    "∈": r"\in",
    "∉": r"\notin",
    "∋": r"\ni",
    "≤": r"\le",
    "≥": r"\ge",
    "≠": r"\ne",
    "≈": r"\approx",
    "≡": r"\equiv",
    "∼": r"\sim",
    "±": r"\pm",
    "→": r"\to",
    "←": r"\leftarrow",
    "↦": r"\mapsto",
    "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow",
    "∞": r"\infty",
    "…": r"\ldots",
    "⌊": r"\lfloor",
    "⌋": r"\rfloor",
    "⌈": r"\lceil",
    "⌉": r"\rceil",
    "⟨": r"\langle",
    "⟩": r"\rangle",
    "∀": r"\forall",
    "∃": r"\exists",
    "⊂": r"\subset",
    "⊆": r"\subseteq",
    "⊇": r"\supseteq",
    "⊃": r"\supset",
    "⊄": r"\not\subset",
    "∪": r"\cup",
    "∩": r"\cap",
    "⊗": r"\otimes",
    "∤": r"\nmid",
    "∣": r"\mid",
    "∇": r"\nabla",
    "∫": r"\int",
    "∂": r"\partial",
    "∑": r"\sum",
    "∏": r"\prod",
    "⊤": r"\top",
    "ℝ": r"\mathbb{R}",
    "ℕ": r"\mathbb{N}",
    "ℤ": r"\mathbb{Z}",
    "ℚ": r"\mathbb{Q}",
    "½": r"\tfrac{1}{2}",
    "′": "'",
    "″": "''",
    "‖": r"\Vert",
    "∅": r"\emptyset",
    "¬": r"\neg",
    "∧": r"\wedge",
    "∨": r"\vee",
    "⊕": r"\oplus",
    "≪": r"\ll",
    "≫": r"\gg",
    "≔": ":=",
    "∗": "*",
    "√": r"\sqrt",
}
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", "0123456789+-aeijklmnoprstuvx"))
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁱⁿ", "0123456789+-in")) | {"ᵀ": r"\top"}
_ACCENTS = {
    "\u0302": r"\hat",
    "\u0304": r"\bar",
    "\u0303": r"\tilde",
    "\u0307": r"\dot",
    "\u0308": r"\ddot",
    "\u20d7": r"\vec",
    "\u0305": r"\bar",
}
#: the Unicode characters that are mathematics: on a page each stands inside a TeX span
MATH_CHARS = (
    frozenset(_GREEK)
    | frozenset(_SYMBOLS)
    | frozenset(_SUBSCRIPTS)
    | frozenset(_SUPERSCRIPTS)
    | frozenset(_ACCENTS)
    | {"\u0338"}
)
#: names typeset as TeX's operators; every other name of two or more letters is upright text
_OPERATORS = {
    "exp",
    "log",
    "ln",
    "sup",
    "inf",
    "max",
    "min",
    "lim",
    "sin",
    "cos",
    "tan",
    "tanh",
    "det",
    "arg",
    "deg",
    "dim",
    "ker",
    "gcd",
    "Pr",
}
#: two-letter runs that are names, not products of two symbols
_SHORT_NAMES = {"up", "in", "id", "NN", "FM", "LN", "TF", "ln", "Pr", "tr", "op"}
#: names that are mathematics even standing alone (``FFN ∘ Attn``, ``u_0 = id``)
_STANDALONE = {
    "FFN",
    "Attn",
    "ReLU",
    "Softmax",
    "softmax",
    "NN",
    "diag",
    "exp",
    "log",
    "log2",
    "ln",
    "sup",
    "id",
    "MLP",
}
_ASCII_OPS = set("_^=<>+*/|{}")
_PROSE_WORD = re.compile(r"[A-Za-z][A-Za-z]*(?:['’-][A-Za-z]+)*|[A-Za-z](?:\.[A-Za-z])+\.?")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?%?|\d+(?:\.\d+)?[–-]\d+(?:\.\d+)?")
_OPERATOR_ONLY = re.compile(r"[=<>+:|*/−×·∘∈∉≤≥≠≈≡→←↦↔⊂⊆⊇∪⊗∤±∼-]+")
_NOT_SYMBOLS = {
    "Appendix",
    "Section",
    "Algorithm",
    "Table",
    "Figure",
    "Definition",
    "Definitions",
    "Lemma",
    "Theorem",
    "Corollary",
    "Assumption",
    "Remark",
    "Fact",
    "Eq",
    "Eq.",
}


def _tex_escape_ascii(c: str) -> str:
    return {
        "%": r"\%",
        "#": r"\#",
        "&": r"\&",
        "$": r"\$",
        "~": r"\sim ",
        "\\": r"\backslash ",
        '"': "''",
        "`": "'",
    }.get(c, c)


def _is_letter(c: str) -> bool:
    return c.isascii() and c.isalpha()


class _Converter:
    """One formula's plain text → TeX, read left to right (a recursive descent over atoms)."""

    def __init__(self, text: str):
        # decompose accented Latin letters (ŝ → s + U+0302) but no symbol (≠ would become = + U+0338)
        self.s = "".join(
            unicodedata.normalize("NFD", c) if unicodedata.category(c).startswith("L") else c for c in text
        )
        self.i = 0

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def run(self) -> str:
        out = self.sequence(stop="")
        while self.i < len(self.s):  # an unmatched closing brace: a literal one
            self.i += 1
            out += r"\} " + self.sequence(stop="")
        return out

    def sequence(self, stop: str) -> str:
        """Atoms up to (not including) the closing brace ``stop`` of a group, or the end."""
        parts: list[str] = []
        scripted = {"_": False, "^": False}
        sets = 0  # open set braces
        while self.i < len(self.s):
            c = self.peek()
            if c == "}" and stop and sets == 0:
                break
            if c in "_^" or c in _SUBSCRIPTS or c in _SUPERSCRIPTS:
                kind = "_" if (c == "_" or c in _SUBSCRIPTS) else "^"
                script = self.script()
                if script is None:
                    self.i += 1
                    parts.append(r"\_" if c == "_" else r"\hat{}")
                    continue
                if not parts or scripted[kind]:
                    parts.append("{}")
                    scripted = {"_": False, "^": False}
                if kind == "^":  # a prime is a superscript already: x'^2 is x^{\prime 2}
                    at = len(parts) - (2 if parts[-1].startswith("_{") and len(parts) > 1 else 1)
                    primes = len(parts[at]) - len(parts[at].rstrip("'"))
                    if primes:
                        parts[at] = parts[at][:-primes]
                        script = r"\prime " * primes + script
                parts.append(kind + "{" + script + "}")
                scripted[kind] = True
                continue
            if c in "'′″" and scripted["^"]:
                parts.append("{}")  # a prime after a superscript: x^{a}{}'
            scripted = {"_": False, "^": False}
            if c == "{":
                self.i += 1
                sets += 1
                parts.append(r"\{")
            elif c == "}":
                self.i += 1
                sets -= 1
                parts.append(r"\}")
            else:
                parts.append(self.atom())
        return "".join(parts)

    def group(self, close: str) -> str:
        """The text after an opening ``{`` up to its ``close``; a missing close is supplied."""
        inner = self.sequence(stop="}")
        if self.peek() == close:
            self.i += 1
        return inner

    def script(self) -> str | None:
        """The sub- or superscript at the cursor (``_r``, ``_{i,j}``, ``^(2)``, ``₂``, ``ᵀ``), or None if none follows."""
        c = self.peek()
        if c in _SUBSCRIPTS or c in _SUPERSCRIPTS:
            table = _SUBSCRIPTS if c in _SUBSCRIPTS else _SUPERSCRIPTS
            out = ""
            while self.peek() and self.peek() in table:
                out += table[self.peek()]
                self.i += 1
            return out
        nxt = self.peek(1)
        if nxt == "{":
            self.i += 2
            return self.group("}")
        if nxt and nxt in "([":
            self.i += 1
            return self.bracketed()
        if nxt == "√":
            self.i += 1
            return self.atom()
        j = self.i + 1
        if j + 1 < len(self.s) and self.s[j] in "−-" and self.s[j + 1].isdigit():
            j += 1  # a signed exponent: 2^-12
        while j < len(self.s):
            ch = self.s[j]
            if (
                ch.isascii()
                and ch.isalnum()
                or ch in _GREEK
                or ch in "'′*∞⊤†"
                or unicodedata.combining(ch)
                or ch == ","
                and j + 1 < len(self.s)
                and (self.s[j + 1].isascii() and self.s[j + 1].isalnum() or self.s[j + 1] in _GREEK)
            ):
                j += 1
            elif ch == "." and self.s[j - 1].isdigit() and j + 1 < len(self.s) and self.s[j + 1].isdigit():
                j += 1  # a numbered item: δ_Lemma5.4
            else:
                break
        if j == self.i + 1:
            return None
        word = self.s[self.i + 1 : j]
        if (
            j < len(self.s)
            and self.s[j] == "_"
            and len(word) > 1
            and word.isalpha()
            and word.islower()
            and word not in _SHORT_NAMES
        ):
            j = self.i + 2  # h_rw_r: the subscript is r, then w_r
        run = _Converter(self.s[self.i + 1 : j]).run()
        self.i = j
        return run

    def bracketed(self) -> str:
        """A parenthesised or bracketed group at the cursor, brackets kept (``(2)`` of ``W^(2)``)."""
        open_, close = self.peek(), {"(": ")", "[": "]"}[self.peek()]
        depth, j = 0, self.i
        while j < len(self.s):
            if self.s[j] == open_:
                depth += 1
            elif self.s[j] == close:
                depth -= 1
                if depth == 0:
                    break
            j += 1
        inner = _Converter(self.s[self.i + 1 : j]).run()
        self.i = min(j + 1, len(self.s))
        return open_ + inner + (close if j < len(self.s) else "")

    def atom(self) -> str:
        c = self.peek()
        if _is_letter(c):
            j = self.i
            while j < len(self.s) and _is_letter(self.s[j]):
                j += 1
            if (m := re.compile(r"\d+[A-Za-z]+").match(self.s, j)) and j - self.i >= 2:  # word2img: one name
                j = m.end()
            word = self.s[self.i : j]
            if j < len(self.s) and unicodedata.combining(self.s[j]) and len(word) > 1:
                j -= 1  # the accent belongs to the last letter alone
                word = word[:-1]
            self.i = j
            if len(word) == 1:
                if word == "R" and self.peek() == "^" and (self.i < 2 or not self.s[self.i - 2].isalnum()):
                    return r"\mathbb{R}"
                return self.accented(word)
            if word == "log" and self.peek() == "2" and not self.peek(1).isdigit():
                self.i += 1
                return r"\log_2 "
            if word in _OPERATORS:
                return "\\" + word + " "
            if len(word) == 2 and word not in _SHORT_NAMES and word[0].islower():
                return " ".join(word) + " "
            return r"\mathrm{" + word + "}"
        self.i += 1
        if c in _GREEK:
            return self.accented(_GREEK[c] + " ")
        if c == "√":
            if self.peek() and self.peek() in "([":
                inner = self.bracketed()[1:]
                return r"\sqrt{" + (inner[:-1] if inner.endswith((")", "]")) else inner) + "}"
            if self.peek() == "{":
                self.i += 1
                return r"\sqrt{" + self.group("}") + "}"
            return r"\sqrt{" + (self.atom() if self.peek() else "") + "}"
        if c in _SYMBOLS:
            tex = _SYMBOLS[c]
            return tex + (" " if tex[-1].isalpha() else "")
        if c == "\u0338":
            return r"\not "
        if c == "|":  # standing alone (r | h) it divides; next to a symbol (|c|) it is an absolute value
            alone = self.i >= 2 and self.s[self.i - 2] == " " and self.peek() == " "
            return r"\mid " if alone else r"\vert "
        if unicodedata.combining(c):
            return ""
        if c.isspace():
            return " "
        if c.isascii():
            return r"\setminus " if c == "\\" else _tex_escape_ascii(c)
        return r"\text{" + c + "}"

    def accented(self, base: str) -> str:
        while self.peek() and self.peek() in _ACCENTS:
            base = _ACCENTS[self.peek()] + "{" + base.strip() + "}"
            self.i += 1
        while self.peek() and unicodedata.combining(self.peek()):
            self.i += 1
        return base


def to_tex(formula: str) -> str:
    """The TeX of one formula written in the plain text's conventions (module docstring)."""
    tex = _Converter(formula).run()
    tex = re.sub(r" +", " ", tex).strip()
    tex = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "{,}", tex)  # a thousands separator, not a list comma: 4{,}096
    return re.sub(r" (?=[_^}),.;:\]])", "", tex)


# -- cutting a text into prose and formulas ------------------------------------------------------------
def _tokens(text: str) -> list[str]:
    """``text`` split at the whitespace outside ``_{…}``/``^{…}`` groups (a group is one token)."""
    tokens, start, stack = [], 0, []
    for i, c in enumerate(text):
        if c == "{":
            stack.append(i > 0 and text[i - 1] in "_^")
        elif c == "}" and stack:
            stack.pop()
        elif c.isspace() and not any(stack):
            if i > start:
                tokens.append(text[start:i])
            start = i + 1
    if start < len(text):
        tokens.append(text[start:])
    return tokens


def _has_math(core: str) -> bool:
    return any(c in MATH_CHARS for c in unicodedata.normalize("NFD", core)) or bool(set(core) & _ASCII_OPS)


def _kind(core: str, prev: str, nxt: str, prev_trail: str = "") -> str:
    """``M`` (mathematics), ``P`` (prose) or ``N`` (a number or code: mathematics only when an operator
    binds it to a formula) for one token's core, given the cores of its neighbours."""
    if not core:
        return "P"
    if core in (":", "\\"):  # a colon (f : X → Y) or set minus between formulas; elsewhere punctuation
        return "M" if _kind_simple(prev) == "M" and _kind_simple(nxt) == "M" else "P"
    bare = core.strip("()[]")
    if _CODE.fullmatch(bare) or core in ("(s)", "[s]"):
        return "P"  # a Python name (varproof.construct.flowar.flowar.layer_norm), a plural or unit marker (case(s), time (s))
    if _NUMBER.fullmatch(bare):
        return "N"
    if re.fullmatch(r"[=+\-<>/*]", core) and _kind_simple(prev) != "M" and _kind_simple(nxt) != "M":
        return "P"  # an ASCII operator between words (dense = build + check)
    if _has_math(core):
        if "/" in core and not (set(core) - {"/"}) & (MATH_CHARS | _ASCII_OPS - {"/"}):
            parts = [p.strip("()[]") for p in core.split("/")]
            if not all(len(p) <= 2 or p in _STANDALONE or _NUMBER.fullmatch(p) for p in parts):
                return "P"  # and/or
            if all(_NUMBER.fullmatch(p) for p in parts):
                return "N"
        if core in (":", "|", "*", "/", "-", "+") and not (_kind_simple(prev) == "M" and _kind_simple(nxt) == "M"):
            return "P" if core in (":", "-") else "M"
        return "M"
    if core in _STANDALONE or bare in _STANDALONE and bare != core:
        return "M"
    if (
        re.fullmatch(r"[(\[]?[A-Za-z]['′]*[(\[].*", core)
        or re.fullmatch(r"[A-Z][A-Za-z]*[(\[](?!s[)\]]).*", core)
        or re.fullmatch(r"(?:{})[(\[].*".format("|".join(_STANDALONE | _OPERATORS)), core)
    ):
        return "M"
    if re.fullmatch(r"[(\[]?[A-Za-z]['′]*[)\]]*", core):
        if prev in _NOT_SYMBOLS:
            return "P"
        if bare == "a" and not core.endswith((")", "]")) and nxt and nxt[0] not in "=<>≤≥≠∈,:":
            return "P"  # the article (a variable named a is followed by an operator or a comma)
        if core == "A" and (not prev or prev == "—" or prev_trail.endswith((".", ":"))):
            return "P"  # the article, starting a sentence
        if core in ("s", "h") and _NUMBER.fullmatch(prev):
            return "P"  # a unit: 46 s, 4.1 h
        return "M"
    if _NUMBER.fullmatch(bare):
        return "N"
    return "P"


def _kind_simple(core: str) -> str:
    return (
        "M"
        if core and (_has_math(core) or re.fullmatch(r"[(\[]?(?:[A-Za-z]['′]*|\d+(?:\.\d+)?)[)\]]?,?", core))
        else "P"
    )


_CODE = re.compile(
    r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?:\(\))?|[a-z]+\d+_\d+|[a-z][a-z0-9]+(?:_[a-z0-9]{2,})+"
)


_TRAIL = re.compile(r"(?:-[A-Za-z]{3,}(?:-[A-Za-z]+)*)?(?:['’]s)?[.,;:!?]*$")


def _split_trailing(token: str) -> tuple[str, str]:
    """A token's core and its trailing prose punctuation (``,``, ``.``, possessive ``'s``); an
    operator-only token (``:``) or an ellipsis keeps its characters."""
    if _OPERATOR_ONLY.fullmatch(token) or token in ("…", "...", "…,"):
        return (token[:-1], ",") if token == "…," else (token, "")
    m = _TRAIL.search(token)
    core, trail = token[: m.start()], token[m.start() :]
    if core.endswith(("'", "′")) and trail[:1] in ("s",):  # never split a prime from its symbol
        return token, ""
    return core, trail


def md_math(text) -> str:
    """``text`` for a Markdown page: prose escaped (`varproof.verify.report.md_text`), formulas as inline TeX
    ``\\(…\\)``; one line. Every character of `MATH_CHARS` ends up inside a formula."""
    from .report import md_text

    text = str(text)
    if not any(c in MATH_CHARS or c in _ASCII_OPS for c in unicodedata.normalize("NFD", text)) and not re.search(
        r"(?<![\w.])[A-Za-z](?![\w.])", text
    ):
        return md_text(text)
    tokens = _tokens(" ".join(text.split()))
    split = [_split_trailing(t) for t in tokens]
    cores = [c for c, _ in split]
    kinds = [
        _kind(c, cores[k - 1] if k else "", cores[k + 1] if k + 1 < len(cores) else "", split[k - 1][1] if k else "")
        for k, c in enumerate(cores)
    ]
    # a number joins a formula when an operator binds it: ``n ≥ 1``, ``1 ≤ i``, ``= 3``
    depth = 0  # brackets the formula running up to token k has opened: a list's numbers belong to it
    for k, kind in enumerate(kinds):
        if kind == "N":
            before = (
                k > 0
                and kinds[k - 1] == "M"
                and (
                    not split[k - 1][1]
                    and _ends_with_operator(cores[k - 1])
                    or split[k - 1][1] in ("", ",")
                    and depth > 0
                )
            )
            after = (
                k + 1 < len(kinds) and kinds[k + 1] == "M" and not split[k][1] and _starts_with_operator(cores[k + 1])
            )
            kinds[k] = "M" if before or after else "P"
        if kinds[k] == "M" and (k == 0 or kinds[k - 1] == "M" and split[k - 1][1] in ("", ",")):
            depth += sum(cores[k].count(c) for c in "([{") - sum(cores[k].count(c) for c in ")]}")
        else:
            depth = (
                sum(cores[k].count(c) for c in "([{") - sum(cores[k].count(c) for c in ")]}") if kinds[k] == "M" else 0
            )
    out: list[str] = []
    k = 0
    while k < len(tokens):
        if kinds[k] != "M":
            out.append(md_text(tokens[k]))
            k += 1
            continue
        span = [cores[k]]
        trail = split[k][1]
        while k + 1 < len(tokens) and kinds[k + 1] == "M" and trail in ("", ","):
            k += 1
            span[-1] += trail
            span.append(cores[k])
            trail = split[k][1]
        formula, lead, tail = " ".join(span), "", ""
        opens, closes = sum(formula.count(c) for c in "(["), sum(formula.count(c) for c in ")]")
        if opens > closes and formula[0] in "([":  # a parenthesis the prose opened
            lead, formula = formula[0], formula[1:]
        elif closes > opens and formula[-1] in ")]":
            formula, tail = formula[:-1], formula[-1]
        if formula.strip():
            out.append(md_text(lead) + r"\(" + to_tex(formula) + r"\)" + md_text(tail + trail))
        else:
            out.append(md_text(lead + formula + tail + trail))
        k += 1
    return " ".join(out)


def _ends_with_operator(core: str) -> bool:
    return bool(core) and (core[-1] in "=<>+−×·≤≥≠≈∈→↦:∘±" or core[-1] == "(")


def _starts_with_operator(core: str) -> bool:
    return bool(core) and core[0] in "=<>+−×·≤≥≠≈∈→↦∘±/^_:"
