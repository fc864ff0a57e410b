"""Person generators, one per naming culture. Each returns the structured person (parts,
listed spelling choice per part, order) without id, names or attributes."""

import tables_people as TP
import translit
from names import ascii_fold, german_fold, part, variant_forms

CYR_PRIMARY = {"ru": [("bgn", 40), ("icao", 25), ("en", 25), ("informal", 10)],
               "uk": [("kmu", 70), ("bgn", 30)], "be": [("icao", 60), ("bgn", 40)]}
CYR_TABLES = {
    "ru": (list(dict(TP.RU_MALE).items()), TP.RU_FEMALE, TP.RU_SURNAMES),
    "uk": (TP.UK_MALE, TP.UK_FEMALE, TP.UK_SURNAMES),
    "be": (TP.BE_MALE, TP.BE_FEMALE, TP.BE_SURNAMES),
}
CULTURE_COUNTRIES = {
    "ru": ["RU"], "uk": ["UA"], "be": ["BY"], "zh": ["CN", "CN", "CN", "HK"], "ko": ["KP"],
    "ar": ["SY", "IQ", "LB", "YE", "AE", "SA", "JO", "OM"], "fa": ["IR"], "pk": ["PK"],
    "tr": ["TR"], "we": ["DE", "FR", "GB", "US", "CH", "AT", "CY", "NL"],
    "la": ["VE", "CO", "MX", "PA", "NI", "CU"],
}


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for item, w in pairs:
        x -= w
        if x <= 0:
            return item
    return pairs[-1][0]


def cyr_part(lang, role, cyr):
    forms = {s: translit.romanise(cyr, "ru" if lang == "ru" else lang, s)
             for s in translit.systems(lang)}
    return part(role, forms, script=cyr, lex_id=f"{lang}:{cyr}")


def patronymic(lang, male_entry, female):
    given, pat = male_entry
    if lang == "ru":
        return pat + ("на" if female else "ич")
    if lang == "uk":
        if not female:
            return pat
        if pat.endswith("йович"):
            return pat[:-5] + "ївна"
        if pat.endswith("ьович"):
            return pat[:-5] + "івна"
        return pat[:-4] + "івна"
    return pat[:-3] + "ўна" if female else pat


def feminine_surname(lang, s):
    rules = {
        "ru": [("ский", "ская"), ("цкий", "цкая"), ("ой", "ая"), ("ов", "ова"), ("ев", "ева"),
               ("ёв", "ёва"), ("ин", "ина"), ("ын", "ына")],
        "uk": [("ський", "ська"), ("цький", "цька")],
        "be": [("скі", "ская"), ("аў", "ава"), ("оў", "ова"), ("ёў", "ёва"), ("ін", "іна")],
    }[lang]
    for suffix, fem in rules:
        if s.endswith(suffix):
            return s[: -len(suffix)] + fem
    return s


def make_cyrillic(rng, lang, female=None, surname=None):
    males, females, surnames = CYR_TABLES[lang]
    female = rng.random() < 0.15 if female is None else female
    given = rng.choice(females) if female else rng.choice(males)[0]
    father = rng.choice(males)
    sur = surname or rng.choice(surnames)
    if female:
        sur = feminine_surname(lang, sur)
    parts = [cyr_part(lang, "given", given),
             cyr_part(lang, "patronymic", patronymic(lang, father, female)),
             cyr_part(lang, "surname", sur)]
    system = weighted(rng, CYR_PRIMARY[lang])
    return dict(culture=lang, female=female, parts=parts,
                sel={p["role"]: system for p in parts},
                order="sfirst" if rng.random() < 0.25 else "gfirst")


def zh_given_part(syllables):
    pinyin = "".join(s[1] for s in syllables)
    wade = "-".join(s[2] for s in syllables)
    return part("given", {"pinyin": pinyin.capitalize(), "wade": wade.capitalize()},
                script="".join(s[0] for s in syllables), syl=[s[0] for s in syllables])


def make_chinese(rng, syllables=None, surname=None):
    sur = surname or rng.choice(TP.ZH_SURNAMES)
    if syllables is None:
        n = 2 if rng.random() < 0.8 else 1
        syllables = [rng.choice(TP.ZH_GIVEN) for _ in range(n)]
    parts = [part("surname", {"pinyin": sur[1], "wade": sur[2]}, script=sur[0]),
             zh_given_part(syllables)]
    system = "wade" if rng.random() < 0.08 else "pinyin"
    return dict(culture="zh", female=False, parts=parts,
                sel={p["role"]: system for p in parts}, order="native")


def make_korean(rng):
    sur = rng.choice(TP.KO_SURNAMES)
    syl = [rng.choice(TP.KO_GIVEN) for _ in range(2)]
    while syl[0] == syl[1]:
        syl[1] = rng.choice(TP.KO_GIVEN)
    given = part("given", {"mr": f"{syl[0][1]} {syl[1][1]}",
                           "rr": f"{syl[0][2]}-{syl[1][2].lower()}"},
                 script="".join(s[0] for s in syl), lex_id="ko:" + "".join(s[0] for s in syl))
    parts = [part("surname", {"mr": sur[1], "rr": sur[2]}, script=sur[0], lex_id="ko:" + sur[0]),
             given]
    system = "rr" if rng.random() < 0.15 else "mr"
    for p in parts:
        p["script"] = None  # Hangul is not offered as an original-script query
    return dict(culture="ko", female=False, parts=parts,
                sel={p["role"]: system for p in parts}, order="native")


def pick_variant(rng, p):
    keys = list(p["forms"])
    return keys[0] if rng.random() < 0.65 or len(keys) == 1 else rng.choice(keys[1:])


