"""The fast signer against datasketch itself: every signature must be bit-identical.

The references below are written independently of :mod:`dedup.match.fingerprint`'s implementation: content
characters are chosen per character with :mod:`unicodedata`, shingles are sliced as Python strings, and the
sketch is made by ``datasketch.MinHash(scheme="affine32")`` updated one shingle at a time. Only the shingle
hash function is shared, and it is pinned separately against published FNV-1a values.
"""

from __future__ import annotations

import pickle
import unicodedata

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import FingerprintConfig
from dedup.match.fingerprint import (
    Signer,
    content_codepoints,
    permutations,
    shingle_hash,
    shingle_hashes,
    shingle_set,
    to_lean_minhash,
)

EMPTY = np.uint32(0xFFFFFFFF)

# (num_perm, seed): the default, sizes that are not a multiple of the SIMD width, a single permutation,
# and large seeds.
PERM_SEEDS = [(128, 1), (17, 0), (1, 7), (64, 2**31 + 5), (256, 123456789)]

PUNCTUATION = "，。、；：？！“”‘’《》（）【】—…·,.;:?!\"'()[]-/ \n\t\u3000"
ASCII = "abcxyzABCXYZ0123456789"
FULL_WIDTH = "ＡＢＣａｂｃ０１２３"

# Mixed Chinese news-like text: common Han, rare Han outside the BMP (UTF-32 has no surrogate pairs, but
# a str-based implementation might), ASCII, full-width letters and digits, punctuation and whitespace.
chars = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40),  # few distinct Han: repeated shingles
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
    st.sampled_from(ASCII + FULL_WIDTH + PUNCTUATION),
)
texts = st.text(alphabet=chars, max_size=120)
ngrams = st.sampled_from([1, 2, 3, 5, 8])


def is_content(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def reference_shingles(text: str, n: int) -> list[str]:
    """Shingles as strings, sliced from the content characters chosen one by one."""
    content = "".join(c for c in text if is_content(c))
    if not content:
        return []
    if len(content) < n:
        return [content]
    return [content[i : i + n] for i in range(len(content) - n + 1)]


def reference_minhash(text: str, n: int, num_perm: int, seed: int) -> MinHash:
    """What a datasketch user would write: one ``update`` per shingle's UTF-32-LE bytes."""
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash, scheme="affine32")
    for shingle in reference_shingles(text, n):
        m.update(shingle.encode("utf-32-le"))
    return m


