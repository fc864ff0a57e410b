"""True-variant queries: each refers to exactly one listed party, known by construction."""

import tables_orgs as TO
import tables_people as TP
from listing import initial_key
from names import fold, form_of, legal_text, part, render_org, render_org_script, render_person
from people import person_core
from querybase import Base, typo_word

CYR = ("ru", "uk", "be")
P = "person"
O = "organisation"
PERSONS_ALL = [((P, c), w) for c, w in [("ru", 25), ("uk", 8), ("be", 5), ("zh", 12), ("ko", 6),
                                          ("ar", 14), ("fa", 10), ("pk", 6), ("tr", 4), ("we", 6),
                                          ("la", 6)]]
ORGS_ALL = [((O, c), w) for c, w in [("ru", 22), ("uk", 3), ("be", 2), ("kz", 2), ("zh", 20),
                                       ("hk", 4), ("ae", 10), ("ir", 9), ("tr", 6), ("baltic", 5),
                                       ("pl", 2), ("west", 8), ("sg", 2), ("my", 2), ("kp", 2),
                                       ("pk", 2)]]
LEGAL_SWAP = {"ru_llc": ["ru_jsc", "ru_cjsc"], "ru_jsc": ["ru_llc", "ru_pjsc"],
              "ru_cjsc": ["ru_jsc"], "ru_ojsc": ["ru_pjsc", "ru_jsc"], "ru_pjsc": ["ru_ojsc"],
              "uk_llc": ["uk_prjsc"], "uk_prjsc": ["uk_llc"], "be_llc": ["be_ojsc"],
              "be_ojsc": ["be_llc"], "kz_llp": ["ru_llc"], "gmbh": ["ag"], "ag": ["gmbh"],
              "ltd": ["inc"], "inc": ["corp", "us_llc"], "corp": ["inc"], "us_llc": ["inc"],
              "fze": ["fzco", "fzllc"], "fzco": ["fze"], "fzllc": ["fze"], "dmcc": ["fze"],
              "ae_llc": ["fze"], "zh_coltd": ["hk_ltd"], "hk_ltd": ["zh_coltd"],
              "tr_ltd": ["tr_as"], "tr_as": ["tr_ltd"], "ir_co": ["ir_pjs"], "ir_pjs": ["ir_co"],
              "pk_pvt": ["ltd"], "pte": ["ltd"], "srl": ["sa"], "sa": ["srl"], "sarl": ["sa"],
              "sia": ["as_ee"], "uab": ["sia"], "ou": ["as_ee"], "as_ee": ["ou"]}
# Legal forms that are really written either before or after the name.
FLIPPABLE = TO.LEGAL_FULL_FRONT_CLASSES | {"ae_llc", "us_llc", "sia", "uab", "ou", "as_ee"}
LEGAL_ADD = {"ir": "ir_co", "ru": "ru_llc", "uk": "uk_llc", "pk": "pk_pvt"}
SYLLABIC = {"zh": "zh", "hk": "zh", "ko": "ko", "ru": "stem", "uk": "stem", "be": "stem",
            "kz": "stem"}


def with_form(p, key, text):
    return dict(p, forms=dict(p["forms"], **{key: text}))


