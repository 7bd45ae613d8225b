"""Search benchmark: 1,000,000 mixed Bangla/English segments in SQLite (and PostgreSQL), against a LIKE scan.

Run:  .venv/bin/python tests/benchmarks/bench_search.py [--segments N] [--keep PATH] [--pg URL] [--no-optimize]

Builds a fresh database with the real migrations (so the real triggers maintain the index while the rows
go in; ``--no-optimize`` leaves the index as the triggers left it instead of merging it as a reindex does),
then times the product's ``transcripts.search.search`` (page of 20 with snippets + total) for every query
class (single words, the 20 commonest, inflected words, =word, phrases, prefixes, OR/NOT, filtered) and
``SELECT … WHERE text LIKE '%word%'`` on the same table. With ``--keep PATH`` an existing database is reused
(build once, iterate); ``--pg URL`` fills (or reuses) a PostgreSQL database with the same rows and measures
it too. Each query is run three times and its median kept; figures are p50/p95 over the queries (wall time;
SQLite's CPU time too, which other load on the machine changes least) and how many times faster than the
LIKE scan. Ends with ours against Lucene's BengaliAnalyzer on the Bangla evaluation set (when a JDK and
Lucene are installed). Prints the load average before and after. Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert, text  # noqa: E402

from radio.db import make_engine, make_session_factory, new_id, utcnow  # noqa: E402
from radio.migrate import load_models, upgrade  # noqa: E402

BANGLA_WORDS = """দালাল পাচার চাকরি বিদেশ টাকা ঋণ পাসপোর্ট মালিক কাজ বাড়ি গ্রাম মেয়ে ছেলে মা বাবা ভাই বোন স্বামী
পুলিশ থানা মামলা সীমান্ত ভারত দুবাই সৌদি মালয়েশিয়া ভিসা এজেন্ট প্রতিশ্রুতি বেতন ঘুষ হুমকি আটক
নির্যাতন উদ্ধার আশ্রয় সাহায্য ফোন নম্বর রাত দিন মাস বছর আমি আমরা তুমি সে তারা বলেছিল বলল গেল আসল
দিয়েছিল নিয়েছিল ভালো খারাপ অনেক কম বেশি এখন তখন কেন কিভাবে কোথায় কখন হ্যাঁ না এবং কিন্তু তারপর
ইটভাটা কারখানা গৃহকর্মী জাহাজ নৌকা বাস ট্রেন ঢাকা নরসিংদী মানিকগঞ্জ সচেতনতা অধিকার আইন আদালত""".split()  # noqa: SIM905 - a word list reads better as text
ENGLISH_WORDS = """broker trafficking job abroad money debt passport owner work home village girl boy mother father
brother sister husband police station case border india dubai saudi malaysia visa agent promise
salary bribe threat detained abuse rescue shelter help phone number night day month year i we you he
they said told went came gave took good bad many few more now then why how where when yes no and but
after brick kiln factory domestic worker ship boat bus train dhaka narsingdi manikganj awareness
rights law court""".split()  # noqa: SIM905 - a word list reads better as text
CONSONANTS = "কখগঘচছজঝটঠডঢণতথদধনপফবভমযরলশষসহ"
VOWEL_SIGNS = ["", "া", "ি", "ী", "ু", "ূ", "ে", "ৈ", "ো", "ৌ"]
DISTRICTS = ["Dhaka", "Narsingdi", "Manikganj"]
KINDS = ["call_in", "interview", "talk", "drama", "psa"]


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Real words first (the frequent ones), then made-up Bangla words with vowel signs and conjuncts."""
    words = list(dict.fromkeys(BANGLA_WORDS + ENGLISH_WORDS))
    seen = set(words)
    while len(words) < size:
        syllables = [rng.choice(CONSONANTS) + ("্" + rng.choice(CONSONANTS) if rng.random() < 0.15 else "")
                     + rng.choice(VOWEL_SIGNS) for _ in range(rng.randint(2, 4))]
        word = "".join(syllables)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


