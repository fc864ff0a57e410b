#!/usr/bin/env python3
"""Independent evaluation set for name screening: listed parties and labelled queries.

    python3 generate.py            # writes parties.jsonl and queries.jsonl next to this file
    python3 generate.py --check    # checks the written files and prints counts per split

Standard library only, fixed seed: two runs write byte-identical files. Written without
reference to the scorer; see README.md for the categories and the tune/holdout rule.
"""

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import orgs as OG  # noqa: E402
import people as PE  # noqa: E402
from listing import (Listing, aircraft_record, org_record, person_record,  # noqa: E402
                     vessel_record)
from lookalikes import Lookalikes  # noqa: E402
from names import fold, token_key  # noqa: E402

SEED = 20261206
N_VESSELS = 600
N_AIRCRAFT = 300
TRUE_CATEGORIES = ["typo", "transliteration", "original_script", "reordering", "dropped_part",
                   "added_part", "abbreviation", "legal_form", "alias"]
FALSE_CATEGORIES = ["lookalike_generic", "lookalike_surname", "lookalike_chinese",
                    "lookalike_stem", "unlisted"]
COUNTS = {**{c: 300 for c in TRUE_CATEGORIES}, **{c: 260 for c in FALSE_CATEGORIES}}
MIN_PER_CATEGORY = 150


def collides(listing, rec):
    texts = [n["name"] for n in rec["names"] if n["kind"] != "weak_alias"] + rec["renderings"]
    return any(listing.by_fold.get(fold(t)) or listing.by_tokens.get(token_key(t))
               for t in texts)


def make_record(rng, listing, kind, culture):
    if kind == "person":
        person = PE.MAKERS[culture](rng)
        return person_record(rng, person) if listing.person_free(person) else None
    if kind == "organisation":
        org = OG.make_org(rng, culture)
        if not listing.brand_free(org["brand"]) or listing.brand_overlaps(org["brand"]):
            return None
        return org_record(rng, listing, org)
    if kind == "vessel":
        return vessel_record(rng, OG.make_vessel(rng))
    return aircraft_record(rng, OG.make_aircraft(rng))


def build_listing(rng):
    listing = Listing(rng)
    tasks = [("person", c) for c, n in PE.PERSON_MIX for _ in range(n)]
    tasks += [("organisation", c) for c, n in OG.ORG_MIX for _ in range(n)]
    tasks += [("vessel", "vessel")] * N_VESSELS + [("aircraft", "aircraft")] * N_AIRCRAFT
    rng.shuffle(tasks)
    for kind, culture in tasks:
        for _ in range(40):
            rec = make_record(rng, listing, kind, culture)
            if rec is not None and not collides(listing, rec):
                listing.add(rec)
                break
    return listing


def party_json(rec):
    out = {"id": rec["pid"], "entity_type": rec["kind"], "names": rec["names"],
           "countries": rec["countries"]}
    for key in ("addresses", "identifiers", "birth_dates"):
        if rec.get(key):
            out[key] = rec[key]
    return out


def assign_splits(rows):
    """Per category, the half with the smaller SHA-256 of the qid is `tune`, the rest
    `holdout`: deterministic, independent of content, and exactly balanced."""
    by_category = {}
    for row in rows:
        by_category.setdefault(row["category"], []).append(row)
    splits = {}
    for members in by_category.values():
        ranked = sorted(members, key=lambda r: hashlib.sha256(r["qid"].encode()).hexdigest())
        for rank, row in enumerate(ranked):
            splits[row["qid"]] = "tune" if rank < (len(ranked) + 1) // 2 else "holdout"
    return splits


def make_queries(rng, listing):
    maker = Lookalikes(rng, listing)
    made = {}
    for category in TRUE_CATEGORIES + FALSE_CATEGORIES:
        made[category] = maker.run(category, getattr(maker, category), COUNTS[category])
    queries = maker.queries
    rng.shuffle(queries)
    out = []
    for i, q in enumerate(queries, 1):
        qid = f"Q{i:05d}"
        row = {"qid": qid, "query": q["query"]}
        for key in ("entity_type", "country"):
            if key in q:
                row[key] = q[key]
        row.update(category=q["category"], expected=q["expected"])
        out.append(row)
    splits = assign_splits(out)
    for row in out:
        row["split"] = splits[row["qid"]]
    return out, made


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(", ", ": ")) + "\n")


