# SPDX-License-Identifier: MIT
"""The real-library corpus: upstream releases and OE-Core CVE backports of
libraries OE-Core ships, built into sysroot-shaped trees, judged by a
runtime oracle and by every CDEPENDS checker (docs/real-corpus.md).

Modules: ``manifest`` (what is in the corpus), ``fetch`` (sources),
``build`` (trees), ``truth`` (oracle and evidence), ``judge`` (the
checkers, each report in a killable worker), ``matrix`` (the document),
``cli`` (scripts/real-corpus).
"""
