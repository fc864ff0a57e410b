"""Structured names: parts with all their written forms, and rendering them as text.

A person is a list of parts (given, patronymic, surname, ...); every part carries all its
romanisations (`forms`, keyed by system or variant) and its original script when the
culture has one. An organisation is city / qualifier / brand / descriptors / legal form.
Queries are produced by rendering the same structure another way, so what a query refers
to is known by construction.
"""

import unicodedata

import tables_orgs as TO

SURNAME_ROLES = ("surname", "surname2")
SCRIPT_JOIN = {"zh": "", "ko": ""}


# Letters that NFKD does not decompose into a base letter plus a mark.
_PLAIN = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D"})


def fold(text):
    """Lowercase letters only, diacritics removed (the check's normal form)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    return "".join(c for c in decomposed if c.isalpha()).casefold()


def words(text):
    """Lowercase letter tokens, diacritics removed, split at anything else."""
    out, cur = [], []
    for c in unicodedata.normalize("NFKD", text.translate(_PLAIN)):
        if unicodedata.combining(c):
            continue
        if c.isalpha():
            cur.append(c.casefold())
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def token_key(text):
    return " ".join(sorted(words(text)))


def ascii_fold(text):
    out = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("ß", "ss"))
    return "".join(c for c in out if not unicodedata.combining(c))


def german_fold(text):
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"),
                 ("ß", "ss")):
        text = text.replace(a, b)
    return text


def part(role, forms, script=None, lex_id=None, **extra):
    """One name part. `forms` maps a system/variant key to its Latin spelling."""
    first = next(iter(forms.values()))
    return dict(role=role, forms=forms, script=script, id=lex_id or (script or fold(first)),
                **extra)


def variant_forms(variants):
    return {f"v{i}": v for i, v in enumerate(variants)}


# ----------------------------------------------------------------------------- persons


def person_order(person, order):
    """Parts in the requested order: 'native' (as listed), 'given_first', 'surname_first'."""
    parts = person["parts"]
    sur = [p for p in parts if p["role"] in SURNAME_ROLES]
    rest = [p for p in parts if p["role"] not in SURNAME_ROLES]
    native_sfirst = person["culture"] in ("zh", "ko") or person.get("order") == "sfirst"
    if order == "native":
        order = "surname_first" if native_sfirst else "given_first"
    return sur + rest if order == "surname_first" else rest + sur


def form_of(p, key):
    forms = p["forms"]
    if key in forms:
        return forms[key]
    return forms.get("v0") or next(iter(forms.values()))


def render_person(person, sel=None, order="native", drop=(), initials=(), comma=False,
                  upper_surname=False, script=False):
    """Text of a person's name. sel: role -> form key (default: the listed choice)."""
    chosen = dict(person["sel"])
    chosen.update(sel or {})
    out = []
    parts = person_order(person, order)
    for p in parts:
        if p["role"] in drop:
            continue
        if script:
            text = p["script"]
        else:
            text = form_of(p, chosen[p["role"]])
        if p["role"] in initials:
            text = " ".join(w[0] + "." for w in text.replace("-", " ").split())
        if upper_surname and p["role"] in SURNAME_ROLES:
            text = text.upper()
        out.append(text)
    joiner = SCRIPT_JOIN.get(person["culture"], " ") if script else " "
    if comma:
        sur_n = sum(1 for p in parts if p["role"] in SURNAME_ROLES and p["role"] not in drop)
        return joiner.join(out[:sur_n]) + ", " + joiner.join(out[sur_n:])
    return joiner.join(out)


# ------------------------------------------------------------------------ organisations


def legal_text(org, form_idx=None):
    cls = org["legal"]
    if cls is None:
        return None, None
    forms, _ = TO.LEGAL[cls]
    idx = org["legal_form"] if form_idx is None else form_idx
    text = forms[idx]
    front = text in TO.LEGAL_FRONT or (cls in TO.LEGAL_FULL_FRONT_CLASSES and idx >= 2
                                      and not text.isupper())
    return text, front


def descriptor_text(org, d, abbrev=None):
    en, abbrs, _hanzi, turkish = TO.DESCRIPTORS[d]
    if abbrev is not None:
        return abbrs[abbrev]
    if org["culture"] == "tr" and turkish:
        return turkish
    return en


def render_org(org, brand_key=None, city="keep", drop_desc=(), abbrev=None, legal="keep",
               legal_front=None, quote=False, qualifier=True, extra_desc=None, upper=False):
    """Text of an organisation's name with optional changes.

    city: 'keep' | 'drop' | 'paren' | 'add:<name>'; legal: 'keep' | 'drop' | ('form', idx)
    | ('class', cls, idx); abbrev: {descriptor index: abbreviation index}.
    """
    abbrev = abbrev or {}
    words_out = []
    city_name = org["city"]["forms"]["en"] if org.get("city") else None
    if city.startswith("add:"):
        city_name = city[4:]
    if city_name and (city == "keep" or city.startswith("add:")):
        words_out.append(city_name)
    if org.get("qual") and qualifier:
        words_out.append(org["qual"][1])
    brand = form_of(org["brand"], brand_key or org["sel"])
    words_out.append(f'"{brand}"' if quote else brand)
    descs = list(org["desc"])
    if extra_desc:
        descs.append(extra_desc)
    for i, d in enumerate(descs):
        if i in drop_desc:
            continue
        words_out.append(descriptor_text(org, d, abbrev.get(i)))
    if city == "paren" and city_name:
        words_out.append(f"({city_name})")
    text = " ".join(w for w in words_out if w)
    if legal == "drop":
        return text.upper() if upper else text
    if legal == "keep":
        lt, front = legal_text(org)
    elif legal[0] == "form":
        lt, front = legal_text(org, legal[1])
    else:
        lt, front = legal_text(dict(org, legal=legal[1]), legal[2])
    if lt:
        if legal_front is not None:
            front = legal_front
        if front:
            text = f"{lt} {text}"
        else:
            sep = ", " if lt in ("Ltd.", "Inc.", "Corp.", "Co., Ltd.") and org["culture"] in (
                "west",) else " "
            text = f"{text}{sep}{lt}"
    return text.upper() if upper else text


def render_org_script(org, quote_style=0):
    """Original script of a Cyrillic or Chinese organisation; None if not expressible."""
    brand = org["brand"]
    if not brand.get("script"):
        return None
    legal_script = TO.LEGAL[org["legal"]][1] if org["legal"] else None
    if org["culture"] in ("zh", "hk"):
        hanzi = [TO.DESCRIPTORS[d][2] for d in org["desc"]]
        if any(h is None for h in hanzi) or (org.get("city") and not org["city"].get("script")):
            return None
        city = org["city"]["script"] if org.get("city") else ""
        return city + brand["script"] + "".join(hanzi) + (legal_script or "")
    if org["desc"] or not legal_script:
        return None
    qual = org["qual"][0] + " " if org.get("qual") else ""
    quoted = [f"«{brand['script']}»", f'"{brand["script"]}"', brand["script"]][quote_style]
    return f"{legal_script} {qual}{quoted}"