# Endings a real Bangla word takes in the corpus (by its last sound), so plain words expand as in real speech.
AFTER_CONSONANT = ["ের", "েরা", "কে", "দের", "গুলো", "টি", "ে", "ই"]
AFTER_VOWEL = ["র", "কে", "তে", "য়", "রা", "দের", "টি", "ও"]


def inflect(rng: random.Random, word: str) -> str:
    """``word`` or, for a real Bangla word, now and then one of its inflected forms."""
    if word not in INFLECTED or rng.random() >= 0.3:
        return word
    endings = AFTER_VOWEL if word[-1] in "ািীুূেৈোৌ" or word.endswith("য়") else AFTER_CONSONANT
    return word + rng.choice(endings)


INFLECTED = frozenset(w for w in BANGLA_WORDS if len(w) > 1)


def zipf_sampler(rng: random.Random, words: list[str]):
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(words))]
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)

    def sample(k: int) -> list[str]:
        return rng.choices(words, cum_weights=cumulative, k=k)

    return sample


def build(url: str, n_segments: int, per_episode: int = 100, *, optimize: bool = True) -> None:
    """Create the database and fill it."""
    load_models()
    from episodes.models import Episode
    from transcripts.models import Segment, Transcript

    rng = random.Random(20260301)
    forms = random.Random(14)  # a stream of its own: the other draws stay those of earlier versions
    words = vocabulary(rng)
    sample = zipf_sampler(rng, words)
    engine = make_engine(url)
    upgrade(engine)
    sampled = 0  # draws kept from an earlier version (it sampled phrases here): the same seed, the same rows
    n_episodes = max(1, n_segments // per_episode)
    started = time.perf_counter()
    now = utcnow()
    with engine.begin() as conn:
        episodes, transcripts = [], []
        for i in range(n_episodes):
            eid = new_id()
            episodes.append(dict(id=eid, title=" ".join(sample(4)), sha256=f"{i:064x}",
                                 language=rng.choice(["bn", "en"]),
                                 kind=rng.choice(KINDS), campaign=rng.choice(["safe-migration", "awareness"]),
                                 districts=[rng.choice(DISTRICTS)], restricted=rng.random() < 0.2))
            transcripts.append(dict(id=new_id(), episode_id=eid, audio_sha256=f"{i:064x}", model="bench",
                                    model_sha256="0" * 64, params={}, started_at=now, finished_at=now))
        conn.execute(insert(Episode.__table__), episodes)
        conn.execute(insert(Transcript.__table__), transcripts)
    print(f"episodes: {n_episodes} in {time.perf_counter() - started:.1f} s", flush=True)
    batch: list[dict] = []
    done = 0
    for i in range(n_segments):
        ep, tr = episodes[i // per_episode], transcripts[i // per_episode]
        if rng.random() < 0.3:  # an English segment: mostly English words
            text_words = [w for w in sample(30) if w.isascii()][: rng.randint(6, 18)] or ["help"]
        else:
            text_words = [inflect(forms, w) for w in sample(rng.randint(6, 18))]
        if rng.random() < 0.02:
            number = "০১৭" + "".join(rng.choice("০১২৩৪৫৬৭৮৯") for _ in range(8))
            text_words.insert(rng.randrange(len(text_words)), number)
        text_ = " ".join(text_words) + rng.choice(["।", ".", "?", ""])
        if sampled < 200 and rng.random() < 0.001 and len(text_words) > 3:
            sampled += 1
        j = i % per_episode
        batch.append(dict(id=new_id(), transcript_id=tr["id"], episode_id=ep["id"], idx=j, start=j * 5.0,
                          end=j * 5.0 + 4.5, text=text_, machine_text=text_, confidence=0.8))
        if len(batch) == 50_000 or i == n_segments - 1:
            with engine.begin() as conn:
                conn.execute(insert(Segment.__table__), batch)
            done += len(batch)
            batch = []
            rate = done / (time.perf_counter() - started)
            print(f"  segments: {done:,} ({rate:,.0f}/s, index kept by the triggers)", flush=True)
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    if engine.dialect.name == "postgresql":  # the planner's statistics and the GIN pending lists merged
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            if optimize:  # as `radio search --reindex` and the migrations leave it: one b-tree per term
                merge = time.perf_counter()
                for table in ("search_fts", "search_fts_masked"):
                    conn.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
                print(f"index merged ('optimize') in {time.perf_counter() - merge:.0f} s", flush=True)
            conn.execute(text("ANALYZE"))
    engine.dispose()


def timed(fn, repeats: int = 3) -> tuple[float, float]:
    """Median wall time and median CPU time of ``fn`` in milliseconds (CPU time is immune to other load)."""
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def query_classes(words: list[str], phrases: list[str], n: int) -> dict[str, list[tuple[str, Any, Any]]]:
    """The query classes of the table: (query, filters, viewer) each, the same on both databases."""
    from transcripts.search import SearchFilters, Viewer

    admin = Viewer(restricted=True, unredacted=True)
    producer = Viewer(restricted=False, unredacted=False)
    rng = random.Random(7)
    single = rng.sample(words[:5000], n)
    bangla = [w for w in BANGLA_WORDS if w in INFLECTED]
    inflected = []
    for _ in range(n):
        word = rng.choice(bangla)
        endings = AFTER_VOWEL if word[-1] in "ািীুূেৈোৌ" or word.endswith("য়") else AFTER_CONSONANT
        inflected.append(word + rng.choice(endings))
    since = dt.date(2020, 1, 1)
    return {
        "single word (random of top 5,000)": [(w, SearchFilters(), admin) for w in single],
        "single word (20 most common)": [(w, SearchFilters(), admin) for w in words[:20]],
        "20 most common, sort=newest": [(w, SearchFilters(), admin, "newest") for w in words[:20]],
        "inflected Bangla word (দালালের …)": [(w, SearchFilters(), admin) for w in inflected],
        "=word (exact form)": [("=" + w, SearchFilters(), admin) for w in single],
        "phrase (2 words)": [(f'"{p}"', SearchFilters(), admin) for p in phrases[:n]],
        "prefix (3 letters*)": [(w[:3] + "*", SearchFilters(), admin) for w in single[:30]],
        "OR / NOT (2 words)": [(f"{a} {'OR' if i % 2 else 'NOT'} {b}", SearchFilters(), admin)
                               for i, (a, b) in enumerate(zip(single, rng.sample(words[:5000], n), strict=True))],
        "filtered (word + language + kind, producer)": [
            (w, SearchFilters(language="bn", kind="call_in"), producer) for w in single],
        "filtered (word + district + date range)": [
            (w, SearchFilters(district="Narsingdi", date_from=since), admin) for w in single],
    }


def measure(url: str, classes: dict[str, list[tuple[Any, ...]]], like_words: list[str]) -> dict[str, Any]:
    """p50/p95 wall (and CPU) per class on one database, and its LIKE scan's median, in milliseconds."""
    from transcripts.search import search

    engine = make_engine(url)
    sessions = make_session_factory(engine, readonly=True)
    out: dict[str, Any] = {"classes": {}}
    with sessions() as session:
        like = [timed(lambda w=word: session.execute(
            text("SELECT id FROM segments WHERE text LIKE :p"), {"p": f"%{w}%"}).all()) for word in like_words]
        out["like"] = statistics.median(w for w, _ in like)
        for name, queries in classes.items():
            latencies = []
            for query, filters, viewer, *sort in queries:
                def run(q=query, f=filters, v=viewer, o=(sort or ["relevance"])[0]):
                    return search(session, q, f, v, limit=20, sort=o)
                run()  # warm
                latencies.append(timed(run))
            walls, cpus = [w for w, _ in latencies], [c for _, c in latencies]
            out["classes"][name] = (pct(walls, 50), pct(walls, 95), pct(cpus, 95), len(latencies))
            print(f"  {engine.dialect.name:10s} {name:46s} p50 {pct(walls, 50):8.2f}  p95 {pct(walls, 95):8.2f} ms",
                  flush=True)
    engine.dispose()
    return out


def evaluation_line() -> str:
    """Ours against Lucene's BengaliAnalyzer on the Bangla evaluation set (precision, recall, cases passed)."""
    from tests.bangla_search_eval import CASES
    from tests.lucene_bengali import why_unavailable
    from tests.test_bangla_inflection import inflecting, lucene_searcher, score

    ours = score(inflecting)
    line = (f"Bangla evaluation set ({len(CASES)} cases): ours P={ours['precision']:.3f} R={ours['recall']:.3f}"
            f" passed={ours['passed']:.0%}")
    run = lucene_searcher()
    if run is None:
        return line + f"; Lucene BengaliAnalyzer not run: {why_unavailable()}"
    lucene = score(run=run)
    return line + (f"; Lucene BengaliAnalyzer P={lucene['precision']:.3f} R={lucene['recall']:.3f}"
                   f" passed={lucene['passed']:.0%}")


def _prepare(url: str, segments: int, *, optimize: bool) -> None:
    """Build the database at ``url`` unless it holds segments already; bring a kept one to today's schema."""
    load_models()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            has_rows = bool(conn.execute(text("SELECT count(*) FROM segments")).scalar_one())
    except Exception:  # noqa: BLE001 - no schema yet
        has_rows = False
    if has_rows:
        upgrade(engine)  # a new search index is rebuilt by its migration
    engine.dispose()
    if not has_rows:
        build(url, segments, optimize=optimize)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", type=Path, default=None, help="SQLite database file to create (or reuse).")
    parser.add_argument("--pg", default=None, help="A PostgreSQL database URL to fill (or reuse) and measure too.")
    parser.add_argument("--no-optimize", action="store_true", help="Leave the index as the triggers built it.")
    args = parser.parse_args()
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    folder = Path(tempfile.mkdtemp(prefix="bench_search_"))
    path = args.keep or folder / "bench.db"
    url = f"sqlite:///{path}"
    _prepare(url, args.segments, optimize=not args.no_optimize)
    if args.pg:
        _prepare(args.pg, args.segments, optimize=True)
    words = vocabulary(random.Random(20260301))
    with make_engine(url).connect() as conn:  # phrases: words 2-3 of every 10,007th segment
        texts = conn.execute(text("SELECT text FROM segments WHERE rowid % 10007 = 3 LIMIT 100")).scalars()
        phrases = [" ".join(t.split()[1:3]) for t in texts if len(t.split()) > 3]
        n = conn.execute(text("SELECT count(*) FROM segments")).scalar_one()
    print(f"\nSQLite database: {n:,} segments, {path.stat().st_size / 1e6:,.0f} MB (incl. index)", flush=True)
    classes = query_classes(words, phrases, args.queries)
    like_words = random.Random(7).sample(words[:5000], 5)
    results = {"SQLite": measure(url, classes, like_words)}
    if args.pg:
        results["PostgreSQL"] = measure(args.pg, classes, like_words)
    sqlite, pg = results["SQLite"], results.get("PostgreSQL")
    print(f"\nLIKE '%word%' scan (median of 5 words): SQLite {sqlite['like']:.0f} ms"
          + (f", PostgreSQL {pg['like']:.0f} ms" if pg else ""))
    print(f"\n{'class':46s} {'n':>4s} | {'SQLite p50':>10s} {'p95':>7s} {'cpu p95':>7s} {'xLIKE p95':>9s} |"
          f" {'PG p50':>8s} {'p95':>8s} {'xLIKE p95':>9s}")
    for name, (w50, w95, c95, count) in sqlite["classes"].items():
        row = f"{name:46s} {count:4d} | {w50:10.2f} {w95:7.2f} {c95:7.2f} {sqlite['like'] / w95:9.0f} |"
        if pg:
            p50, p95, _c, _n = pg["classes"][name]
            row += f" {p50:8.2f} {p95:8.2f} {pg['like'] / p95:9.0f}"
        else:
            row += f" {'not run (--pg URL)':>27s}"
        print(row, flush=True)
    print("\ngoal: p95 <= 20 ms on SQLite for every class (ms, wall time; each query the median of 3 runs)")
    print(evaluation_line())
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.keep is None:
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
