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
REQUIREMENTS = Usage(
    "requirements [OBJ] [page <n>]", "requirements SKY", "registered", "requirements"
)
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
PLEDGE_CLASSIFY = Usage(
    "pledge classify <P-n> us|other-backstop|national|mandate|other|auto",
    "pledge classify P-3 european",
    "coordinator",
    "pledges",
)
WITHDRAW = Usage(
    'withdraw <P-n> ["reason"]',
    'withdraw P-3 "parliament voted no"',
    "own delegation or coordinator",
    "pledges",
)
RECONFIRM_EVERY = Usage(
    "reconfirm every <N>d [grace <M>d] | reconfirm off",
    "reconfirm every 90d grace 14d",
    "coordinator",
    "pledges",
)
RECONFIRM = Usage("reconfirm <P-n>…", "reconfirm P-3 P-7", "own delegation", "pledges")
PLEDGES = Usage(
    "pledges [mine|<REQ>|<DELEGATION>] [page <n>]", "pledges SKY-2", "registered", "pledges"
)
ASK = Usage(
    "ask [<REQ>:|<OBJ>:] <question…>",
    "ask SKY-3: who provides the airborne early warning backstop?",
    "delegate",
    "questions",
)
ANSWER = Usage(
    'answer <Q-n> <answer…> | answer <Q-n> "<answer>" publish',
    'answer Q-2 "The lead nations are seeking a US backstop." publish',
    "coordinator",
    "questions",
)
QUESTIONS = Usage("questions [open|all] [page <n>]", "questions all", "registered", "questions")
QUESTION_STATUS = Usage(
    "question close|reopen <Q-n>", "question close Q-2", "coordinator", "questions"
)
QUESTION_DUPLICATE = Usage(
    "question duplicate <Q-n> of <Q-m>", "question duplicate Q-4 of Q-2", "coordinator", "questions"
)
STATUS = Usage("status [OBJ]", "status SKY", "registered", "reports")
GAPS = Usage("gaps [page <n>]", "gaps page 2", "registered", "reports")
SETUP = Usage(
    "setup coordinators-channel <#channel>",
    "setup coordinators-channel #coordinators",
    "coordinator",
    "delegations",
)
DIGEST_SUBSCRIBE = Usage(
    "digest subscribe [#channel] [weekly <weekday> <HH:MM> [<IANA time zone>]]",
    "digest subscribe #coalition-status weekly friday 16:00 Europe/Brussels",
    "coordinator",
    "broadcasts",
)
DIGEST_UNSUBSCRIBE = Usage(
    "digest unsubscribe [#channel]",
    "digest unsubscribe #coalition-status",
    "coordinator",
    "broadcasts",
)
DIGEST_LIST = Usage("digest list", "digest list", "coordinator", "broadcasts")
DIGEST_PREVIEW = Usage("digest preview", "digest preview", "registered", "broadcasts")
DIGEST_NOW = Usage(
    "digest now [#channel]", "digest now #coalition-status", "coordinator", "broadcasts"
)
ALERTS_SUBSCRIBE = Usage(
    "alerts subscribe [#channel]", "alerts subscribe #coordinators", "coordinator", "broadcasts"
)
ALERTS_UNSUBSCRIBE = Usage(
    "alerts unsubscribe [#channel]", "alerts unsubscribe #coordinators", "coordinator", "broadcasts"
)
ALERTS_LIST = Usage("alerts list", "alerts list", "coordinator", "broadcasts")
CALL_OPEN = Usage(
    'call open <OBJ|REQ>… due <YYYY-MM-DD> <HH:MM> [<IANA time zone>] ["<message>"]',
    'call open SKY LAND-2 due 2027-04-02 12:00 Europe/Brussels "Offers before the conference"',
    "coordinator",
    "calls",
)
CALLS = Usage("calls", "calls", "registered", "calls")
CALL_STATUS = Usage("call status <C-n>", "call status C-3", "registered", "calls")
CALL_EXTEND = Usage(
    "call extend <C-n> <YYYY-MM-DD> <HH:MM> [<IANA time zone>]",
    "call extend C-3 2027-04-09 12:00",
    "coordinator",
    "calls",
)
CALL_CLOSE = Usage("call close <C-n>", "call close C-3", "coordinator", "calls")
DECLINE = Usage(
    'decline <C-n|REQ|OBJ> ["<reason>"]',
    'decline C-3 "no deployable battery before 2028"',
    "delegate",
    "calls",
)
EXPORT = Usage("export [csv|xlsx]", "export xlsx", "registered", "reports")
REPORT = Usage(
    "report [coalition|coordinators] [draft]",
    "report coalition",
    "registered; the coordinators' edition: coordinator",
    "reports",
)
HISTORY = Usage("history <P-n|Q-n|C-n|REQ> [page <n>]", "history SKY-2", "registered", "reports")

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
    PLEDGE_CLASSIFY,
    WITHDRAW,
    RECONFIRM_EVERY,
    RECONFIRM,
    PLEDGES,
    ASK,
    ANSWER,
    QUESTIONS,
    QUESTION_STATUS,
    QUESTION_DUPLICATE,
    STATUS,
    GAPS,
    HISTORY,
    SETUP,
    DIGEST_SUBSCRIBE,
    DIGEST_UNSUBSCRIBE,
    DIGEST_LIST,
    DIGEST_PREVIEW,
    DIGEST_NOW,
    ALERTS_SUBSCRIBE,
    ALERTS_UNSUBSCRIBE,
    ALERTS_LIST,
    CALL_OPEN,
    CALLS,
    CALL_STATUS,
    CALL_EXTEND,
    CALL_CLOSE,
    DECLINE,
    EXPORT,
    REPORT,
]
TOPICS = {
    "delegations": "Delegations, members, coordinators and objectives",
    "requirements": "The statement of requirements",
    "pledges": "Pledges: offering, updating, withdrawing, reconfirming",
    "questions": "Questions (RFIs) and answers",
    "reports": "Coverage, gaps, the audit trail and exports",
    "broadcasts": "Weekly digests and gap alerts to channels",
    "calls": "Calls for contributions, nil returns and reminders",
    "words": "What firm, pending, conditional, open and the postures mean",
}
