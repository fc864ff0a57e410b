"""Romanisation of Russian, Ukrainian and Belarusian Cyrillic, several systems each.

Every system is a letter table plus the few context rules that distinguish real systems
(initial/after-vowel iotated vowels, -ий/-ый endings). Names are created in Cyrillic and
every Latin spelling in the set comes from these tables, so the original-script and
transliteration queries are consistent with the listed names by construction.
"""

VOWELS = set("аеёиоуыэюяіїєў")
SIGNS = set("ьъ'")

_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "з": "z", "и": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "ы": "y", "э": "e", "ь": "", "ъ": "", "'": "", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch",
}

# Russian: BGN/PCGN, ICAO 9303 (passports since 2014), common English, German (Duden),
# informal (x -> h, as many companies write their own names).
RU = {
    "bgn": dict(_COMMON, й="y", е=("ye", "e"), ё=("ye", "e"), ю="yu", я="ya",
                ends={"ий": "iy", "ый": "yy"}),
    "icao": dict(_COMMON, й="i", ъ="ie", е="e", ё="e", ю="iu", я="ia",
                 ends={"ий": "ii", "ый": "yi"}),
    "en": dict(_COMMON, й="y", е=("ye", "e"), ё=("yo", "yo"), ю="yu", я="ya",
               ends={"ий": "y", "ый": "y", "ия": "ia"}, pairs={"кс": "x"}),
    "de": dict(_COMMON, в="w", з="s", ж="sch", х="ch", ц="z", ч="tsch", ш="sch", щ="schtsch",
               й="i", е=("je", "e"), ё=("jo", "jo"), ю="ju", я="ja", ends={"ий": "i", "ый": "y"},
               pairs={"кс": "x"}),
    "informal": dict(_COMMON, х="h", щ="sch", й="y", е="e", ё="e", ю="yu", я="ya",
                     ends={"ий": "iy", "ый": "iy"}),
}

UK = {
    "kmu": dict(_COMMON, г="h", ґ="g", и="y", і="i", ї=("yi", "i"), є=("ye", "ie"), е="e",
                й=("y", "i"), ю=("yu", "iu"), я=("ya", "ia"), pairs={"зг": "zgh"},
                initial_only=True),
    "bgn": dict(_COMMON, г="h", ґ="g", и="y", і="i", ї="yi", є="ye", е="e", й="y", ю="yu",
                я="ya"),
    "de": dict(_COMMON, в="w", з="s", ж="sch", х="ch", ц="z", ч="tsch", ш="sch", щ="schtsch",
               г="h", ґ="g", и="y", і="i", ї="ji", є="je", е="e", й="j", ю="ju", я="ja"),
}

BE = {
    "bgn": dict(_COMMON, г="h", і="i", ў="w", е=("ye", "e"), ё=("yo", "yo"), й="y", ю="yu",
                я="ya"),
    "icao": dict(_COMMON, г="h", і="i", ў="u", е=("ye", "e"), ё=("io", "io"), й="i",
                 ю=("yu", "iu"), я=("ya", "ia")),
}

SYSTEMS = {"ru": RU, "uk": UK, "be": BE}


def _letter(table, word, i):
    """The Latin for word[i], honouring initial/after-vowel forms; None if consumed."""
    ch = word[i]
    rule = table.get(ch, ch)
    if isinstance(rule, tuple):
        prev = word[i - 1] if i > 0 else ""
        iotated = i == 0 or (not table.get("initial_only") and (prev in VOWELS or prev in SIGNS))
        return rule[0] if iotated else rule[1]
    return rule


def _word(table, word):
    lower = word.lower()
    ends = table.get("ends", {})
    pairs = table.get("pairs", {})
    tail = ""
    for suffix, latin in ends.items():
        if lower.endswith(suffix) and len(lower) > len(suffix) + 1:
            lower, tail = lower[: -len(suffix)], latin
            break
    out = []
    i = 0
    while i < len(lower):
        pair = lower[i : i + 2]
        if pair in pairs:
            out.append(pairs[pair])
            i += 2
            continue
        out.append(_letter(table, lower, i))
        i += 1
    latin = "".join(out) + tail
    if word[:1].isupper():
        latin = latin[:1].upper() + latin[1:]
    if word.isupper() and len(word) > 1:
        latin = latin.upper()
    return latin


def romanise(text, lang, system):
    """Romanise Cyrillic `text` word by word; other characters pass through."""
    table = SYSTEMS[lang][system]
    out, word = [], []
    for ch in text + " ":
        if ch.isalpha() or ch == "'":
            word.append(ch)
            continue
        if word:
            out.append(_word(table, "".join(word)))
            word = []
        out.append(ch)
    return "".join(out)[:-1]


def systems(lang):
    return list(SYSTEMS[lang])
