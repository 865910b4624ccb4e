# SPDX-License-Identifier: MIT
"""Where superset mode finds its baseline (plain Python, no bb import).

The baseline of a child is the last report its compatibility task emitted
*for the same child inputs*. It is stored in a :class:`BaselineStore` (a
directory, by default under ``SSTATE_DIR`` so that builders sharing an sstate
directory share baselines) under a :func:`child_key`: a fingerprint of
everything the child's other tasks hash over, except the compatibility task
and the parents it alone sees.

Why keyed by the child's inputs: a report canonicalised to baseline ``R``
maps the child's later tasks to the hashes of the child built when ``R`` was
the parent's real report. That is only true while those later tasks have the
same inputs as then. If the child changed (its sources, its variables, its
other dependencies), its tasks get new hashes and are built for real against
the *current* parent; storing that build under ``R``'s chain would let a
later parent that only extends ``R`` (but lacks what the current parent
added, and the rebuild may have used) restore it. A new key has no
baseline, so the full report is emitted and becomes the new baseline.
"""

import hashlib
import os
import tempfile

from .api import superset_report
from .errors import CompatError

KEY_FORMAT = "cdepends child key 1"


def _fn_of(tid):
    return tid.rsplit(":", 1)[0]


def _dep_tid(dep):
    # BitBake stores runtaskdeps as (pn-id, tid) tuples; older ones as tids.
    return dep[1] if isinstance(dep, (tuple, list)) else dep


def child_key(fn, compat_task, taskhash, basehash, runtaskdeps, file_checksums=None, taints=None):
    """Fingerprint of the inputs of recipe ``fn``'s tasks other than ``compat_task``.

    The arguments are the signature generator's tables, keyed by task id
    (``fn:do_task``): ``taskhash``, ``basehash``, ``runtaskdeps`` (the
    dependencies that enter each signature: the CDEPENDS parents are already
    dropped for every task but ``compat_task``), and optionally
    ``file_checksums`` and ``taints``. For each task of ``fn`` in those
    tables: its name, basehash, file checksums, taint, and the taskhash of
    every dependency outside ``fn`` (a dependency inside ``fn`` is covered
    by its own entry; the compatibility task is left out, so the parent is).
    Taskhashes are finer than unihashes, so an equal key implies equal
    inputs; a spurious difference only costs a baseline (the full report is
    emitted, never a wrong one).
    """
    file_checksums = file_checksums or {}
    taints = taints or {}
    compat_tid = "%s:%s" % (fn, compat_task)
    tids = sorted(t for t in basehash if _fn_of(t) == fn and t != compat_tid)
    if not tids:
        raise ValueError("no task of %s in the signature data" % fn)
    h = hashlib.sha256(KEY_FORMAT.encode())
    for tid in tids:
        h.update(b"\0task " + tid.rsplit(":", 1)[1].encode())
        h.update(b"\0base " + str(basehash[tid]).encode())
        for path, checksum in sorted((tuple(x) for x in file_checksums.get(tid) or []),
                                     key=lambda x: (str(x[0]), str(x[1]))):
            # The path can differ between build hosts; its checksum cannot.
            h.update(b"\0file " + os.path.basename(str(path)).encode() + b" " + str(checksum).encode())
        if taints.get(tid):
            h.update(b"\0taint " + str(taints[tid]).encode())
        deps = sorted(set(_dep_tid(d) for d in runtaskdeps.get(tid) or []))
        for dep in deps:
            if _fn_of(dep) == fn:
                continue
            h.update(b"\0dep " + str(taskhash.get(dep, "?" + dep)).encode())
    return h.hexdigest()


class BaselineStore:
    """Reports by ``(child, key)`` in a directory: ``<root>/<child>/<key>.report``.

    Writes are atomic (a temporary file renamed into place), so builders
    sharing the directory never read half a report; the last writer wins,
    which is safe: every stored report was emitted for that key.
    """

    def __init__(self, root):
        self.root = root

    def path(self, child, key):
        if not child or "/" in child or child.startswith("."):
            raise ValueError("bad child name %r" % (child,))
        if not key or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("bad child key %r" % (key,))
        return os.path.join(self.root, child, key + ".report")

    def load(self, child, key):
        """The stored report text, or None."""
        try:
            with open(self.path(child, key), encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def save(self, child, key, text):
        path = self.path(child, key)
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o664)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def drop(self, child, key):
        try:
            os.unlink(self.path(child, key))
            return True
        except FileNotFoundError:
            return False


def baseline_or_full(baseline, full, tools=None, warn=None, log_dir=None, uses=None, note=None):
    """``(text, canonical)``: the report to emit for a child with
    superset-mode parents, given the stored ``baseline`` (or None) and the
    ``full`` report of the parents as they are now.

    The baseline is emitted only when the full report is, as a whole, a
    compatible superset of it (every superset-mode parent a superset, every
    other section identical): only then does it map to an earlier build of
    the child. A report canonicalised for one parent but not for another
    maps to no build, so the full report is emitted instead; so it is on any
    tool error. ``canonical`` is True when the baseline is emitted although
    the full report differs. ``uses`` and ``note``: as for
    :func:`superset_report` (the child-uses scope).
    """
    if baseline is None or baseline == full:
        return full, False
    try:
        merged = superset_report(baseline, full, tools=tools, warn=warn, log_dir=log_dir,
                                 uses=uses, note=note)
    except CompatError as err:
        if warn:
            warn("superset comparison failed (%s); the child is rebuilt" % err)
        return full, False
    if merged == baseline:
        return baseline, True
    return full, False
