# SPDX-License-Identifier: MIT
SUMMARY = "Fan-out benchmark: the parent shared library (libfanout)"
require fanout.inc

FANOUT_BODY ??= "0"
FANOUT_BODY[doc] = "Benchmark-only: body revision of libfanout (a compatible change)."
FANOUT_ABI ??= "0"
FANOUT_ABI[doc] = "Benchmark-only: ABI revision of libfanout (members inserted into its public struct)."
FANOUT_GEN_ARGS = "lib --body ${FANOUT_BODY} --abi ${FANOUT_ABI}"

do_compile() {
    oe_runmake libfanout.so.1
}
do_install() {
    oe_runmake install-lib DESTDIR=${D}
}
