"""Country names from affiliations, made comparable across sources.

Web of Science writes "Peoples R China", "USA" and "England"; Scopus writes "United States";
OpenAlex gives ISO 3166-1 alpha-2 codes. Everything is mapped onto pycountry's common names,
with the UK's constituent countries folded into "United Kingdom" (as InCites does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pycountry

# Spellings used by bibliographic exports that pycountry's fuzzy-free lookup does not know.
_ALIASES = {
    "usa": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "u.s.": "US",
    "peoples r china": "CN",
    "people's republic of china": "CN",
    "pr china": "CN",
    "p.r. china": "CN",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "north ireland": "GB",
    "northern ireland": "GB",
    "uk": "GB",
    "u.k.": "GB",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "russia": "RU",
    "iran": "IR",
    "taiwan": "TW",
    "vietnam": "VN",
    "viet nam": "VN",
    "turkey": "TR",
    "turkiye": "TR",
    "czech republic": "CZ",
    "u arab emirates": "AE",
    "uae": "AE",
    "bosnia & herceg": "BA",
    "trinid & tobago": "TT",
    "papua n guinea": "PG",
    "dem rep congo": "CD",
    "rep congo": "CG",
    "cote ivoire": "CI",
    "syria": "SY",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "macedonia": "MK",
    "north macedonia": "MK",
    "brunei": "BN",
    "palestine": "PS",
    "kosovo": "XK",
    "trinidad tobago": "TT",
    "dominican rep": "DO",
    "st lucia": "LC",
    "st kitts & nevi": "KN",
    "antigua & barbu": "AG",
    "st vincent": "VC",
    "cent afr republ": "CF",
    "marshall island": "MH",
    "solomon islands": "SB",
    "bosnia & herzegovina": "BA",
}
# Countries that no longer exist keep their historical name rather than becoming None.
_HISTORICAL = {
    "yugoslavia": "Yugoslavia",
    "serbia monteneg": "Serbia and Montenegro",
    "ussr": "USSR",
}
_ZIP_RE = re.compile(r"\b\d{3,}\b|\b[A-Z]{2}\s*$")


def _name(code: str) -> str | None:
    if code == "XK":
        return "Kosovo"
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return None
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=4096)
def normalise_country(value: str | None) -> str | None:
    """Canonical country name for an export's spelling or an ISO code; None if unknown."""
    if not value:
        return None
    text = value.strip().rstrip(".").strip()
    if not text:
        return None
    key = text.lower()
    if key in _ALIASES or key + "." in _ALIASES:
        return _name(_ALIASES.get(key) or _ALIASES[key + "."])
    if len(text) == 2 and text.isalpha():
        return _name(text.upper())
    if key in _HISTORICAL:
        return _HISTORICAL[key]
    if key.startswith("the "):
        text, key = text[4:], key[4:]
    # US addresses end "... , CA 94305 USA"; keep the last word(s) naming the country.
    if key.endswith(" usa") or key == "usa":
        return _name("US")
    if key in _ALIASES:
        return _name(_ALIASES[key])
    try:
        return _name(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        pass
    stripped = _ZIP_RE.sub("", text).strip(" ,")
    if stripped and stripped != text:
        return normalise_country(stripped)
    return None


def countries_of_addresses(addresses: Iterable[str]) -> list[str]:
    """Countries of affiliation addresses, deduplicated in order: each address's last
    comma-separated part ("Stanford, CA 94305 USA" -> "United States"), normalised."""
    found: dict[str, None] = {}
    for address in addresses:
        country = normalise_country(address.rsplit(",", 1)[-1].strip())
        if country:
            found.setdefault(country, None)
    return list(found)
