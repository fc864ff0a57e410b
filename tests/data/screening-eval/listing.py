"""Builds the listed parties: structure, names with kinds, addresses, identifiers, dates,
and the indexes the query generator and the checks use."""

from collections import defaultdict

import orgs as O
import people as P
import tables_orgs as TO
from names import fold, form_of, render_org, render_org_script, render_person, token_key, words


class Listing:
    def __init__(self, rng):
        self.rng = rng
        self.parties = []  # internal records, index = position
        self.by_fold = defaultdict(set)  # fold(any rendering) -> party ids
        self.by_tokens = defaultdict(set)  # token_key(any rendering) -> party ids
        self.person_core = defaultdict(set)
        self.person_full = set()
        self.person_initial = defaultdict(set)
        self.brand_ids = set()
        self.brand_folds = defaultdict(set)
        self.brand_tokens = defaultdict(set)  # one brand word -> brand token sets
        self.vocab = set()  # every name token in the list and its tables

    # ------------------------------------------------------------------ registration
    def _index_text(self, pid, text):
        if text:
            self.by_fold[fold(text)].add(pid)
            self.by_tokens[token_key(text)].add(pid)
            self.vocab.update(words(text))

    def person_free(self, person):
        key = P.full_key(person)
        if key in self.person_full:
            return False
        text = render_person(person)
        return not self.by_fold.get(fold(text)) and not self.by_tokens.get(token_key(text))

    def brand_free(self, brand):
        for form in brand["forms"].values():
            if self.brand_folds.get(fold(form)) or self.brand_folds.get(token_key(form)):
                return False
        return brand["id"] not in self.brand_ids

    def brand_overlaps(self, brand):
        """True if the brand's words are a subset or superset of a listed brand's words."""
        for form in brand["forms"].values():
            mine = frozenset(words(form))
            for w in mine:
                for other in self.brand_tokens.get(w, ()):
                    if mine <= other or other <= mine:
                        return True
        return False

    def add(self, rec):
        pid = f"P{len(self.parties) + 1:05d}"
        rec["pid"] = pid
        self.parties.append(rec)
        for name in rec["names"]:
            self._index_text(pid, name["name"])
        for text in rec["renderings"]:
            self._index_text(pid, text)
        if rec["kind"] == "person":
            person = rec["person"]
            self.person_full.add(P.full_key(person))
            self.person_core[P.person_core(person)].add(pid)
            for key in initial_keys(person):
                self.person_initial[key].add(pid)
            for p in person["parts"]:
                for f in p["forms"].values():
                    self.vocab.update(words(f))
        elif rec["kind"] == "organisation":
            for brand in [rec["org"]["brand"]] + rec.get("previous_brands", []):
                self.register_brand(pid, brand)
        return pid

    def register_brand(self, pid, brand):
        self.brand_ids.add(brand["id"])
        for form in brand["forms"].values():
            self.brand_folds[fold(form)].add(pid)
            self.brand_folds[token_key(form)].add(pid)
            ws = frozenset(words(form))
            for w in ws:
                self.brand_tokens[w].add(ws)
            self.vocab.update(ws)

    def get(self, pid):
        return self.parties[int(pid[1:]) - 1]


def initial_key(person):
    """(initial of the given name as listed, surname) for queries like "I. P. Sidorov"."""
    given = next((p for p in person["parts"] if p["role"] == "given"), None)
    sur = P.person_core(person)[1]
    letter = fold(form_of(given, person["sel"]["given"]))[:1] if given else ""
    return (letter, sur)


def initial_keys(person):
    """Every initial the given name can have in any spelling (Yevgeny/Evgenii/Jewgeni)."""
    given = next((p for p in person["parts"] if p["role"] == "given"), None)
    sur = P.person_core(person)[1]
    if given is None:
        return {("", sur)}
    return {(fold(f)[:1], sur) for f in given["forms"].values()}


# ---------------------------------------------------------------------- persons


