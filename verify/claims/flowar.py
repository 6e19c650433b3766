"""Claims of Appendices D–F and Section 7.2: FlowAR and HOFAR (filled in by the FlowAR work of issue 4)."""

from __future__ import annotations