class Variants(Base):
    # ------------------------------------------------------------------------ typo
    def typo(self):
        pid = self.pick(PERSONS_ALL + ORGS_ALL + [(("vessel", "vessel"), 6)], "typo")
        if pid is None:
            return False
        rec = self.L.get(pid)
        n_edits = 1 if self.rng.random() < 0.65 else 2
        if rec["kind"] == "person":
            text, edited = self._typo_person(rec["person"], n_edits)
        elif rec["kind"] == "organisation":
            text, edited = self._typo_org(rec["org"], n_edits)
        else:
            text, edited = self._typo_plain(rec["names"][0]["name"], n_edits)
        if not text or not self.fresh_token(edited, self._syllabic(rec)):
            return False
        return self.true_ok(pid, text) and self.emit_true("typo", pid, text)

    def _syllabic(self, rec):
        c = self.culture_of(rec)
        return SYLLABIC.get(c) if rec["kind"] != "person" or c in ("zh", "ko") else None

    def _typo_person(self, person, n_edits):
        parts = [p for p in person["parts"] if len(form_of(p, person["sel"][p["role"]])) >= 4]
        if not parts:
            return None, None
        target = self.rng.choice(parts)
        key = person["sel"][target["role"]]
        word = form_of(target, key)
        for _ in range(n_edits):
            word = typo_word(self.rng, word) if word else None
        if not word:
            return None, None
        new = dict(person, parts=[with_form(p, key, word) if p is target else p
                                  for p in person["parts"]])
        return render_person(new), word

    def _typo_org(self, org, n_edits):
        if (org["desc"] or org.get("city")) and self.rng.random() < 0.2:
            brand_words = set(form_of(org["brand"], org["sel"]).split())
            text = render_org(org)
            ws = text.split()
            idx = [i for i, w in enumerate(ws) if len(w) >= 5 and w not in brand_words]
            if not idx:
                return None, None
            i = self.rng.choice(idx)
            word = typo_word(self.rng, ws[i])
            if not word:
                return None, None
            ws[i] = word
            return " ".join(ws), word
        word = form_of(org["brand"], org["sel"])
        for _ in range(n_edits):
            word = typo_word(self.rng, word) if word else None
        if not word:
            return None, None
        new = dict(org, brand=with_form(org["brand"], org["sel"], word))
        return render_org(new), word

    def _typo_plain(self, text, n_edits):
        ws = text.split()
        idx = [i for i, w in enumerate(ws) if len(w) >= 4]
        if not idx:
            return None, None
        i = self.rng.choice(idx)
        word = ws[i]
        for _ in range(n_edits):
            word = typo_word(self.rng, word) if word else None
        if not word:
            return None, None
        ws[i] = word
        return " ".join(ws), word

    # ------------------------------------------------------------- transliteration
    def transliteration(self):
        weights = [((P, "ru"), 30), ((P, "uk"), 9), ((P, "be"), 6), ((P, "zh"), 9),
                   ((P, "ko"), 7), ((P, "ar"), 16), ((P, "fa"), 12), ((P, "pk"), 4),
                   ((P, "tr"), 1), ((P, "we"), 1), ((O, "ru"), 4), ((O, "ir"), 2)]
        pid = self.pick(weights, "transliteration")
        rec = self.L.get(pid)
        if rec["kind"] == "person":
            person = rec["person"]
            keys = sorted({k for p in person["parts"] for k in p["forms"]})
            if person["culture"] in CYR + ("zh", "ko"):
                system = self.rng.choice([k for k in keys if k != person["sel"]["given"]])
                sel = {p["role"]: system for p in person["parts"]}
            else:
                movable = [p for p in person["parts"] if len(p["forms"]) > 1]
                if not movable:
                    return False
                sel = {}
                for p in self.rng.sample(movable, min(len(movable), self.rng.choice([1, 2]))):
                    sel[p["role"]] = self.rng.choice(
                        [k for k in p["forms"] if k != person["sel"][p["role"]]])
            text = render_person(person, sel=sel)
        else:
            org = rec["org"]
            keys = [k for k in org["brand"]["forms"] if k != org["sel"]]
            if not keys:
                return False
            text = render_org(org, brand_key=self.rng.choice(keys))
        return self.true_ok(pid, text) and self.emit_true("transliteration", pid, text)

    # ------------------------------------------------------------- original script
    def original_script(self):
        weights = [((P, "ru"), 30), ((P, "uk"), 8), ((P, "be"), 5), ((P, "zh"), 20),
                   ((P, "ar"), 14), ((P, "fa"), 9), ((O, "ru"), 8), ((O, "zh"), 6)]
        pid = self.pick(weights, "original_script")
        rec = self.L.get(pid)
        if rec["kind"] == "person":
            if not all(p["script"] for p in rec["person"]["parts"]):
                return False
            text = render_person(rec["person"], script=True)
        else:
            text = render_org_script(rec["org"], quote_style=self.rng.randrange(3))
        if not text:
            return False
        return self.true_ok(pid, text) and self.emit_true("original_script", pid, text, True)

    # ------------------------------------------------------------------ reordering
    def reordering(self):
        weights = PERSONS_ALL + [((O, "ru"), 12), ((O, "zh"), 14), ((O, "ir"), 2), ((O, "ae"), 2)]
        pid = self.pick(weights, "reordering")
        rec = self.L.get(pid)
        if rec["kind"] == "person":
            person = rec["person"]
            c = person["culture"]
            r = self.rng.random()
            if c in ("zh", "ko"):
                text = render_person(person, order="given_first")
            elif c in CYR and person["order"] == "gfirst" and r < 0.5:
                text = render_person(person, order="surname_first")
            elif c in CYR and person["order"] == "sfirst":
                text = render_person(person, order="given_first")
            else:
                text = render_person(person, order="surname_first", comma=True,
                                     upper_surname=self.rng.random() < 0.5)
        else:
            org = rec["org"]
            if org.get("city") and self.rng.random() < 0.7:
                text = render_org(org, city="paren")
            elif org["legal"] in FLIPPABLE:
                _, front = legal_text(org)
                text = render_org(org, legal_front=not front)
            else:
                return False
        return self.true_ok(pid, text) and self.emit_true("reordering", pid, text)

    # ---------------------------------------------------------------- dropped part
    def dropped_part(self):
        weights = [((P, "ru"), 20), ((P, "uk"), 6), ((P, "be"), 4), ((P, "la"), 8),
                   ((P, "ar"), 10), ((P, "pk"), 4), ((P, "we"), 3), ((O, "zh"), 18),
                   ((O, "ru"), 10), ((O, "ae"), 4), ((O, "ir"), 4), ((O, "tr"), 4),
                   ((O, "hk"), 2), ((O, "kp"), 2), ((O, "west"), 2)]
        pid = self.pick(weights, "dropped_part")
        rec = self.L.get(pid)
        if rec["kind"] == "person":
            person = rec["person"]
            roles = [p["role"] for p in person["parts"]]
            if "patronymic" in roles:
                drop = {"patronymic"}
            elif "surname2" in roles:
                drop = {"surname2"}
            elif "middle" in roles:
                drop = {"middle"}
            elif person["culture"] == "ar" and "surname" in roles:
                drop = {"father", "grandfather"} if self.rng.random() < 0.6 else {"father"}
            elif "grandfather" in roles:
                drop = {"grandfather"}
            elif "prefix" in roles or "given2" in roles:
                drop = {self.rng.choice([r for r in roles if r in ("prefix", "given2")])}
            else:
                return False
            if self.L.person_core[person_core(person)] != {pid}:
                return False
            text = render_person(person, drop=drop)
        else:
            org = rec["org"]
            options = []
            if org.get("city"):
                options += ["city"] * 3
            if org.get("qual"):
                options.append("qual")
            if org["desc"]:
                options.append("desc")
            if not options:
                return False
            what = self.rng.choice(options)
            if what == "city":
                text = render_org(org, city="drop")
            elif what == "qual":
                text = render_org(org, qualifier=False)
            else:
                text = render_org(org, drop_desc={self.rng.randrange(len(org["desc"]))})
        return self.true_ok(pid, text) and self.emit_true("dropped_part", pid, text)

    # ------------------------------------------------------------------ added part
    def added_part(self):
        weights = [((P, c), w) for (_, c), w in PERSONS_ALL] + \
            [((O, "zh"), 10), ((O, "ru"), 6), ((O, "ae"), 6), ((O, "west"), 4), ((O, "ir"), 4),
             ((O, "tr"), 3), ((O, "baltic"), 2), (("vessel", "vessel"), 6)]
        pid = self.pick(weights, "added_part")
        rec = self.L.get(pid)
        if rec["kind"] == "person":
            text = self._add_to_person(rec["person"])
        elif rec["kind"] == "organisation":
            text = self._add_to_org(rec["org"])
        else:
            text = self.rng.choice(["MV ", "M/V ", "MT ", "M/T ", "Vessel "]) + rec["names"][0]["name"]
        return bool(text) and self.true_ok(pid, text) and self.emit_true("added_part", pid, text)

    def _add_to_person(self, person):
        c = person["culture"]
        roles = [p["role"] for p in person["parts"]]
        r = self.rng.random()
        if c == "we" and "middle" not in roles and r < 0.7:
            extra = part("middle", {"v0": self.rng.choice(TP.WE_MIDDLE)})
            parts = person["parts"][:1] + [extra] + person["parts"][1:]
            return render_person(dict(person, parts=parts, sel=dict(person["sel"], middle="v0")))
        if c == "ar" and "grandfather" not in roles and "surname" in roles and r < 0.6:
            g = self.rng.choice(TP.AR_MALE)
            extra = part("grandfather", {"v0": g[1][0]}, script=g[0])
            parts = person["parts"][:2] + [extra] + person["parts"][2:]
            return render_person(dict(person, parts=parts,
                                      sel=dict(person["sel"], grandfather="v0")))
        if c == "zh" and r < 0.4:
            return self.rng.choice(["David", "Michael", "Kevin", "Jack", "Tony", "Peter",
                                    "Eric", "Vincent"]) + " " + render_person(person)
        if c == "la" and "surname2" not in roles and r < 0.7:
            extra = part("surname2", {"v0": self.rng.choice(TP.LA_SURNAMES)})
            return render_person(dict(person, parts=person["parts"] + [extra],
                                      sel=dict(person["sel"], surname2="v0")))
        titles = ["Dr.", "Mrs.", "Ms."] if person["female"] else TP.TITLES[c]
        return self.rng.choice(titles) + " " + render_person(person)

    def _add_to_org(self, org):
        if not org.get("city") and self.rng.random() < 0.6:
            if org["culture"] == "zh":
                city = self.rng.choice(TO.ZH_CITIES)[1]
            else:
                cities = TO.CITIES.get(org["country"].lower())
                if not cities:
                    return None
                city = self.rng.choice(cities)
            return render_org(org, city="add:" + city)
        extra = self.rng.choice(["international", "group", "trading", "holding"])
        if extra in org["desc"]:
            return None
        return render_org(org, extra_desc=extra)

    # ---------------------------------------------------------------- abbreviation
    def abbreviation(self):
        weights = [((O, c), w) for (_, c), w in ORGS_ALL if c not in CYR] + \
            [((O, "ru"), 3), ((P, "we"), 8), ((P, "ru"), 10), ((P, "uk"), 3), ((P, "la"), 3)]
        pid = self.pick(weights, "abbreviation")
        rec = self.L.get(pid)
        if rec["kind"] == "person":
            person = rec["person"]
            if self.L.person_initial[initial_key(person)] != {pid}:
                return False
            inits = {"given"} | ({"patronymic", "middle"} if self.rng.random() < 0.6 else set())
            if person["culture"] in CYR and self.rng.random() < 0.5:
                forms = {p["role"]: form_of(p, person["sel"][p["role"]])
                         for p in person["parts"]}
                ini = forms["given"][0] + "."
                if "patronymic" in inits:
                    ini += forms["patronymic"][0] + "."
                text = f"{forms['surname']} {ini}"
            else:
                text = render_person(person, initials=inits, order="given_first")
        else:
            org = rec["org"]
            abbr = {}
            for i, d in enumerate(org["desc"]):
                en, abbrs, _h, tr = TO.DESCRIPTORS[d]
                usable = en is None if org["culture"] == "tr" else en is not None
                if abbrs and usable and (not abbr or self.rng.random() < 0.6):
                    abbr[i] = self.rng.randrange(len(abbrs))
            if not abbr:
                return False
            text = render_org(org, abbrev=abbr)
        return self.true_ok(pid, text) and self.emit_true("abbreviation", pid, text)

    # ------------------------------------------------------------------ legal form
    def legal_form(self):
        pid = self.pick(ORGS_ALL, "legal_form")
        org = self.L.get(pid)["org"]
        if org["legal"] is None:
            if org["culture"] not in LEGAL_ADD:
                return False
            cls = LEGAL_ADD[org["culture"]]
            text = render_org(org, legal=("class", cls, self.rng.randrange(2)))
        else:
            forms = TO.LEGAL[org["legal"]][0]
            r = self.rng.random()
            others = [i for i in range(len(forms)) if i != org["legal_form"]]
            if r < 0.45 and others:
                quote = org["culture"] in ("ru", "uk", "be", "kz") and not org["desc"] \
                    and self.rng.random() < 0.3
                text = render_org(org, legal=("form", self.rng.choice(others)), quote=quote)
            elif r < 0.7:
                text = render_org(org, legal="drop")
            elif r < 0.88 and org["legal"] in LEGAL_SWAP:
                cls = self.rng.choice(LEGAL_SWAP[org["legal"]])
                idx = self.rng.randrange(min(2, len(TO.LEGAL[cls][0])))
                text = render_org(org, legal=("class", cls, idx))
            elif org["legal"] in FLIPPABLE:
                _, front = legal_text(org)
                text = render_org(org, legal_front=not front)
            else:
                return False
        return self.true_ok(pid, text) and self.emit_true("legal_form", pid, text)

    # ----------------------------------------------------------------------- alias
    def alias(self):
        weights = PERSONS_ALL + ORGS_ALL + [(("vessel", "vessel"), 8),
                                            (("aircraft", "aircraft"), 3)]
        pid = self.pick(weights, "alias")
        rec = self.L.get(pid)
        names = [n["name"] for n in rec["names"] if n["kind"] != "primary"]
        if not names:
            return False
        text = self.rng.choice(names)
        if self.L.by_fold.get(fold(text)) != {pid}:
            return False
        return self.true_ok(pid, text, allow_listed=True) and self.emit_true("alias", pid, text)
