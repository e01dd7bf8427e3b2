"""The grammar as users read it: one usage line and one example per subcommand."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    form: str
    example: str
    who: str
    topic: str

    def __str__(self) -> str:
        return f"Usage: `/muster {self.form}`"


HELP = Usage("help [topic]", "help pledges", "anyone", "help")
DELEGATION_ADD = Usage(
    "delegation add <CODE> <name…>", "delegation add NM Northmark", "coordinator", "delegations"
)
DELEGATION_MEMBER = Usage(
    "delegation member <CODE> <@user>…",
    "delegation member NM @alice @bob",
    "coordinator",
    "delegations",
)
DELEGATIONS = Usage("delegations", "delegations", "registered", "delegations")
COORDINATOR_ADD = Usage(
    "coordinator add <@user>", "coordinator add @carol", "coordinator", "delegations"
)
OBJECTIVES = Usage("objectives", "objectives", "registered", "delegations")
OBJECTIVE_EDIT = Usage(
    'objective edit <OBJ> name "<name>" | leads <CODE>…',
    "objective edit SKY leads NM",
    "coordinator",
    "delegations",
)
REQUIREMENT_ADD = Usage(
    'requirement add <OBJ> <quantity> <unit> "<title>" [critical|essential|desirable] [enabler] [by YYYY-MM-DD]',
    'requirement add SKY 6 batteries "Medium-range ground-based air defence" critical enabler by 2027-03-01',
    "coordinator",
    "requirements",
)
REQUIREMENT_EDIT = Usage(
    'requirement edit <REQ> quantity <n> | priority <p> | by <YYYY-MM-DD|none> | title "<t>" | notes "<n>" | enabler yes|no',
    "requirement edit SKY-2 quantity 8",
    "coordinator",
    "requirements",
)
REQUIREMENTS = Usage("requirements [OBJ]", "requirements SKY", "registered", "requirements")
PLEDGE = Usage(
    'pledge <REQ> <quantity> [indicated|offered|confirmed] [restricted] [if "<condition>"] [caveat "<caveat>"] [from YYYY-MM-DD]',
    'pledge LAND-1 1 offered if "US backstop"',
    "delegate",
    "pledges",
)
PLEDGE_UPDATE = Usage(
    'pledge update <P-n> [quantity <n>] [status <s>] [if "<condition>"|unconditional] [caveat "<c>"] [from <date>] [restricted|coalition]',
    "pledge update P-3 status confirmed unconditional",
    "own delegation",
    "pledges",
)
WITHDRAW = Usage(
    'withdraw <P-n> ["reason"]',
    'withdraw P-3 "parliament voted no"',
    "own delegation or coordinator",
    "pledges",
)
PLEDGES = Usage("pledges [mine|<REQ>|<DELEGATION>]", "pledges SKY-2", "registered", "pledges")
ASK = Usage(
    "ask [<REQ>:|<OBJ>:] <question…>",
    "ask SKY-3: who provides the airborne early warning backstop?",
    "delegate",
    "questions",
)
ANSWER = Usage(
    "answer <Q-n> <answer…>",
    "answer Q-2 The lead nations are seeking a US backstop.",
    "coordinator",
    "questions",
)
QUESTIONS = Usage("questions [open|all]", "questions all", "registered", "questions")
QUESTION_STATUS = Usage(
    "question close|reopen <Q-n>", "question close Q-2", "coordinator", "questions"
)
STATUS = Usage("status [OBJ]", "status SKY", "registered", "reports")
GAPS = Usage("gaps", "gaps", "registered", "reports")
SETUP = Usage(
    "setup coordinators-channel <#channel>",
    "setup coordinators-channel #coordinators",
    "coordinator",
    "delegations",
)
HISTORY = Usage("history <P-n|Q-n|REQ>", "history SKY-2", "registered", "reports")

ALL = [
    HELP,
    DELEGATION_ADD,
    DELEGATION_MEMBER,
    DELEGATIONS,
    COORDINATOR_ADD,
    OBJECTIVES,
    OBJECTIVE_EDIT,
    REQUIREMENT_ADD,
    REQUIREMENT_EDIT,
    REQUIREMENTS,
    PLEDGE,
    PLEDGE_UPDATE,
    WITHDRAW,
    PLEDGES,
    ASK,
    ANSWER,
    QUESTIONS,
    QUESTION_STATUS,
    STATUS,
    GAPS,
    HISTORY,
    SETUP,
]
TOPICS = {
    "delegations": "Delegations, members, coordinators and objectives",
    "requirements": "The statement of requirements",
    "pledges": "Pledges: offering, updating, withdrawing",
    "questions": "Questions (RFIs) and answers",
    "reports": "Coverage, gaps and the audit trail",
}
