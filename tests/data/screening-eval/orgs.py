"""Organisation, vessel and aircraft generators (structure only; ids and names elsewhere)."""

import tables_orgs as TO
import tables_people as TP
import translit
from names import ascii_fold, part
from people import weighted

CYR_ORG = {"ru": "RU", "uk": "UA", "be": "BY", "kz": "KZ"}
ORG_MIX = [("ru", 2300), ("uk", 300), ("be", 200), ("kz", 200), ("zh", 2000), ("hk", 350),
           ("ae", 950), ("ir", 850), ("tr", 550), ("baltic", 450), ("pl", 150), ("west", 700),
           ("sg", 200), ("my", 150), ("kp", 150), ("pk", 200)]
LEGAL_BY_CULTURE = {
    "ru": [("ru_llc", 55), ("ru_jsc", 20), ("ru_cjsc", 8), ("ru_ojsc", 7), ("ru_pjsc", 5),
           (None, 5)],
    "uk": [("uk_llc", 70), ("uk_prjsc", 20), (None, 10)], "be": [("be_llc", 65), ("be_ojsc", 35)],
    "kz": [("kz_llp", 75), ("ru_llc", 25)], "zh": [("zh_coltd", 100)], "hk": [("hk_ltd", 100)],
    "ae": [("fze", 25), ("fzco", 20), ("fzllc", 15), ("dmcc", 15), ("ae_llc", 25)],
    "ir": [("ir_co", 40), ("ir_pjs", 20), (None, 40)], "tr": [("tr_ltd", 65), ("tr_as", 35)],
    "pl": [("spzoo", 100)], "sg": [("pte", 100)], "my": [("sdn", 100)], "kp": [("corp", 100)],
    "pk": [("pk_pvt", 80), (None, 20)],
}
BALTIC = [("LV", "sia"), ("LT", "uab"), ("EE", "ou"), ("EE", "as_ee")]
WEST = [("DE", "gmbh"), ("DE", "ag"), ("AT", "gmbh"), ("CH", "ag"), ("CH", "sa"), ("GB", "ltd"),
        ("CY", "ltd"), ("US", "inc"), ("US", "corp"), ("US", "us_llc"), ("IT", "srl"),
        ("RO", "srl"), ("NL", "bv"), ("FR", "sarl"), ("ES", "sa"), ("PA", "sa"), ("PA", "corp")]
DESC_POOLS = {
    "zh": [["electronic", "technology"], ["technology"], ["electronics"],
           ["intelligent", "technology"], ["precision", "machinery"], ["trading"],
           ["import_export"], ["industrial"], ["machinery"], ["equipment"], ["logistics"],
           ["semiconductor"], ["optoelectronic", "technology"], ["communication", "technology"],
           ["aviation", "technology"], ["new_material"], ["automation", "equipment"],
           ["instrument"], ["supply_chain"], ["science_technology"], ["international", "trading"],
           ["electronic", "trading"], ["chemical"], ["energy", "technology"], ["shipping"],
           ["machinery", "equipment"], ["industrial", "group"], ["manufacturing"]],
    "hk": [["international", "trading"], ["trading"], ["electronics"], ["technology"],
           ["industrial"], ["logistics"], ["import_export"], ["holding"], ["development"],
           ["electronic", "components"], ["shipping"], ["international", "group"]],
    "ae": [["general_trading"], ["trading"], ["electronics", "trading"], ["technology"],
           ["logistics"], ["shipping"], ["petroleum", "trading"], ["marine", "services"],
           ["industrial", "equipment", "trading"], ["engineering"], ["electronics"],
           ["machinery", "trading"], ["aviation", "services"], ["energy"]],
    "ir": [["engineering"], ["industrial"], ["trading"], ["technology"],
           ["engineering", "services"], ["industrial", "group"], ["petroleum"], ["electronics"],
           ["development"], ["investment"], ["shipping"], ["energy"], ["construction"],
           ["industries"], ["engineering", "group"], ["trading", "company"]],
    "tr": [["electronic"], ["machinery"], ["engineering"], ["technology"], ["logistics"],
           ["energy"], ["chemical"], ["construction"], ["import_export"], ["automation"],
           ["communication"], ["aviation"]],
    "latin": [["trading"], ["logistics"], ["technology"], ["technologies"], ["electronics"],
              ["engineering"], ["industries"], ["equipment"], ["machinery", "trading"],
              ["international"], ["international", "trading"], ["components"], ["systems"],
              ["services"], ["manufacturing"], ["marine", "services"], ["shipping"], ["holding"],
              ["investment"], ["group"], ["automation"], ["precision", "engineering"], ["energy"],
              ["electronic", "components"], ["industrial", "equipment"], ["aviation"]],
    "kp": [["general_trading"], ["trading"], ["industrial"], ["shipping"], ["technology"],
           ["development"], ["trading"], ["general_trading"]],
    "ru": [["trading"], ["engineering"], ["technology"], ["electronics"], ["logistics"],
           ["group"], ["international"]],
}
DESC_POOLS["ir"] = [d for d in DESC_POOLS["ir"] if "company" not in d]
CITY_P = {"zh": 0.7, "hk": 0.3, "ae": 0.15, "ir": 0.2, "tr": 0.15, "baltic": 0.1, "kp": 0.6,
          "pk": 0.1, "west": 0.05, "pl": 0.1, "my": 0.1}


