// MathJax 3 configuration for pymdownx.arithmatex (generic mode): typeset only the spans and
// blocks arithmatex marks, with the delimiters it writes, and the navigation links (a heading with
// a formula brings its TeX into the table of contents). MathJax itself ships with the site
// (assets/mathjax/tex-svg.js, copied at build time by hooks/mathjax.py).
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    packages: {"[-]": ["noundefined"]},  // an unknown macro is an error, not red text
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex|md-nav__link|md-ellipsis"
  },
  svg: { fontCache: "global" }
};