def person_renderings(person):
    """Every spelling of the listed person's full name the generator knows of."""
    keys = set()
    for p in person["parts"]:
        keys.update(p["forms"])
    out = [render_person(person, sel={p["role"]: k for p in person["parts"]})
           for k in sorted(keys)]
    out.append(render_person(person))
    if P.CYR_PRIMARY.get(person["culture"]) or person["culture"] in ("zh", "ar", "fa"):
        if all(p["script"] for p in person["parts"]):
            out.append(render_person(person, script=True))
    return out


def person_record(rng, person):
    primary = render_person(person)
    names = [dict(name=primary, kind="primary")]
    culture = person["culture"]
    alias_p = {"ru": 0.35, "uk": 0.35, "be": 0.35, "ar": 0.4, "fa": 0.3, "ko": 0.3, "pk": 0.3,
               "zh": 0.15}.get(culture, 0.1)
    if rng.random() < alias_p:
        keys = sorted({k for p in person["parts"] for k in p["forms"]})
        rng.shuffle(keys)
        for k in keys:
            alt = render_person(person, sel={p["role"]: k for p in person["parts"]})
            if fold(alt) != fold(primary):
                names.append(dict(name=alt, kind="alias"))
                break
    if culture == "zh" and rng.random() < 0.12:
        names.append(dict(name=render_person(person, script=True), kind="alias"))
    if culture == "ar" and rng.random() < 0.15:
        kunya = rng.choice(P.TP.AR_MALE)[1]
        names.append(dict(name="Abu " + rng.choice(kunya), kind="weak_alias"))
    if culture in ("ru", "uk", "be") and rng.random() < 0.05:
        names.append(dict(name=render_person(person, script=True), kind="alias"))
    upper_case(rng, names)
    country = rng.choice(P.CULTURE_COUNTRIES[culture])
    rec = dict(kind="person", person=person, names=names, countries=[country],
               renderings=person_renderings(person))
    if rng.random() < 0.75:
        rec["birth_dates"] = birth_dates(rng)
    if rng.random() < 0.4:
        rec["addresses"] = [address(rng, country)]
    ids = []
    if rng.random() < 0.4:
        ids.append(dict(type="passport", value=passport(rng, country), country=country))
    if rng.random() < 0.15:
        ids.append(dict(type="national_id", value=digits(rng, 10), country=country))
    if ids:
        rec["identifiers"] = ids
    return rec


def birth_dates(rng):
    y, m, d = rng.randint(1940, 1996), rng.randint(1, 12), rng.randint(1, 28)
    dates = [f"{y:04d}-{m:02d}-{d:02d}"]
    if rng.random() < 0.1:
        dates.append(f"{y + rng.choice([-1, 1]):04d}-{m:02d}-{d:02d}")
    return dates


def digits(rng, n):
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def passport(rng, country):
    prefix = {"RU": "7", "CN": "E", "IR": "K", "KP": "", "UA": "FE", "BY": "MP"}.get(country)
    if prefix is None:
        prefix = rng.choice("ABCDEFGHKLMNPRSTUVXYZ") + rng.choice("ABCDEFGHKLMNPRSTUVXYZ")
    return prefix + digits(rng, 9 - len(prefix) if len(prefix) < 3 else 7)


STREETS = {
    "RU": ["ul. Lenina", "pr. Mira", "ul. Tverskaya", "Leninsky pr.", "ul. Sadovaya",
           "Nevsky pr.", "ul. Gagarina", "ul. Promyshlennaya", "Kutuzovsky pr."],
    "CN": ["Keji Road", "Shennan Avenue", "Huaqiang North Road", "Zhongshan Road",
           "Renmin Road", "Jianshe Road", "Xinhua Street"],
    "AE": ["Jumeirah Lake Towers", "Sheikh Zayed Road", "Al Maktoum Road", "Jebel Ali Free Zone",
           "Dubai Airport Free Zone", "Hamriyah Free Zone"],
    "IR": ["Vali Asr Street", "Enghelab Street", "Azadi Street", "Motahari Street",
           "Shariati Street", "Beheshti Street"],
}


