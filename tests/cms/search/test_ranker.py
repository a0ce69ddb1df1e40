"""The fast path for term-only queries scores exactly as Whoosh does, and the
rebuild's bulk loader keeps one document per object."""

import pytest
from whoosh import query as wq

from cms.search import ranker, store
from cms.search.analysis import fold, pair, words
from cms.search.compiler import WhooshQueryBuilder
from cms.search.documents import FieldSpec

TITLES = [
    "Mật ong bạc hà Đồng Văn",
    "Mứt gừng mật ong",
    "Nước mắm cá cơm Cẩm Thanh",
    "Nước mắm nhĩ Phan Thiết",
    "Dứa Hướng Đạo",
    "Dừa sáp Cầu Kè",
    "Dưa lưới Tây Ninh",
    "Trà sâm dứa",
    "Cá cơm khô",
]


def document(pk, title, text=""):
    body = f"{title}\n{text}"
    folded = [fold(w) for w in words(title)]
    return {
        "pk": str(pk),
        "ct": "market.productpage",
        "title__f": title,
        "title__x": title,
        store.ALL_TEXT: body,
        store.ALL_EXACT: body,
        store.ALL_PAIRS: body,
        store.HEADS: pair(*folded[:2]),
    }


@pytest.fixture
def searcher(tmp_path):
    path = str(tmp_path / "market.productpage")
    store.write(
        path,
        upserts=[document(i, t, "ngon, sạch") for i, t in enumerate(TITLES, 1)],
    )
    # A second commit: two segments and a deleted document, as a live index has.
    store.write(path, upserts=[document(3, TITLES[2], "ủ chượp 12 tháng")])
    return store.searcher(path)


def queries(searcher):
    specs = (
        FieldSpec(path="title", top="title", boost=2.0),
        FieldSpec(path="body", top="body", boost=1.0),
    )
    builder = WhooshQueryBuilder(
        specs, reader=searcher.reader(), catch_all=True, pairs=True
    )
    for text in ["mat ong", "nuoc mam ca com", "dứa", "ca", "dua luoi tay ninh"]:
        yield text, builder.plain_text(text, "and", 1.0)
        yield text + " (or)", builder.plain_text(text, "or", 1.0)
    yield (
        "not",
        wq.AndNot(wq.Term(store.ALL_TEXT, "nuoc"), wq.Term(store.ALL_TEXT, "nhi")),
    )


@pytest.mark.django_db  # building a query reads the admin's synonym rows
def test_term_queries_score_as_whoosh_scores_them(searcher):
    tables = ranker.ScoreTables(searcher)
    for label, query in queries(searcher):
        assert ranker.supported(query), label
        ours = ranker.best(ranker.evaluate(query, tables), None)
        theirs = searcher.search(query, limit=None, terms=False).top_n
        assert [doc for _s, doc in ours] == [doc for _s, doc in theirs], label
        for (a, _), (b, _) in zip(ours, theirs, strict=True):
            assert a == pytest.approx(b), label


def test_a_phrase_is_left_to_whoosh(searcher):
    assert not ranker.supported(wq.Phrase(store.ALL_TEXT, ["nuoc", "mam"]))
    with pytest.raises(ranker.Unsupported):
        ranker.evaluate(wq.Prefix("title__f", "nu"), ranker.ScoreTables(searcher))


def test_the_score_cache_stays_within_its_budget(searcher):
    tables = ranker.ScoreTables(searcher, budget=12)
    tables.get(store.ALL_TEXT, "ngon")  # in all 9 documents
    tables.get(store.ALL_TEXT, "dua")  # 4 more: over budget, "ngon" goes
    assert list(tables._tables) == [(store.ALL_TEXT, "dua")]
    assert tables.size <= 12


def test_a_rebuild_keeps_one_document_per_object_and_the_last_one_wins(tmp_path):
    path = store.new_generation(str(tmp_path / "market.productpage"))
    bulk = store.BulkLoad(path)
    bulk.add([document(1, "Dứa Hướng Đạo"), document(2, "Dừa sáp")])
    bulk.add([document(1, "Dứa Hướng Đạo loại 1")])
    bulk.commit()
    searcher = store.FileStorage(path).open_index().searcher()
    stored = sorted(searcher.all_stored_fields(), key=lambda fields: fields["pk"])
    assert [fields["pk"] for fields in stored] == ["1", "2"]
    found = searcher.search(wq.Term("title__f", "loai"), terms=False)
    assert [searcher.stored_fields(d)["pk"] for _s, d in found.top_n] == ["1"]
