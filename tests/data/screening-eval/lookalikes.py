"""Look-alike and unlisted queries: names that must not match anything on the list."""

import orgs as OG
import people as PE
import tables_orgs as TO
import tables_people as TP
from checks import levenshtein
from names import fold, form_of, render_org, render_person
from people import person_core, full_key
from variants import Variants

P = "person"
O = "organisation"


class Lookalikes(Variants):
    def _org_false(self, category, src_pid, org, brand):
        """Emit org with brand replaced, if the brand and the name are not listed."""
        if not self.L.brand_free(brand):
            return False
        new = dict(org, brand=brand, sel=org["sel"] if org["sel"] in brand["forms"]
                   else next(iter(brand["forms"])))
        text = render_org(new)
        if not self.false_ok(text):
            return False
        self.used.add((category, src_pid))
        return self.emit(category, text, [], O, org["country"])

    # ------------------------------------------------------------- generic words
    def lookalike_generic(self):
        weights = [((O, c), w) for c, w in [("zh", 25), ("hk", 5), ("ae", 14), ("ir", 8),
                                              ("tr", 7), ("baltic", 5), ("west", 10), ("sg", 3),
                                              ("my", 2), ("kp", 4), ("pk", 3), ("ru", 10),
                                              ("pl", 2), ("uk", 2)]]
        pid = self.pick(weights, "lookalike_generic")
        org = self.L.get(pid)["org"]
        if not org["desc"] and not org.get("city") and not org.get("qual"):
            return False
        culture = org["culture"]
        if culture in OG.CYR_ORG:
            brand = OG.stem_brand(self.rng)
            if {s.lower() for s in brand["stems"]} & {s.lower() for s in org["brand"]["stems"]}:
                return False
        elif culture in ("zh", "hk"):
            brand = OG.zh_brand(self.rng)
            if set(brand["syl"]) & set(org["brand"]["syl"]):
                return False
        else:
            brand = OG.latin_brand(self.rng, culture)
            if set(fold(w) for w in brand["forms"]["v0"].split()) & \
                    set(fold(w) for w in org["brand"]["forms"]["v0"].split()):
                return False
        if self.brand_unsafe(brand, culture):
            return False
        return self._org_false("lookalike_generic", pid, org, brand)

    def brand_unsafe(self, brand, culture):
        """Brand is a subset/superset of, or within a couple of edits of, a listed brand; for
        Korean corporations the leading word alone is distinctive (the rest is a sector)."""
        if self.L.brand_overlaps(brand) or \
                any(self.near_brands.near(fold(f)) for f in brand["forms"].values()):
            return True
        return culture == "kp" and fold(brand["forms"]["v0"].split()[0]) in self.L.brand_tokens

    # ---------------------------------------------------------------- surnames
    def lookalike_surname(self):
        weights = [((P, "ru"), 55), ((P, "uk"), 15), ((P, "be"), 10), ((P, "ar"), 20)]
        pid = self.pick(weights, "lookalike_surname")
        person = self.L.get(pid)["person"]
        culture = person["culture"]
        sur_idx = next((i for i, p in enumerate(person["parts"]) if p["role"] == "surname"), None)
        if sur_idx is None:
            return False
        old = person["parts"][sur_idx]
        if culture == "ar":
            new_part = PE.script_part("ar", "surname", self.rng.choice(TP.AR_FAMILY))
            sel_key = "v0"
        else:
            surnames = PE.CYR_TABLES[culture][2]
            cyr = self.rng.choice(surnames)
            if person["female"]:
                cyr = PE.feminine_surname(culture, cyr)
            new_part = PE.cyr_part(culture, "surname", cyr)
            sel_key = person["sel"]["surname"]
        a = fold(form_of(old, person["sel"]["surname"]))
        b = fold(form_of(new_part, sel_key))
        if levenshtein(a, b) < 3 or a[:4] == b[:4]:
            return False
        parts = list(person["parts"])
        parts[sur_idx] = new_part
        new = dict(person, parts=parts, sel=dict(person["sel"], surname=sel_key))
        if full_key(new) in self.L.person_full or self.L.person_core.get(person_core(new)):
            return False
        text = render_person(new)
        if not self.false_ok(text):
            return False
        self.used.add(("lookalike_surname", pid))
        rec = self.L.get(pid)
        return self.emit("lookalike_surname", text, [], P, rec["countries"][0])

    # ------------------------------------------------------------------ Chinese
    def lookalike_chinese(self):
        pid = self.pick([((P, "zh"), 70), ((O, "zh"), 25), ((O, "hk"), 5)], "lookalike_chinese")
        rec = self.L.get(pid)
        if rec["kind"] == P:
            person = rec["person"]
            sur = next(s for s in TP.ZH_SURNAMES if s[0] == person["parts"][0]["script"])
            syl = [next(g for g in TP.ZH_GIVEN if g[0] == h) for h in person["parts"][1]["syl"]]
            new_syl = self._change_syllables(syl)
            if new_syl is None:
                return False
            new = PE.make_chinese(self.rng, syllables=new_syl, surname=sur)
            new["sel"] = dict(person["sel"])
            if full_key(new) in self.L.person_full:
                return False
            text = render_person(new)
            if not self.false_ok(text):
                return False
            self.used.add(("lookalike_chinese", pid))
            return self.emit("lookalike_chinese", text, [], P, rec["countries"][0])
        org = rec["org"]
        syl = list(org["brand"]["syl"])
        new_syl = self._change_syllables(syl)
        if new_syl is None:
            return False
        return self._org_false("lookalike_chinese", pid, org, OG.zh_brand(self.rng, new_syl))

    def _change_syllables(self, syl):
        if len(syl) == 2 and syl[0][1] != syl[1][1] and self.rng.random() < 0.4:
            return [syl[1], syl[0]]
        i = self.rng.randrange(len(syl))
        choice = self.rng.choice(TP.ZH_GIVEN)
        if choice[1] == syl[i][1] or choice[2] == syl[i][2]:
            return None
        out = list(syl)
        out[i] = choice
        return out

    # ------------------------------------------------------------------- stems
    def lookalike_stem(self):
        pid = self.pick([((O, "ru"), 70), ((O, "uk"), 10), ((O, "be"), 10), ((O, "kz"), 10)],
                        "lookalike_stem")
        org = self.L.get(pid)["org"]
        stems = list(org["brand"]["stems"])
        i = self.rng.randrange(len(stems))
        if i == 0:
            pool = TO.STEM_HEADS
        elif i == len(stems) - 1:
            pool = TO.STEM_TAILS
        else:
            pool = TO.STEM_MIDS
        new_stem = self.rng.choice(pool)
        if new_stem.lower() == stems[i].lower():
            return False
        stems[i] = new_stem
        if len(set(s.lower() for s in stems)) < len(stems):
            return False
        return self._org_false("lookalike_stem", pid, org, OG.stems_part(stems))

    # ---------------------------------------------------------------- unlisted
    def unlisted(self):
        r = self.rng.random()
        if r < 0.5:
            culture = PE.weighted(self.rng, PE.PERSON_MIX)
            person = PE.MAKERS[culture](self.rng)
            if full_key(person) in self.L.person_full or \
                    self.L.person_core.get(person_core(person)):
                return False
            text = render_person(person)
            country = self.rng.choice(PE.CULTURE_COUNTRIES[culture])
            return self.false_ok(text) and self.emit("unlisted", text, [], P, country)
        if r < 0.95:
            culture = PE.weighted(self.rng, OG.ORG_MIX)
            org = OG.make_org(self.rng, culture)
            brand = org["brand"]
            if not self.L.brand_free(brand) or self.brand_unsafe(brand, culture):
                return False
            text = render_org(org)
            return self.false_ok(text) and self.emit("unlisted", text, [], O, org["country"])
        vessel = OG.make_vessel(self.rng)
        if not self.false_ok(vessel["name"]):
            return False
        return self.emit("unlisted", vessel["name"], [], "vessel", vessel["country"])