def address(rng, country):
    city_list = TO.CITIES.get(country.lower()) or [c[1] for c in TO.ZH_CITIES]
    street = rng.choice(STREETS.get(country, ["Main Street", "Industrial Avenue", "Harbour Road",
                                               "Central Boulevard", "Station Road"]))
    adr = dict(street=f"{street} {rng.randint(1, 250)}", city=rng.choice(city_list),
               country=country)
    if country not in ("AE", "HK", "KP") and rng.random() < 0.8:
        adr["postal_code"] = digits(rng, 6 if country in ("RU", "CN", "BY", "KZ") else 5)
    return adr


# ---------------------------------------------------------------- organisations


def org_renderings(org):
    out = [render_org(org, brand_key=k) for k in org["brand"]["forms"]]
    script = render_org_script(org)
    if script:
        out.append(script)
    return out


def org_record(rng, listing, org):
    primary = render_org(org)
    names = [dict(name=primary, kind="primary")]
    previous_brands = []
    cyr = org["culture"] in O.CYR_ORG
    if cyr and org["legal"] and rng.random() < 0.4:
        full = render_org(org, legal=("form", 2))
        if fold(full) != fold(primary):
            names.append(dict(name=full, kind="alias"))
    if cyr and rng.random() < 0.2:
        keys = [k for k in org["brand"]["forms"] if k != org["sel"]]
        alt = render_org(org, brand_key=rng.choice(keys))
        if fold(alt) != fold(primary) and all(fold(alt) != fold(n["name"]) for n in names):
            names.append(dict(name=alt, kind="alias"))
    script = render_org_script(org)
    if script and rng.random() < 0.12:
        names.append(dict(name=script, kind="alias"))
    if not cyr and rng.random() < 0.12:
        names.append(dict(name=render_org(org, legal="drop", city="drop"), kind="weak_alias"))
    if rng.random() < 0.1:
        for _ in range(20):
            old = O.make_org(rng, org["culture"])["brand"]
            if listing.brand_free(old) and not listing.brand_overlaps(old) \
                    and old["id"] != org["brand"]["id"]:
                previous_brands.append(old)
                prev_org = dict(org, brand=old, sel=next(iter(old["forms"])))
                names.append(dict(name=render_org(prev_org), kind="previous"))
                break
    names = dedup_names(names)
    upper_case(rng, names)
    rec = dict(kind="organisation", org=org, names=names,
               countries=[org["country"]], renderings=org_renderings(org),
               previous_brands=previous_brands)
    if rng.random() < 0.7:
        rec["addresses"] = [address(rng, org["country"])]
    ids = []
    if rng.random() < 0.6:
        n = 13 if org["country"] == "RU" else 18 if org["country"] == "CN" else 9
        ids.append(dict(type="registration", value=digits(rng, n), country=org["country"]))
    if rng.random() < 0.35:
        ids.append(dict(type="tax", value=digits(rng, 10), country=org["country"]))
    if rng.random() < 0.08:
        alnum = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        lei = "".join(rng.choice(alnum) for _ in range(4)) + "00" + \
            "".join(rng.choice(alnum) for _ in range(12)) + digits(rng, 2)
        ids.append(dict(type="lei", value=lei))
    if ids:
        rec["identifiers"] = ids
    return rec


def upper_case(rng, names):
    """Some lists publish names in capitals."""
    if rng.random() < 0.2:
        for n in names:
            n["name"] = n["name"].upper()


def dedup_names(names):
    seen, out = set(), []
    for n in names:
        if fold(n["name"]) not in seen:
            seen.add(fold(n["name"]))
            out.append(n)
    return out


def vessel_record(rng, v):
    names = [dict(name=v["name"], kind="primary")]
    names += [dict(name=p, kind="previous") for p in v["previous"]]
    return dict(kind="vessel", vessel=v, names=names, countries=[v["country"]], renderings=[],
                identifiers=[dict(type="imo", value=v["imo"])])


def aircraft_record(rng, a):
    names = [dict(name=a["name"], kind="primary"),
             dict(name=f"{a['model']} MSN {a['msn']}", kind="weak_alias")]
    return dict(kind="aircraft", aircraft=a, names=names, countries=[a["country"]],
                renderings=[], identifiers=[dict(type="other", value=f"MSN {a['msn']}")])