def csr(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum([a.size for a in arrays], out=offsets[1:])
    flat = np.concatenate(arrays) if arrays else np.empty(0, dtype=np.uint32)
    return flat.astype(np.uint32), offsets


# --------------------------------------------------------------------------------------------------
# Content characters
# --------------------------------------------------------------------------------------------------


def test_content_codepoints_drops_punctuation_and_whitespace() -> None:
    assert "".join(map(chr, content_codepoints("召开，十二届 十次"))) == "召开十二届十次"
    assert (
        "".join(map(chr, content_codepoints("（新华社记者 兰红光摄）\n１２月３１日")))
        == "新华社记者兰红光摄１２月３１日"
    )
    assert content_codepoints("，。、！？ \u3000\n“”《》").size == 0
    assert content_codepoints("").dtype == np.uint32


def test_content_codepoints_skips_lone_surrogates() -> None:
    # Text decoded with errors="surrogateescape" carries lone surrogates; they must not raise.
    assert "".join(map(chr, content_codepoints("召\udc80开"))) == "召开"


@given(st.text(max_size=200))
def test_content_codepoints_matches_unicodedata_per_character(text: str) -> None:
    got = content_codepoints(text)
    assert got.dtype == np.uint32
    assert "".join(map(chr, got)) == "".join(c for c in text if is_content(c))


def test_punctuation_variants_shingle_identically() -> None:
    a = "中共中央总书记、国家主席江泽民发表1998年新年讲话《迈向充满希望的新世纪》。"
    b = "中共中央总书记，国家主席江泽民发表 1998 年新年讲话“迈向充满希望的新世纪”."
    c = "中共中央总书记国家主席江泽民发表1999年新年讲话迈向充满希望的新世纪"
    assert np.array_equal(shingle_set(a, 5), shingle_set(b, 5))
    assert not np.array_equal(shingle_set(a, 5), shingle_set(c, 5))  # a changed digit is content


# --------------------------------------------------------------------------------------------------
# Shingle hashes
# --------------------------------------------------------------------------------------------------


def test_shingle_hash_matches_published_fnv1a_vectors() -> None:
    # A single word below 256 is one FNV-1a byte step: FNV-1a-32("a") = 0xE40C292C.
    assert shingle_hash("a".encode("utf-32-le")) == 0xE40C292C
    assert shingle_hash(b"") == 0x811C9DC5
    # Two words, by hand: each whole 32-bit word is xored in, then multiplied.
    h = ((0x811C9DC5 ^ 0x53EC) * 0x01000193) % 2**32  # 召 U+53EC
    h = ((h ^ 0x5F00) * 0x01000193) % 2**32  # 开 U+5F00
    assert shingle_hash("召开".encode("utf-32-le")) == h


def test_shingle_hash_rejects_partial_words() -> None:
    with pytest.raises(ValueError, match="utf-32-le"):
        shingle_hash("召开".encode())


@given(st.lists(st.integers(0, 2**32 - 1), max_size=60), st.integers(1, 12))
def test_shingle_hashes_match_shingle_hash_per_ngram(words: list[int], n: int) -> None:
    cps = np.array(words, dtype=np.uint32)
    got = shingle_hashes(cps, n)
    if not words:
        expected: list[int] = []
    elif len(words) < n:
        expected = [shingle_hash(cps.astype("<u4").tobytes())]
    else:
        expected = [shingle_hash(cps[i : i + n].astype("<u4").tobytes()) for i in range(len(words) - n + 1)]
    assert got.dtype == np.uint32
    assert got.tolist() == expected


@given(texts, ngrams)
def test_shingle_hashes_of_text_match_string_shingles(text: str, n: int) -> None:
    got = shingle_hashes(content_codepoints(text), n)
    assert got.tolist() == [shingle_hash(s.encode("utf-32-le")) for s in reference_shingles(text, n)]


@given(texts, ngrams)
def test_shingle_set_is_sorted_unique_set_of_shingles(text: str, n: int) -> None:
    got = shingle_set(text, n)
    expected = sorted({shingle_hash(s.encode("utf-32-le")) for s in reference_shingles(text, n)})
    assert got.dtype == np.uint32
    assert got.tolist() == expected


def test_shingle_hashes_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        shingle_hashes(np.arange(5, dtype=np.uint32), 0)
    with pytest.raises(ValueError, match="uint32"):
        shingle_hashes(np.array([-1, 2]), 2)
    with pytest.raises(TypeError, match="integer"):
        shingle_hashes(np.array([1.5]), 2)


# --------------------------------------------------------------------------------------------------
# Permutations and signatures
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("num_perm", "seed"), PERM_SEEDS)
def test_permutations_equal_datasketch(num_perm: int, seed: int) -> None:
    a, b = permutations(num_perm, seed)
    ref_a, ref_b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, ref_a)
    assert np.array_equal(b, ref_b)


def test_permutations_differ_by_seed() -> None:
    assert not np.array_equal(permutations(8, 1)[0], permutations(8, 2)[0])


