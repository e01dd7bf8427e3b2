"""condition classes: US, another nation's backstop, national, mandate, other

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00

The classes of a pledge's condition were redesigned (bot/domain/conditions.py): a
backstop is filed as US only when the US is named, approvals by the Eduskunta, the
Diet or a budget bill are national, and "USAF tanker support" is a US enabler. The
old stored values cannot be mapped one to one ("us_backstop" held every backstop,
"other" held national approvals), so every stored condition is classified again from
its text, by a copy of the rules as they stood when this migration was written: a
migration must give the same result whenever it runs, whatever the application's
rules have become since. Reclassifying is not recorded in the audit trail: no one
changed a pledge; the reading of its condition changed.

A coordinator can now correct one pledge's class by hand (`/muster pledge classify`):
the new column condition_kind_manual says so, and a later change of the condition's
wording keeps that class. Every stored class was set by the rules, so it starts false.

Downgrading drops the corrections and files every condition again by the old rules
(also copied here).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "condition_kind_manual", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    _reclassify(classify)


def downgrade() -> None:
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_column("condition_kind_manual")
    _reclassify(classify_0005)


def _reclassify(rule: Callable[[str], str]) -> None:
    """Update the pledges whose class changes, by primary key: conditions are free
    text, mostly distinct, and no index serves a lookup by their text."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, condition, condition_kind FROM pledge")).all()
    params = [
        {"id": pledge_id, "kind": kind}
        for pledge_id, text, old in rows
        if (kind := rule(text)) != old
    ]
    if params:
        conn.execute(sa.text("UPDATE pledge SET condition_kind = :kind WHERE id = :id"), params)


# --- the rules of 0006, as bot/domain/conditions.py had them -------------------------


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


def classify(text: str) -> str:
    """The stored class of a condition, "" for none (first match wins, in this order)."""
    if not text.strip():
        return ""
    plain = _plain(text)
    if names_us(plain):
        return "us"
    if _BACKSTOP.search(plain):
        return "other_backstop"
    if _MANDATE.search(plain):
        return "mandate"
    if _NATIONAL.search(plain):
        return "national"
    if _BARE_MANDATE.search(plain):
        return "mandate"
    if _PARTNER.search(plain) and _CONTRIBUTION.search(plain):
        return "other_backstop"
    return "other"


# --- the rules of 0005, as bot/domain/model.py had them ------------------------------

_OLD_PATTERNS = [
    (
        "us_backstop",
        re.compile(r"back\s*-?stop|(?-i:\bU\.?S\.?A?\b)|united states|american|washington", re.I),
    ),
    ("rules_of_engagement", re.compile(r"rules of engagement|\bROE\b", re.I)),
    (
        "parliament",
        re.compile(
            r"parliament|bundestag|congress|storting|riksdag|sejm|\bvote\b|legislat|cabinet", re.I
        ),
    ),
    (
        "legal_mandate",
        re.compile(
            r"mandate|resolution|legal basis|\bUN\b|UNSC|security council|international law|"
            r"\bSOFA\b|status of forces",
            re.I,
        ),
    ),
]


def classify_0005(text: str) -> str:
    if not text.strip():
        return ""
    for kind, pattern in _OLD_PATTERNS:
        if pattern.search(text):
            return kind
    return "other"
