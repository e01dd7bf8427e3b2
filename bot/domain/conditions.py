"""Condition classes: what a pledge's condition waits on, read from the words
delegations write, so the weekly report can say "2 battlegroups hinge on a US backstop".

The classes are the planners' own (see DOMAIN.md). Classifying is a matter of
evidence, and the report is read by ministers, so the rules lean one way: a
condition is filed as a US dependency only when it names the US. The classes are
tried in this order, and the first with evidence wins:

1. the US is named (not as what to do without: "non-US", "without US enablers")
   -> US enablers or backstop;
2. a backstop or an enabler (air cover, ISR, tankers, airlift, medevac…), its provider
   another nation, Europe, NATO, or not named -> another nation's or a European backstop;
3. a mandate proper (UN, Security Council, host-nation invitation or consent, SOFA,
   legal basis, ceasefire or peace agreement, a NAC, EU or OSCE decision) -> mandate;
4. national approval (a parliament, cabinet, government, budget, election, or a
   bare "approval" or "decision") -> national;
5. a bare "mandate" or "resolution" -> mandate (after 4, so "Bundestag mandate" and
   "Folketing resolution" stay national);
6. another nation named with a contribution ("if Germany also contributes",
   "alongside Polish troops") -> another nation's backstop (after 4, because a
   nationality more often qualifies a parliament: "the Finnish parliament");
7. anything else -> other.

Why backstops first: the report's conditional capacity answers "what would unlock
this", and a dependency on another country's forces is what co-chairs and ministers
can act on together; a parliament typically votes once the backstop is settled.
Why a mandate before a national vote: parliaments vote on a mission with a legal
basis (Ireland's "triple lock" names UN mandate, government decision and Dáil
approval: the first gates the rest). Rules of engagement are no class of their own:
clarity on them is the coalition's own question to answer (an RFI), neither an
outside legal basis nor a national vote, so "clarity on ROE" is *other*, while
"national ROE approval" is national by its approval. Coordinators correct a
misfiled pledge with `/muster pledge classify`.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class ConditionKind(StrEnum):
    # Stored as these short strings (Pledge.condition_kind); migration 0006 moved
    # the old values (us_backstop, parliament, legal_mandate, rules_of_engagement).
    US = "us"
    OTHER_BACKSTOP = "other_backstop"
    NATIONAL = "national"
    MANDATE = "mandate"
    OTHER = "other"


CONDITION_LABELS = {
    ConditionKind.US: "US enablers or backstop",
    ConditionKind.OTHER_BACKSTOP: "another nation's or a European backstop",
    ConditionKind.NATIONAL: "national or parliamentary approval",
    ConditionKind.MANDATE: "mandate, ceasefire or host-nation invitation",
    ConditionKind.OTHER: "other conditions",
}

# The words `/muster pledge classify` accepts, lower-cased; the old stored values too.
CLASS_WORDS = {
    **dict.fromkeys(("us", "u.s.", "usa", "us-backstop", "us_backstop"), ConditionKind.US),
    **dict.fromkeys(
        ("other-backstop", "other_backstop", "european", "non-us", "partner"),
        ConditionKind.OTHER_BACKSTOP,
    ),
    **dict.fromkeys(("national", "parliament", "parliamentary"), ConditionKind.NATIONAL),
    **dict.fromkeys(("mandate", "legal_mandate", "ceasefire", "un"), ConditionKind.MANDATE),
    "other": ConditionKind.OTHER,
}
CLASS_CHOICES = "us, other-backstop (or european), national, mandate, other"


def class_for_word(word: str) -> ConditionKind | None:
    return CLASS_WORDS.get(word.strip().lower())


def _any(fragments: str, *, case_sensitive: bool = False) -> re.Pattern[str]:
    """One pattern for several whole words or phrases: regex fragments separated by
    white space (a space inside a phrase is written \\s+)."""
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(r"\b(?:" + "|".join(fragments.split()) + r")\b", flags)


# --- 1. the United States ---------------------------------------------------------

# "US" in capitals only: the pronoun "us" is no backstop ("give us air cover"). In
# lower case it counts after an article ("a us backstop"), where no pronoun stands.
_US_CAPITALS = _any(
    r"""
        U\.?S\.?A? US(?:AF|AFE|N|MC|SF|AREUR|EUCOM|CENTCOM|SOCOM|TRANSCOM|CG) ITAR FMS
    """,
    case_sensitive=True,
)
_US_WORDS = _any(
    r"""
        united\s+states americans? washington(?!\s+treaty) pentagon white\s+house
        state\s+department (?:us\s*)?(?:eucom|centcom|africom|transcom|socom)
        foreign\s+military\s+sales? (?:a|the)\s+us u\.s
        us-(?:led|provided|supplied|based)
    """
)
_US_NAME = r"(?:U\.?S\.?A?|americans?|united\s+states|washington)"
# What to do without, or instead of, the US: erased before the US is looked for.
_WITHOUT_US = re.compile(
    r"\b(?:non|not|without|no|excluding|except(?:\s+for)?|independent(?:ly)?\s+of|"
    r"regardless\s+of|other\s+than|rather\s+than|instead\s+of|alternatives?\s+to|"
    r"replac(?:e|es|ing)|not\s+(?:dependent|reliant|relying)\s+on|in\s+place\s+of)"
    r"[\s-]+(?:the\s+|a\s+|an\s+|any\s+)?" + _US_NAME + r"\b",
    re.IGNORECASE,
)
_TREATY = re.compile(r"\b(?:washington\s+treaty|treaty\s+of\s+washington)\b", re.IGNORECASE)

# --- 2. backstops and enablers ----------------------------------------------------

_BACKSTOP = _any(
    r"""
        back[\s-]?stop(?:s|ped|ping)? (?:security\s+)?guarantees? guarantor enablers?
        air[\s-]+(?:cover|support|umbrella|policing|superiority|defen[cs]e|component)
        umbrella close\s+air\s+support isr intelligence(?:\s+sharing)? surveillance
        reconnaissance satellite(?:\s+imagery)? imagery awacs aew(?:&c)? early\s+warning
        tankers? (?:air[\s-]+to[\s-]+air\s+)?refuel(?:l)?ing aar airlift sealift
        strategic\s+lift logistics?(?:\s+support)? medevac casevac aeromedical
        role\s+[23] field\s+hospitals? quick\s+reaction\s+force qrf reinforcements?
        extraction missile\s+defen[cs]e counter[\s-]+(?:drone|uas|battery)
        fire\s+support host[\s-]+nation\s+support
    """
)

# --- 3. and 5. mandates -----------------------------------------------------------

_MANDATE = re.compile(
    # "UN" in capitals only: "un" is French for "a", and delegations write French too.
    r"(?-i:\b(?:UN|U\.N|UNSC)\b)|"
    + _any(
        r"""
            united\s+nations security\s+council chapter\s+vii resolution\s+\d+
            host[\s-]+(?:nation|country|government|state)(?!\s+support)
            invit(?:e|es|ed|ing|ation) sofa status[\s-]+of[\s-]+forces
            legal\s+(?:basis|status|framework) international\s+law article\s+51
            cease[\s-]*fire armistice truce cessation\s+of\s+hostilities
            peace\s+(?:agreement|deal|accord|settlement|treaty)
            north\s+atlantic\s+council nac osce csdp (?:eu|european)\s+council
            foreign\s+affairs\s+council
            (?:eu|nato|osce|international|multilateral)\s+(?:mandate|decision|approval)
            approval\s+(?:by|of|from)\s+(?:the\s+)?(?:eu|nato|osce)
        """
    ).pattern,
    re.IGNORECASE,
)
_BARE_MANDATE = _any(r"mandated? resolutions?")

# --- 4. national approval ---------------------------------------------------------

# Written without accents: text is compared with its accents taken off.
_NATIONAL = _any(
    r"""
        parliament(?:s|ary)? parlament\w* legislat(?:ure|ive|ion) bundestag bundesrat
        nationalrat national\s+council main\s+committee eduskunta riksdag(?:en)?
        storting(?:et)? folketing(?:et)? althing(?:i)? sejm senate? seimas saeima
        riigikogu sabor orszaggyules (?:tweede|eerste)\s+kamer staten[\s-]+generaal
        states[\s-]+general article\s+100 artikel\s+100 cortes(?:\s+generales)?
        congres[so]? congress\s+of\s+deputies chambers?(?:\s+of\s+deputies)?
        camera\s+dei\s+deputati assemblee\s+nationale (?:grand\s+)?national\s+assembly
        assembleia\s+da\s+republica house\s+of\s+(?:commons|representatives|lords)
        oireachtas dail diet kokkai (?:verkhovna\s+)?rada tbmm votes? voted ballot
        referendum cabinet council\s+of\s+(?:ministers|state)
        (?:federal\s+)?government(?:'s)?\s+(?:approval|decision|consent|sign[\s-]?off)
        (?:federal\s+)?government(?:'s)?\s+authori[sz]ation
        government\s+council kysea csat (?:prime\s+)?minister(?:s|ial)?
        ministry\s+of\s+defen[cs]e mod president(?:ial)?\s+(?:decision|decree|approval)
        decision\s+of\s+the\s+president royal\s+assent decrees?
        national\s+(?:approval|decision|procedures?|authori[sz]ation)
        domestic\s+(?:approval|procedures?|authori[sz]ation) constitutional
        in\s+capitals? capitals?'?\s+(?:approval|decision|sign[\s-]?off) budget(?:ary)?
        appropriations? finance\s+(?:committee|bill|act) defen[cs]e\s+committee treasury
        elections? new\s+government coalition\s+agreement approv(?:al|e|ed|es)
        authori[sz](?:ation|e|ed|es) sign[\s-]?off decision consent
    """
)

# --- 6. another nation's contribution --------------------------------------------

# Europe, NATO (its common assets are no US backstop), partners, nations and capitals;
# the demo coalition's nations last.
_PARTNER = _any(
    r"""
        europe(?:an)?s? eu eufor nato(?:'s)? allie[sd] ally coalition partners?
        (?:an)?other\s+(?:nations?|countr(?:y|ies)|contributors?|all(?:y|ies))
        (?:lead|framework)\s+nations? e3 jef joint\s+expeditionary\s+force nordic baltic
        benelux weimar u\.?k\.? united\s+kingdom britain british france french
        german[ys]? poland polish ital(?:y|ian) spain spanish netherlands dutch
        belgi(?:um|an) denmark danish norw(?:ay|egian) swed(?:en|ish) fin(?:land|nish)
        eston(?:ia|ian) latvi(?:a|an) lithuani(?:a|an) czech slovak(?:ia)? romania(?:n)?
        bulgaria(?:n)? gree(?:ce|k) portug(?:al|uese) canad(?:a|ian) australia(?:n)?
        japan(?:ese)? turk(?:ey|ish|iye) ireland irish austria(?:n)? croatia(?:n)?
        hungar(?:y|ian) london paris berlin warsaw rome northmark valdoria(?:n)? ostland
        caledor meridia(?:n)? lakeland
    """
)
_CONTRIBUTION = _any(
    r"""
        support(?:s|ed|ing)? cover(?:s|ed|ing)? protection provid(?:e|es|ed|ing)
        contribut(?:e|es|ed|ing|ion|ions) leads? leading [\w.]+-led led\s+by
        participat(?:e|es|ion) joins? alongside together\s+with commit(?:s|ment|ments)
        deploys? assets presence troops forces escort(?:s|ed)?
    """
)


def _plain(text: str) -> str:
    """The text with accents and typographic dashes and apostrophes made plain."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(str.maketrans("‐‑‒–—’‘`\u00a0", "-----''' "))


def _blank(pattern: re.Pattern[str], text: str) -> str:
    """Erase matches, keeping every other character where it was."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


def names_us(text: str) -> bool:
    """Whether the text makes the US a party to the condition."""
    text = _blank(_TREATY, _blank(_WITHOUT_US, _plain(text)))
    return bool(_US_CAPITALS.search(text) or _US_WORDS.search(text))


def classify_condition(text: str) -> ConditionKind | None:
    """Sort a free-text condition into the classes the weekly report groups by
    (None for no condition); the order of the tests is the priority rule above."""
    if not text.strip():
        return None
    plain = _plain(text)
    if names_us(plain):
        return ConditionKind.US
    if _BACKSTOP.search(plain):
        return ConditionKind.OTHER_BACKSTOP
    if _MANDATE.search(plain):
        return ConditionKind.MANDATE
    if _NATIONAL.search(plain):
        return ConditionKind.NATIONAL
    if _BARE_MANDATE.search(plain):
        return ConditionKind.MANDATE
    if _PARTNER.search(plain) and _CONTRIBUTION.search(plain):
        return ConditionKind.OTHER_BACKSTOP
    return ConditionKind.OTHER


# --- what may not be a condition ---------------------------------------------------

_CEASEFIRE = re.compile(r"\b(?:cease\s*-?\s*fire|armistice|truce)s?\b", re.I)
# Words that add nothing to "the ceasefire": what is left after them (a duration,
# a verification, another condition) makes the condition this pledge's own.
_FILLER = _any(
    r"""
        if subject to a an the only after once when upon on in place is be being has
        have been there of provided that pending conditional first agreed signed
        declared reached concluded holds? holding held comes? into force effect lasting
        durable permanent comprehensive general full formal between parties all sides
    """
)


def check_condition(text: str) -> str | None:
    """Why a condition may not be attached to a single pledge, or None when it may.

    The ceasefire is the whole mission's precondition, so "once the ceasefire holds"
    says nothing about this pledge and is refused; a condition that qualifies it ("a
    ceasefire holding for 30 days", "verified by monitors") is this nation's own, is
    accepted and is filed under mandate."""
    if not _CEASEFIRE.search(text):
        return None
    rest = _blank(_FILLER, _blank(_CEASEFIRE, _plain(text)))
    if re.search(r"\w", rest):
        return None
    return (
        "the ceasefire is the precondition of the whole mission, not a condition on one "
        "pledge; leave it out (every pledge already assumes it), or say what this pledge "
        "needs beyond it, e.g. “a ceasefire holding for 30 days”"
    )