def generate(out_dir):
    rng = random.Random(SEED)
    listing = build_listing(rng)
    queries, made = make_queries(rng, listing)
    write_jsonl(out_dir / "parties.jsonl", [party_json(r) for r in listing.parties])
    write_jsonl(out_dir / "queries.jsonl", queries)
    print(f"{len(listing.parties)} parties, {len(queries)} queries")
    for category, n in made.items():
        if n < COUNTS[category]:
            print(f"  {category}: {n} of {COUNTS[category]} wanted")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def check(out_dir):
    parties = read_jsonl(out_dir / "parties.jsonl")
    queries = read_jsonl(out_dir / "queries.jsonl")
    problems = []
    ids = [p["id"] for p in parties]
    if len(set(ids)) != len(ids):
        problems.append("duplicate party ids")
    listed_folds = {}
    for p in parties:
        for n in p["names"]:
            listed_folds.setdefault(fold(n["name"]), set()).add(p["id"])
    by_text = {}
    qids = [q["qid"] for q in queries]
    if len(set(qids)) != len(qids):
        problems.append("duplicate qids")
    known = set(ids)
    counts = Counter()
    splits = assign_splits(queries)
    for q in queries:
        counts[(q["category"], q["split"])] += 1
        if q["split"] != splits[q["qid"]]:
            problems.append(f"{q['qid']}: split is not the one the qid hash gives")
        missing = [e for e in q["expected"] if e not in known]
        if missing:
            problems.append(f"{q['qid']}: expected ids not listed: {missing}")
        if q["category"] in FALSE_CATEGORIES:
            if q["expected"]:
                problems.append(f"{q['qid']}: look-alike with expected ids")
            if fold(q["query"]) in listed_folds:
                problems.append(f"{q['qid']}: look-alike equals a listed name: {q['query']}")
        elif q["category"] in TRUE_CATEGORIES:
            if len(q["expected"]) != 1:
                problems.append(f"{q['qid']}: true variant without exactly one expected id")
            if not listed_folds.get(fold(q["query"]), set()) <= set(q["expected"]):
                problems.append(f"{q['qid']}: equals another party's name: {q['query']}")
        else:
            problems.append(f"{q['qid']}: unknown category {q['category']}")
        by_text.setdefault(fold(q["query"]), set()).add(tuple(q["expected"]))
    for text, labels in by_text.items():
        if len(labels) > 1:
            problems.append(f"the same query text is labelled differently: {text}")
    print(f"parties: {len(parties)}  queries: {len(queries)}")
    print("| category | tune | holdout | total |\n|---|---:|---:|---:|")
    for category in TRUE_CATEGORIES + FALSE_CATEGORIES:
        tune, hold = counts[(category, "tune")], counts[(category, "holdout")]
        print(f"| {category} | {tune} | {hold} | {tune + hold} |")
        if tune + hold < MIN_PER_CATEGORY:
            problems.append(f"{category}: only {tune + hold} queries")
    total_t = sum(v for (c, s), v in counts.items() if s == "tune")
    print(f"| **all** | {total_t} | {len(queries) - total_t} | {len(queries)} |")
    if len(parties) < 20000 or len(queries) < 3000:
        problems.append("fewer than 20,000 parties or 3,000 queries")
    for p in problems[:50]:
        print("PROBLEM:", p)
    print("check:", "FAILED" if problems else "ok")
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="check the written files")
    ap.add_argument("--out", type=Path, default=HERE, help="output directory")
    args = ap.parse_args()
    if args.check:
        sys.exit(0 if check(args.out) else 1)
    generate(args.out)


if __name__ == "__main__":
    main()