def stem_brand(rng):
    pieces = [rng.choice(TO.STEM_HEADS)]
    if rng.random() < 0.45:
        pieces.append(rng.choice(TO.STEM_MIDS))
    pieces.append(rng.choice(TO.STEM_TAILS))
    return stems_part(pieces)


def stems_part(pieces):
    cyr = "".join(pieces)
    cyr = cyr[0] + cyr[1:].lower()
    forms = {s: translit.romanise(cyr, "ru", s) for s in translit.systems("ru")}
    return part("brand", forms, script=cyr, lex_id="stem:" + cyr, stems=list(pieces))


def zh_brand(rng, syl=None):
    syl = syl or [rng.choice(TP.ZH_GIVEN) for _ in range(2)]
    pinyin = "".join(s[1] for s in syl).capitalize()
    return part("brand", {"pinyin": pinyin}, script="".join(s[0] for s in syl),
                lex_id="zh:" + "".join(s[0] for s in syl), syl=list(syl))


def latin_brand(rng, culture):
    if culture == "ir":
        n = 1 if rng.random() < 0.35 else 2
        ws = [rng.choice(TO.IR_BRAND_WORDS) for _ in range(n)]
        if n == 1 and rng.random() < 0.5:
            ws.append([rng.choice(TO.BRAND_WORDS[-26:])])
        depth = max(len(w) for w in ws)
        variants = [" ".join(w[min(i, len(w) - 1)] for w in ws) for i in range(depth)]
    elif culture == "tr":
        ws = [rng.choice(TO.TR_BRAND_WORDS)]
        if rng.random() < 0.85:
            ws.append(rng.choice(TO.TR_BRAND_WORDS + TP.TR_SURNAMES))
        text = " ".join(ws)
        variants = [text] + ([ascii_fold(text)] if ascii_fold(text) != text else [])
    elif culture == "kp":
        ws = [rng.choice(TO.KP_BRAND_WORDS)]
        if rng.random() < 0.6:
            ws.append(rng.choice(TO.KP_SECTORS))
        variants = [" ".join(ws)]
    else:
        n = 1 if rng.random() < 0.15 else 2
        ws = [rng.choice(TO.BRAND_WORDS) for _ in range(n)]
        if culture == "pk" and rng.random() < 0.4:
            ws = [rng.choice(TP.PK_SURNAMES)[0]]
        variants = [" ".join(ws)]
    forms = {f"v{i}": v for i, v in enumerate(variants)}
    return part("brand", forms, lex_id=f"brand:{culture}:{variants[0].lower()}")