@pytest.mark.parametrize(("num_perm", "seed"), PERM_SEEDS)
@settings(max_examples=40, deadline=None)
@given(batch=st.lists(texts, max_size=6), n=ngrams)
def test_signatures_are_bit_identical_to_datasketch(num_perm: int, seed: int, batch: list[str], n: int) -> None:
    signer = Signer(FingerprintConfig(ngram=n, num_perm=num_perm, seed=seed))
    expected = np.array([reference_minhash(t, n, num_perm, seed).hashvalues for t in batch], dtype=np.uint32).reshape(
        len(batch), num_perm
    )

    hashes, offsets = csr([shingle_hashes(content_codepoints(t), n) for t in batch])
    by_sets = signer.sign_many(hashes, offsets)
    by_texts = signer.sign_texts(batch)

    assert by_sets.dtype == by_texts.dtype == np.uint32
    assert by_sets.shape == by_texts.shape == (len(batch), num_perm)
    np.testing.assert_array_equal(by_sets, expected)
    np.testing.assert_array_equal(by_texts, expected)
    for text, row in zip(batch, expected, strict=True):
        np.testing.assert_array_equal(signer.sign(shingle_hashes(content_codepoints(text), n)), row)


def test_long_batches_over_many_chunks_are_identical_to_datasketch() -> None:
    # Hundreds of texts of very different lengths: exercises the chunking and scratch reuse of sign_texts
    # and the thread split of sign_many on realistic lengths.
    rng = np.random.default_rng(0)
    han = np.arange(0x4E00, 0x4E00 + 3000)
    batch = []
    for i in range(300):
        size = int(rng.integers(0, 400)) if i % 7 else 0
        text = "".join(map(chr, rng.choice(han, size)))
        batch.append(text[: size // 2] + "，" + text[size // 2 :])
    signer = Signer()
    expected = np.array([reference_minhash(t, 5, 128, 1).hashvalues for t in batch], dtype=np.uint32)
    hashes, offsets = csr([shingle_hashes(content_codepoints(t), 5) for t in batch])
    np.testing.assert_array_equal(signer.sign_texts(batch), expected)
    np.testing.assert_array_equal(signer.sign_many(hashes, offsets), expected)


def test_empty_sets_give_the_empty_datasketch_sketch() -> None:
    signer = Signer(FingerprintConfig(num_perm=32))
    empty = MinHash(num_perm=32, scheme="affine32")
    assert empty.is_empty()
    np.testing.assert_array_equal(signer.sign(np.empty(0, dtype=np.uint32)), empty.hashvalues)
    assert (signer.sign_texts(["", "，。、 ！"]) == EMPTY).all()
    rows = signer.sign_many(np.array([5, 6, 7], dtype=np.uint32), np.array([0, 0, 3, 3]))
    assert (rows[0] == EMPTY).all() and (rows[2] == EMPTY).all()
    assert not (rows[1] == EMPTY).all()
    assert signer.sign_texts([]).shape == (0, 32)
    assert signer.sign_many(np.empty(0, dtype=np.uint32), np.array([0])).shape == (0, 32)


def test_sign_many_rejects_bad_offsets() -> None:
    signer = Signer()
    hashes = np.arange(4, dtype=np.uint32)
    for bad in ([], [0, 5], [0, 3, 2], [-1, 2]):
        with pytest.raises(ValueError, match="offsets"):
            signer.sign_many(hashes, np.array(bad, dtype=np.int64))


@pytest.mark.parametrize(
    ("config", "setting"),
    [
        (FingerprintConfig(scheme="legacy"), "scheme"),
        (FingerprintConfig(hash="sha1"), "hash"),
        (FingerprintConfig(ngram=0), "ngram"),
        (FingerprintConfig(num_perm=0), "num_perm"),
    ],
)
def test_signer_rejects_settings_it_does_not_implement(config: FingerprintConfig, setting: str) -> None:
    with pytest.raises(ValueError, match=f"FingerprintConfig.{setting}"):
        Signer(config)


def test_permutation_parameters_are_read_only() -> None:
    signer = Signer()
    with pytest.raises(ValueError, match="read-only"):
        signer.a[0] = 1


# --------------------------------------------------------------------------------------------------
# Interoperation with datasketch objects
# --------------------------------------------------------------------------------------------------

STORY = (
    "新华社北京12月31日电 中共中央总书记、国家主席江泽民今天发表1998年新年讲话，"
    "向全国各族人民，向香港特别行政区同胞、澳门和台湾同胞、海外侨胞，向世界各国的朋友们致以诚挚的问候和良好的祝愿。"
    "他说，1997年是中国发展历史上非常重要的很不平凡的一年，中国人民决心继承邓小平同志的遗志，"
    "继续把建设有中国特色社会主义事业全面推向二十一世纪。"
)
REPRINT = (
    "本报北京12月31日讯：中共中央总书记，国家主席江泽民今天发表1998年新年讲话,"
    "向全国各族人民、向香港特别行政区同胞，澳门和台湾同胞，海外侨胞、向世界各国的朋友们致以诚挚的问候和良好的祝愿!"
    "他说:1997年是中国发展历史上非常重要的很不平凡的一年，中国人民决心继承邓小平同志的遗志，"
    "继续把建设有中国特色社会主义事业全面推向二十一世纪"
)
OTHER = (
    "据悉，在97中国旅游年基础上推出的98华夏城乡游，将分古城新貌和乡村旅游两个专题，"
    "向海内外游客全面展示改革开放20年来我国城乡的巨变。各地旅游部门正积极筹备，推出一批新的旅游线路和产品。"
)


def exact_jaccard(a: str, b: str) -> float:
    sa, sb = shingle_set(a, 5), shingle_set(b, 5)
    return np.intersect1d(sa, sb).size / np.union1d(sa, sb).size


def test_to_lean_minhash_round_trips_and_equals_datasketch() -> None:
    signature = Signer().sign_texts([STORY])[0]
    lean = to_lean_minhash(signature, seed=1)
    assert isinstance(lean, LeanMinHash)
    assert lean.scheme == "affine32" and lean.seed == 1
    np.testing.assert_array_equal(lean.hashvalues, signature)
    assert lean == LeanMinHash(reference_minhash(STORY, 5, 128, 1))
    buf = bytearray(lean.bytesize())
    lean.serialize(buf)
    assert LeanMinHash.deserialize(buf) == lean
    assert pickle.loads(pickle.dumps(lean)) == lean
    # A sketch of the same shingles made by datasketch compares as identical.
    assert lean.jaccard(reference_minhash(STORY, 5, 128, 1)) == 1.0


def test_lean_minhash_jaccard_separates_reprints_from_unrelated_text() -> None:
    story, reprint, other = Signer().sign_texts([STORY, REPRINT, OTHER])
    near = to_lean_minhash(story, 1).jaccard(to_lean_minhash(reprint, 1))
    far = to_lean_minhash(story, 1).jaccard(to_lean_minhash(other, 1))
    assert near > 0.7, near
    assert far < 0.1, far
    # The estimate tracks the exact Jaccard of the shingle sets (128 permutations: sd about 0.04).
    assert abs(near - exact_jaccard(STORY, REPRINT)) < 0.15


def test_lean_minhashes_work_in_minhash_lsh() -> None:
    signer = Signer()
    story, reprint, other = signer.sign_texts([STORY, REPRINT, OTHER])
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    lsh.insert("story", to_lean_minhash(story, 1))
    lsh.insert("other", to_lean_minhash(other, 1))
    assert lsh.query(to_lean_minhash(reprint, 1)) == ["story"]


def test_to_lean_minhash_rejects_empty_signature() -> None:
    with pytest.raises(ValueError, match="empty"):
        to_lean_minhash(np.empty(0, dtype=np.uint32), seed=1)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(alphabet="新华社记者报道，。各地干部担当作为ab12 ", max_size=40), max_size=12), st.integers(1, 6)
)
def test_shingle_sets_equal_the_unique_hashes_of_each_text(texts: list[str], n: int) -> None:
    from dedup.match.fingerprint import shingle_sets

    sets, offsets = shingle_sets(texts, n)
    assert offsets.size == len(texts) + 1
    for k, text in enumerate(texts):
        expected = np.unique(shingle_hashes(content_codepoints(text), n))
        assert np.array_equal(sets[offsets[k] : offsets[k + 1]], expected)