def script_part(culture, role, entry):
    script, variants = entry
    return part(role, variant_forms(variants), script=script, lex_id=f"{culture}:{script}")


def make_arabic(rng):
    female = rng.random() < 0.1
    given = rng.choice(TP.AR_FEMALE if female else TP.AR_MALE)
    father = rng.choice(TP.AR_MALE)
    parts = [script_part("ar", "given", given), script_part("ar", "father", father)]
    has_family = rng.random() < 0.8
    if rng.random() < (0.25 if has_family else 0.8):
        parts.append(script_part("ar", "grandfather", rng.choice(TP.AR_MALE)))
    if has_family:
        parts.append(script_part("ar", "surname", rng.choice(TP.AR_FAMILY)))
    return dict(culture="ar", female=female, parts=parts,
                sel={p["role"]: pick_variant(rng, p) for p in parts}, order="gfirst")


def make_persian(rng):
    female = rng.random() < 0.1
    parts = []
    if not female and rng.random() < 0.12:
        parts.append(script_part("fa", "prefix", ("سید", ["Seyed", "Sayed", "Seyyed"])))
    pool = TP.FA_FEMALE if female else [e for e in TP.FA_MALE if e[0] != "سید"]
    parts.append(script_part("fa", "given", rng.choice(pool)))
    parts.append(script_part("fa", "surname", rng.choice(TP.FA_SURNAMES)))
    return dict(culture="fa", female=female, parts=parts,
                sel={p["role"]: pick_variant(rng, p) for p in parts}, order="gfirst")


def latin_part(culture, role, variants):
    return part(role, variant_forms(variants), lex_id=f"{culture}:{variants[0].lower()}")


def make_pakistani(rng):
    parts = []
    if rng.random() < 0.4:
        parts.append(latin_part("pk", "prefix", rng.choice(TP.PK_PREFIX)))
    given = rng.choice(TP.PK_GIVEN)
    parts.append(latin_part("pk", "given", given))
    if rng.random() < 0.25:
        second = rng.choice([g for g in TP.PK_GIVEN if g != given])
        parts.append(latin_part("pk", "given2", second))
    parts.append(latin_part("pk", "surname", rng.choice(TP.PK_SURNAMES)))
    return dict(culture="pk", female=False, parts=parts,
                sel={p["role"]: pick_variant(rng, p) for p in parts}, order="gfirst")


def dedup(seq):
    out = []
    for s in seq:
        if s not in out:
            out.append(s)
    return out


def make_turkish(rng):
    given = rng.choice(TP.TR_GIVEN)
    parts = [latin_part("tr", "given", dedup([given, ascii_fold(given)]))]
    if rng.random() < 0.15:
        g2 = rng.choice([g for g in TP.TR_GIVEN if g != given])
        parts.append(latin_part("tr", "given2", dedup([g2, ascii_fold(g2)])))
    sur = rng.choice(TP.TR_SURNAMES)
    parts.append(latin_part("tr", "surname", dedup([sur, ascii_fold(sur)])))
    return dict(culture="tr", female=False, parts=parts,
                sel={p["role"]: "v0" if rng.random() < 0.7 else list(p["forms"])[-1]
                     for p in parts}, order="gfirst")


def make_western(rng):
    given = rng.choice(TP.WE_GIVEN)
    parts = [latin_part("we", "given", dedup([given, german_fold(given), ascii_fold(given)]))]
    if rng.random() < 0.25:
        parts.append(latin_part("we", "middle", [rng.choice(TP.WE_MIDDLE)]))
    sur = rng.choice(TP.WE_SURNAMES)
    parts.append(latin_part("we", "surname", dedup([sur, german_fold(sur), ascii_fold(sur)])))
    return dict(culture="we", female=False, parts=parts,
                sel={p["role"]: "v0" if rng.random() < 0.8 else list(p["forms"])[-1]
                     for p in parts}, order="gfirst")


def make_latam(rng):
    given = rng.choice(TP.LA_GIVEN)
    parts = [latin_part("la", "given", dedup([given, ascii_fold(given)]))]
    s1 = rng.choice(TP.LA_SURNAMES)
    parts.append(latin_part("la", "surname", dedup([s1, ascii_fold(s1)])))
    if rng.random() < 0.85:
        s2 = rng.choice([s for s in TP.LA_SURNAMES if s != s1])
        parts.append(latin_part("la", "surname2", dedup([s2, ascii_fold(s2)])))
    sel_key = "v0" if rng.random() < 0.7 else "v1"
    return dict(culture="la", female=False, parts=parts,
                sel={p["role"]: sel_key for p in parts}, order="gfirst")


MAKERS = {
    "ru": lambda rng: make_cyrillic(rng, "ru"), "uk": lambda rng: make_cyrillic(rng, "uk"),
    "be": lambda rng: make_cyrillic(rng, "be"), "zh": make_chinese, "ko": make_korean,
    "ar": make_arabic, "fa": make_persian, "pk": make_pakistani, "tr": make_turkish,
    "we": make_western, "la": make_latam,
}
PERSON_MIX = [("ru", 2700), ("uk", 800), ("be", 450), ("zh", 1500), ("ko", 600), ("ar", 1500),
              ("fa", 1200), ("pk", 600), ("tr", 400), ("we", 650), ("la", 600)]


def person_core(person):
    """(given, surname) identity used to keep dropped-part queries unambiguous."""
    given = next((p["id"] for p in person["parts"] if p["role"] == "given"), None)
    sur = next((p["id"] for p in person["parts"] if p["role"] == "surname"), None)
    if sur is None:  # Arabic without family name: the father's name identifies
        sur = next((p["id"] for p in person["parts"] if p["role"] == "father"), None)
    return (given, sur)


def full_key(person):
    return tuple(p["id"] for p in person["parts"])