def city_part(rng, culture, country):
    if culture == "zh":
        hanzi, name = rng.choice(TO.ZH_CITIES)
        return dict(forms={"en": name}, script=hanzi)
    if culture == "kp":
        return dict(forms={"en": "Korea"}, script=None)
    names = TO.CITIES.get(country.lower()) or []
    if culture == "hk":
        return dict(forms={"en": "Hong Kong"}, script="香港")
    return dict(forms={"en": rng.choice(names)}, script=None) if names else None


def make_org(rng, culture):
    country, legal = None, None
    if culture in CYR_ORG:
        country = CYR_ORG[culture]
    elif culture == "baltic":
        country, legal = rng.choice(BALTIC)
    elif culture == "west":
        country, legal = rng.choice(WEST)
    else:
        country = {"zh": "CN", "hk": "HK", "ae": "AE", "ir": "IR", "tr": "TR", "pl": "PL",
                   "sg": "SG", "my": "MY", "kp": "KP", "pk": "PK"}[culture]
    if legal is None:
        legal = weighted(rng, LEGAL_BY_CULTURE[culture])
    org = dict(culture=culture, country=country, legal=legal, legal_form=0, city=None,
               qual=None, desc=[])
    if culture in CYR_ORG:
        org["brand"] = stem_brand(rng)
        org["sel"] = weighted(rng, [("bgn", 50), ("informal", 25), ("en", 15), ("icao", 10)])
        if rng.random() < 0.25:
            org["qual"] = rng.choice(TO.RU_QUALIFIERS)
        if rng.random() < 0.2:
            org["desc"] = list(rng.choice(DESC_POOLS["ru"]))
        if legal and rng.random() < 0.25:
            org["legal_form"] = rng.choice([1, 2])
    elif culture in ("zh", "hk"):
        org["brand"] = zh_brand(rng)
        org["sel"] = "pinyin"
        org["desc"] = list(rng.choice(DESC_POOLS[culture]))
        if rng.random() < 0.1 and "group" not in org["desc"]:
            org["desc"].append("group")
    else:
        org["brand"] = latin_brand(rng, culture)
        org["sel"] = "v0" if rng.random() < 0.7 else rng.choice(list(org["brand"]["forms"]))
        pool = DESC_POOLS.get(culture, DESC_POOLS["latin"])
        if culture in ("baltic", "west", "pl", "sg", "my", "pk") and rng.random() < 0.15:
            org["desc"] = []
        else:
            org["desc"] = list(rng.choice(pool))
        if culture == "tr":
            extra = weighted(rng, [("sanayi_ticaret", 50), ("dis_ticaret", 20), (None, 30)])
            if extra:
                org["desc"].append(extra)
    if rng.random() < CITY_P.get(culture, 0):
        org["city"] = city_part(rng, culture, country)
    return org


def imo_number(rng):
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(5)]
    check = sum(d * w for d, w in zip(digits, range(7, 1, -1))) % 10
    return "".join(map(str, digits)) + str(check)


def vessel_name(rng):
    ws = [rng.choice(TO.VESSEL_WORDS) for _ in range(1 if rng.random() < 0.3 else 2)]
    if rng.random() < 0.3:
        ws.append(str(rng.randint(1, 12)))
    return " ".join(ws).upper()


def make_vessel(rng):
    flag = rng.choice(TO.VESSEL_FLAGS)
    return dict(culture="vessel", country=flag, name=vessel_name(rng),
                previous=[vessel_name(rng) for _ in range(rng.choice([0, 0, 1, 1, 2]))],
                imo=imo_number(rng))


def make_aircraft(rng):
    country = rng.choice(list(TO.AIRCRAFT_PREFIX))
    prefix = TO.AIRCRAFT_PREFIX[country]
    if country in ("RU", "BY", "KZ"):
        mark = prefix + "".join(str(rng.randint(0, 9)) for _ in range(5))
    else:
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        mark = prefix + "".join(rng.choice(letters) for _ in range(3))
    msn = str(rng.randint(100, 65000))
    return dict(culture="aircraft", country=country, name=mark, msn=msn,
                model=rng.choice(TO.AIRCRAFT_TYPES))
