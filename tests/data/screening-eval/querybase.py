"""Shared machinery of the query makers: picking parties, the label checks, emitting."""

from checks import KOREAN, PINYIN, STEMS, NearBrands, segmentable
from names import fold, token_key, words

QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def neighbours(ch):
    low = ch.lower()
    for r, row in enumerate(QWERTY):
        c = row.find(low)
        if c < 0:
            continue
        near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
        for rr in (r - 1, r + 1):
            if 0 <= rr < len(QWERTY):
                near += [QWERTY[rr][i] for i in (c - 1, c) if 0 <= i < len(QWERTY[rr])]
        return [n.upper() if ch.isupper() else n for n in near]
    return []


def typo_word(rng, word):
    """One keyboard slip, dropped, doubled or swapped letter; None if the word is too short."""
    letters = [i for i, c in enumerate(word) if c.isascii() and c.isalpha()]
    if len(letters) < 4:
        return None
    inner = [i for i in letters if i > 0] if rng.random() < 0.85 else letters
    i = rng.choice(inner)
    op = rng.choice(["slip", "slip", "drop", "double", "swap", "insert"])
    if op == "slip":
        near = neighbours(word[i])
        return word[:i] + rng.choice(near) + word[i + 1:] if near else None
    if op == "drop":
        return word[:i] + word[i + 1:]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    if op == "insert":
        near = neighbours(word[i])
        return word[:i + 1] + rng.choice(near) + word[i + 1:] if near else None
    j = i + 1
    if j >= len(word) or not word[j].isalpha() or word[i].lower() == word[j].lower():
        return None
    return word[:i] + word[j] + word[i] + word[j + 1:]


class Base:
    def __init__(self, rng, listing):
        self.rng = rng
        self.L = listing
        self.near_brands = NearBrands(listing)
        self.queries = []
        self.seen = set()
        self.used = set()
        self.pools = {}
        for rec in listing.parties:
            culture = self.culture_of(rec)
            self.pools.setdefault((rec["kind"], culture), []).append(rec["pid"])

    @staticmethod
    def culture_of(rec):
        for key in ("person", "org"):
            if key in rec:
                return rec[key]["culture"]
        return rec["kind"]

    def pick(self, weights, category):
        """A party id from the weighted (kind, culture) pools, not yet used in category."""
        pools = [(k, w) for k, w in weights if self.pools.get(k)]
        for _ in range(50):
            x = self.rng.uniform(0, sum(w for _, w in pools))
            for key, w in pools:
                x -= w
                if x <= 0:
                    break
            pid = self.rng.choice(self.pools[key])
            if (category, pid) not in self.used:
                return pid
        return None

    # ---------------------------------------------------------------- label checks
    def own_folds(self, pid):
        return {fold(n["name"]) for n in self.L.get(pid)["names"]}

    def true_ok(self, pid, text, allow_listed=False):
        """The text refers to pid only, and (unless alias) is not literally a listed name."""
        f = fold(text)
        if not f:
            return False
        hits = self.L.by_fold.get(f, set()) | self.L.by_tokens.get(token_key(text), set())
        if not hits <= {pid}:
            return False
        return allow_listed or f not in self.own_folds(pid)

    def false_ok(self, text):
        return bool(fold(text)) and fold(text) not in self.L.by_fold \
            and token_key(text) not in self.L.by_tokens

    def fresh_token(self, token, syllabic=None):
        """An edited token must not be a known name word nor read as syllables/stems."""
        for w in words(token):
            if w in self.L.vocab:
                return False
            if syllabic == "zh" and segmentable(w, PINYIN):
                return False
            if syllabic == "ko" and segmentable(w, KOREAN):
                return False
            if syllabic == "stem" and segmentable(w, STEMS):
                return False
        return True

    # ---------------------------------------------------------------------- output
    def styled(self, text, plain=False):
        if plain:
            return text
        r = self.rng.random()
        return text.upper() if r < 0.25 else text.lower() if r < 0.33 else text

    def emit(self, category, text, expected, entity_type, country, plain=False):
        key = (category, fold(text))
        if key in self.seen:
            return False
        self.seen.add(key)
        q = dict(query=self.styled(text, plain), category=category, expected=expected)
        if self.rng.random() < 0.4:
            q["entity_type"] = entity_type
        if country and self.rng.random() < 0.35:
            q["country"] = country
        self.queries.append(q)
        for pid in expected:
            self.used.add((category, pid))
        return True

    def emit_true(self, category, pid, text, plain=False):
        rec = self.L.get(pid)
        return self.emit(category, text, [pid], rec["kind"], rec["countries"][0], plain)

    def run(self, category, maker, count, attempts=60):
        made = 0
        for _ in range(count * attempts):
            if made >= count:
                break
            if maker():
                made += 1
        return made
