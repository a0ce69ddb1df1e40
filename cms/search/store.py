"""Whoosh index storage: one directory per index, swapped atomically on rebuild,
one writer at a time, searchers cached per thread and refreshed after writes.

Layout under the backend's PATH::

    PATH/market.productpage            -> symlink to the live generation
    PATH/market.productpage.g<ns>/     one generation (a Whoosh index)

Why it cannot be locked or corrupted for good:

- Whoosh's write lock is an ``flock`` on ``MAIN_WRITELOCK``; the kernel drops it
  when the holding process dies, so a crashed writer leaves a lock *file* but
  no lock. Inside one process a ``threading.Lock`` per index keeps threads in
  line, and waiting for the lock has a timeout (`WriteTimeout`), so a hung
  writer can only delay a write, not block writes forever.
- A commit writes new segment files and then renames the table of contents
  into place; a writer that dies before that leaves the previous generation
  readable. Every write commits (one chunk at a time) or is cancelled.
- A rebuild fills a fresh generation directory and then replaces the symlink
  with ``os.replace`` (atomic), so readers see either the old or the new index.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh import fields, index
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from .analysis import exact_analyzer, folded_analyzer, pairs_analyzer

# Field name suffixes: every SearchField path `p` becomes `p__x` (exact) and
# `p__f` (folded); every AutocompleteField path becomes `p__a`. `all__p`
# (folded, with positions) and `all__e` (exact) hold all the searchable text
# of a document: a query looks a word up there once instead of once per field,
# and only fields boosted above 1 are looked up on their own.
EXACT, FOLDED, AUTOCOMPLETE, PROXIMITY, ALL_EXACT_SUFFIX = (
    "__x",
    "__f",
    "__a",
    "__p",
    "__e",
)
ALL_TEXT = "all" + PROXIMITY
ALL_EXACT = "all" + ALL_EXACT_SUFFIX
# Neighbouring folded words of all the text, one token per pair ("nuoc mam").
ALL_PAIRS = "all__b"
# The first two folded words of each boosted field (a title): a Vietnamese
# product name starts with what the product is ("Mật ong bạc hà" is honey,
# "Mứt gừng mật ong" is a jam), so a query that starts the same way names it.
HEADS = "all__h"
# Every code-like word of the document's text (SKU, GTIN padded to 14
# digits, certificate number) whole, for exact lookup of a code query.
CODES = "all__c"
# A boolean FilterField's value ("t" or "f"), so a filter such as `live()` can
# be answered by the index (when the backend's INDEX_FILTERS names the field).
BOOLEAN = "__bool"

WRITE_LOCK_TIMEOUT = 30.0  # seconds to wait for another writer to finish


class WriteTimeout(RuntimeError):
    """Another writer held the index for longer than the lock timeout."""


def make_schema() -> fields.Schema:
    schema = fields.Schema(
        pk=fields.ID(stored=True, unique=True, sortable=True),
        # Model labels of the object's class and its indexed parents, so a
        # search on a parent model sees children and not the other way round.
        ct=fields.KEYWORD(scorable=False),
    )
    schema.add(
        "*" + EXACT, fields.TEXT(analyzer=exact_analyzer(), phrase=False), glob=True
    )
    schema.add("*" + FOLDED, fields.TEXT(analyzer=folded_analyzer()), glob=True)
    schema.add("*" + PROXIMITY, fields.TEXT(analyzer=folded_analyzer()), glob=True)
    schema.add(
        "*" + ALL_EXACT_SUFFIX,
        fields.TEXT(analyzer=exact_analyzer(), phrase=False),
        glob=True,
    )
    schema.add(ALL_PAIRS, fields.TEXT(analyzer=pairs_analyzer(), phrase=False))
    schema.add(HEADS, fields.KEYWORD(commas=True, scorable=True))
    schema.add(CODES, fields.KEYWORD(commas=True, scorable=True))
    schema.add("*" + BOOLEAN, fields.ID(), glob=True)
    schema.add(
        "*" + AUTOCOMPLETE,
        fields.TEXT(analyzer=folded_analyzer(), phrase=False),
        glob=True,
    )
    return schema


_thread_locks: dict[str, threading.RLock] = {}
_thread_locks_guard = threading.Lock()
_local = threading.local()


def _thread_lock(path: str) -> threading.RLock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(path, threading.RLock())


def _new_generation_dir(path: str) -> str:
    gen = f"{path}.g{time.time_ns()}"
    os.makedirs(gen)
    FileStorage(gen).create_index(make_schema())
    return gen


def _point_link(path: str, target: str) -> None:
    """Atomically make `path` a symlink to `target` (a sibling directory)."""
    tmp = f"{path}.link-{os.getpid()}-{threading.get_ident()}"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(os.path.basename(target), tmp)
    os.replace(tmp, path)


def ensure(path: str) -> str:
    """Create an empty index at `path` if there is none; return its live dir."""
    if not os.path.lexists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with _thread_lock(path):
            if not os.path.lexists(path):
                _point_link(path, _new_generation_dir(path))
    return os.path.realpath(path)


def open_index(path: str) -> index.FileIndex:
    live = ensure(path)
    return FileStorage(live).open_index(schema=None)


@dataclass
class _CachedSearcher:
    live_dir: str
    generation: int
    index: index.FileIndex
    searcher: object


def searcher(path: str):
    """A searcher on the live generation, reused by this thread until the index
    changes (a commit here or in another process, or a rebuild swap)."""
    cache: dict[str, _CachedSearcher] = _local.__dict__.setdefault("searchers", {})
    live = ensure(path)
    cached = cache.get(path)
    if cached is not None and cached.live_dir == live:
        if cached.index.latest_generation() == cached.generation:
            return cached.searcher
        cached.searcher.close()
    elif cached is not None:
        cached.searcher.close()
    ix = FileStorage(live).open_index()
    s = ix.searcher()
    cache[path] = _CachedSearcher(live, s.reader().generation(), ix, s)
    return s


def stored_pks(searcher):
    """docnum -> stored pk for this searcher, remembered as documents are
    looked up (a search maps its few thousand matches at every query)."""
    lookup = searcher.__dict__.get("_nq_pk_lookup")
    if lookup is None:
        column = searcher.reader().column_reader("pk")
        seen: dict[int, str] = {}

        def lookup(docnum: int) -> str:
            pk = seen.get(docnum)
            if pk is None:
                pk = seen[docnum] = column[docnum]
            return pk

        searcher.__dict__["_nq_pk_lookup"] = lookup
    return lookup


def query_docs(searcher, query):
    """The documents `query` matches, as a set, computed once per searcher."""
    cache = searcher.__dict__.setdefault("_nq_query_docs", {})
    key = repr(query)
    if key not in cache:
        cache[key] = set(query.docs(searcher))
    return cache[key]


def content_filter(searcher, label: str):
    """The set of documents of one model (and its subclasses), as a bit set,
    computed once per searcher: recomputing it per query costs as much as
    the query itself on a large index."""
    filters = searcher.__dict__.setdefault("_nq_content_filters", {})
    if label not in filters:
        filters[label] = searcher._query_to_comb(wq.Term("ct", label))
    return filters[label]


def write(
    path: str,
    *,
    upserts: list[dict] | tuple = (),
    deletes: list[str] | tuple = (),
    timeout: float = WRITE_LOCK_TIMEOUT,
) -> int:
    """Apply one batch (delete pks, then add or replace documents) in a single
    commit. Returns the number of documents written.

    Later documents for the same pk win; the batch is all-or-nothing.
    """
    latest: dict[str, dict] = {}
    for doc in upserts:
        latest[doc["pk"]] = doc
    if not latest and not deletes:
        return 0
    lock = _thread_lock(path)
    if not lock.acquire(timeout=timeout):
        raise WriteTimeout(f"Search index {path} is busy in this process.")
    try:
        ix = open_index(path)
        try:
            writer = ix.writer(timeout=timeout, delay=0.05)
        except LockError as exc:
            raise WriteTimeout(f"Search index {path} is locked by a writer.") from exc
        # An index built before a field existed takes documents without it
        # until `update_index` rebuilds it.
        schema = ix.schema
        try:
            for pk in deletes:
                writer.delete_by_term("pk", pk)
            for doc in latest.values():
                writer.update_document(
                    **{k: v for k, v in doc.items() if k in schema or not _newer(k)}
                )
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return len(latest)
    finally:
        lock.release()


class BulkLoad:
    """Fills a fresh generation (a rebuild) through one writer and one commit.

    Nobody else writes to a new generation and it starts empty, so documents
    are added without the per-document delete lookup of `write`, and chunks
    do not each commit a segment that later merges must rewrite. A document
    whose pk was already added (a model and its subclass both list the row)
    is kept aside and replaces the first one in a second commit, as `write`
    would have. Nothing is visible until `commit`; a crash before it leaves
    an unfinished directory that the next rebuild removes.
    """

    def __init__(self, path: str, *, limitmb: int = 256):
        self.path = path
        self.limitmb = limitmb
        self._writer = None
        self._seen: set[str] = set()
        self._again: dict[str, dict] = {}
        self._deletes: list[str] = []

    def add(self, docs) -> None:
        if self._writer is None:
            ix = FileStorage(os.path.realpath(self.path)).open_index()
            self._writer = ix.writer(limitmb=self.limitmb)
        for doc in docs:
            if doc["pk"] in self._seen:
                self._again[doc["pk"]] = doc
            else:
                self._seen.add(doc["pk"])
                self._writer.add_document(**doc)

    def delete(self, pks) -> None:
        for pk in pks:
            self._again.pop(pk, None)
            if pk in self._seen:
                self._deletes.append(pk)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer = None
        if self._again or self._deletes:
            write(self.path, upserts=list(self._again.values()), deletes=self._deletes)

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None


def _newer(name: str) -> bool:
    """A field added after the first indexes were built (an older index
    takes documents without it; any other unknown field is an error)."""
    return name in (ALL_PAIRS, HEADS, CODES) or name.endswith(BOOLEAN)


def optimize(path: str) -> None:
    """Merge the segments of the index at `path` into one (one segment is
    faster to search); an index that already is one clean segment is left
    as it is."""
    with _thread_lock(path):
        ix = FileStorage(os.path.realpath(path)).open_index()
        segments = ix._segments()
        if len(segments) > 1 or any(seg.has_deletions() for seg in segments):
            ix.optimize()


def new_generation(path: str) -> str:
    """An empty index beside the live one, for a rebuild to fill."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return _new_generation_dir(path)


def swap(path: str, generation_dir: str) -> None:
    """Make `generation_dir` live and remove generations older than the one it
    replaces (a reader in another process may still be on that one)."""
    previous = os.path.realpath(path) if os.path.lexists(path) else None
    _point_link(path, generation_dir)
    keep = {os.path.realpath(generation_dir), previous}
    parent = Path(path).parent
    prefix = Path(path).name + ".g"
    for candidate in parent.glob(prefix + "*"):
        if str(candidate.resolve()) in keep:
            continue
        # A generation still being filled by another rebuild is younger than
        # the one just made live; leave it.
        if candidate.name > Path(generation_dir).name:
            continue
        shutil.rmtree(candidate, ignore_errors=True)


def reset(path: str) -> None:
    """Replace the index with an empty one."""
    swap(path, new_generation(path))
