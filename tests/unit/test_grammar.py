"""The grammar, as pure functions: every subcommand, valid and invalid forms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.errors import BadInput
from bot.domain.model import PledgeStatus, Priority, QuestionStatus
from bot.services.pledges import PledgeChange
from handlers import (
    answers,
    delegations,
    help,
    pledges,
    questions,
    reports,
    requirements,
    setup,
)
from handlers.grammar import Token, tokenize, user_id
from handlers.router import parse_command


def parsed(text: str) -> object:
    return parse_command(text)[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('if "US backstop"', ["if", "US backstop"]),
        ("if “US backstop”", ["if", "US backstop"]),
        ("if „US backstop“", ["if", "US backstop"]),
        ("if «US backstop»", ["if", "US backstop"]),
        ("a   b\tc", ["a", "b", "c"]),
        ("R&amp;D &lt;b&gt;", ["R&D", "<b>"]),
        ("don't split", ["don't", "split"]),
    ],
)
def test_tokenize_keeps_quoted_phrases_whole(text: str, expected: list[str]) -> None:
    assert [t.text for t in tokenize(text)] == expected


def test_quoted_tokens_are_marked() -> None:
    assert [t.quoted for t in tokenize('pledge "x y"')] == [False, True]


def test_unclosed_quote_is_refused() -> None:
    with pytest.raises(BadInput, match="quote is not closed"):
        tokenize('pledge SKY-1 1 if "US backstop')


@pytest.mark.parametrize("form", ["<@U123ABC|alice>", "<@U123ABC>", "@U123ABC"])
def test_mentions_in_all_three_forms(form: str) -> None:
    assert user_id(tokenize(form)[0]) == "U123ABC"


@pytest.mark.parametrize("text", ["alice", "@walter", "@u123abc", "<#C123|general>"])
def test_names_slack_did_not_resolve_are_not_mentions(text: str) -> None:
    assert user_id(Token(text)) is None


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("caveat “no ops beyond our partners’ airspace”", "no ops beyond our partners’ airspace"),
        ('if "the allies\' backstop"', "the allies' backstop"),
        ('"Allies\' tankers"', "Allies' tankers"),
    ],
)
def test_apostrophes_never_close_a_quoted_phrase(text: str, phrase: str) -> None:
    assert tokenize(text)[-1].text == phrase


def test_free_text_tolerates_an_unmatched_quote() -> None:
    assert [t.text for t in tokenize("Is “host nation support covered?", strict=False)][
        1
    ] == "“host"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", help.Help()),
        ("help", help.Help()),
        ("HELP Pledge", help.Help("pledges")),
        ("delegation add NM Northmark", delegations.AddDelegation("NM", "Northmark")),
        (
            "delegation add val Kingdom of Valdoria",
            delegations.AddDelegation("VAL", "Kingdom of Valdoria"),
        ),
        (
            "delegation member NM <@UA1|a> <@UB2> @UC3",
            delegations.AddMembers("NM", ("UA1", "UB2", "UC3")),
        ),
        ("delegations", delegations.ListDelegations()),
        ("coordinator add <@UCAROL|carol>", delegations.AddCoordinator("UCAROL")),
        ("objectives", delegations.ListObjectives()),
        (
            'objective edit sky name "Safe skies over the host nation"',
            delegations.EditObjective("SKY", name="Safe skies over the host nation"),
        ),
        ("objective edit SKY leads NM val", delegations.EditObjective("SKY", leads=("NM", "VAL"))),
        (
            'requirement add SKY 6 batteries "Medium-range air defence" critical enabler by 2027-03-01',
            requirements.AddRequirement(
                "SKY",
                6,
                "batteries",
                "Medium-range air defence",
                Priority.CRITICAL,
                True,
                date(2027, 3, 1),
            ),
        ),
        (
            "requirement add land 480 flight hours/month “Airborne surveillance”",
            requirements.AddRequirement("LAND", 480, "flight hours/month", "Airborne surveillance"),
        ),
        (
            'requirement add UAF 1,500,000,000 EUR/year "Equipment funding" desirable',
            requirements.AddRequirement(
                "UAF", 1_500_000_000, "EUR/year", "Equipment funding", Priority.DESIRABLE
            ),
        ),
        (
            'requirement add UAF 1.5bn EUR "Funding"',
            requirements.AddRequirement("UAF", 1_500_000_000, "EUR", "Funding"),
        ),
        (
            "requirement edit sky-2 quantity 8",
            requirements.EditRequirement("SKY-2", {"quantity": 8}),
        ),
        (
            "requirement edit SKY-2 priority Critical",
            requirements.EditRequirement("SKY-2", {"priority": Priority.CRITICAL}),
        ),
        (
            "requirement edit SKY-2 by 2027-01-31",
            requirements.EditRequirement("SKY-2", {"needed_by": date(2027, 1, 31)}),
        ),
        (
            "requirement edit SKY-2 by none",
            requirements.EditRequirement("SKY-2", {"needed_by": None}),
        ),
        (
            'requirement edit SKY-2 notes "US-dependent" enabler yes',
            requirements.EditRequirement("SKY-2", {"notes": "US-dependent", "enabler": True}),
        ),
        ("requirements", requirements.ListRequirements()),
        ("requirements sky", requirements.ListRequirements("SKY")),
        ("pledge", pledges.OpenPledgeForm()),
        ("ask", questions.OpenAskForm()),
        ("requirement add", requirements.OpenRequirementForm()),
        (
            "setup coordinators-channel <#C0COORD|coordinators>",
            setup.SetCoordinatorsChannel("C0COORD"),
        ),
        ("setup coordinators-channel C0COORD12", setup.SetCoordinatorsChannel("C0COORD12")),
        ("pledge SKY-2 1", pledges.MakePledge("SKY-2", 1)),
        ("PLEDGE sky-2 2 Confirmed", pledges.MakePledge("SKY-2", 2, PledgeStatus.CONFIRMED)),
        (
            "pledge SKY-2 1 indicated restricted if “subject to parliament”",
            pledges.MakePledge("SKY-2", 1, PledgeStatus.INDICATED, True, "subject to parliament"),
        ),
        (
            'pledge LAND-1 1 caveat "only from NATO territory" from 2027-02-01',
            pledges.MakePledge(
                "LAND-1", 1, caveats="only from NATO territory", available_from=date(2027, 2, 1)
            ),
        ),
        ("pledge update P-3 quantity 2", pledges.UpdatePledge(3, PledgeChange(quantity=2))),
        (
            "pledge update P-3 quantity 0.75",
            pledges.UpdatePledge(3, PledgeChange(quantity=Decimal("0.75"))),
        ),
        ("pledge LAND-1 0.25", pledges.MakePledge("LAND-1", Decimal("0.25"))),
        (
            "pledge LAND-1 1.5 confirmed",
            pledges.MakePledge("LAND-1", Decimal("1.5"), PledgeStatus.CONFIRMED),
        ),
        (
            'requirement add LAND 2.5 battlegroups "Reserve"',
            requirements.AddRequirement("LAND", Decimal("2.5"), "battlegroups", "Reserve"),
        ),
        (
            "pledge update p3 status confirmed unconditional",
            pledges.UpdatePledge(3, PledgeChange(status=PledgeStatus.CONFIRMED, condition="")),
        ),
        (
            'pledge update P-3 if "US backstop" coalition',
            pledges.UpdatePledge(3, PledgeChange(condition="US backstop", restricted=False)),
        ),
        ("withdraw P-3", pledges.Withdraw(3)),
        ('withdraw P-3 "parliament voted no"', pledges.Withdraw(3, "parliament voted no")),
        ("withdraw P-3 “parliament voted no”", pledges.Withdraw(3, "parliament voted no")),
        ("pledges", pledges.ListPledges()),
        ("pledges mine", pledges.ListPledges("mine")),
        ("pledges SKY-2", pledges.ListPledges("SKY-2")),
        ("pledges val", pledges.ListPledges("val")),
        ("ask Who provides air cover?", questions.Ask("Who provides air cover?")),
        ("ask SKY-3: who flies the AWACS?", questions.Ask("who flies the AWACS?", "SKY-3")),
        (
            "ask sea: passage into the Black Sea?",
            questions.Ask("passage into the Black Sea?", "SEA"),
        ),
        ('ask What does "backstop" mean?', questions.Ask('What does "backstop" mean?')),
        ("ask Is R&amp;D &lt;funded&gt;?", questions.Ask("Is R&D <funded>?")),
        ("answer Q-2 Yes, from day one.", questions.AnswerQuestion(2, "Yes, from day one.")),
        (
            'answer Q-2 "Yes, from day one." publish',
            questions.AnswerQuestion(2, "Yes, from day one.", publish=True),
        ),
        (
            "answer Q-2 “Yes, from day one.” PUBLISH",
            questions.AnswerQuestion(2, "Yes, from day one.", publish=True),
        ),
        (
            'answer Q-2 The co-chairs will "publish"',
            questions.AnswerQuestion(2, 'The co-chairs will "publish"'),
        ),
        ("question duplicate Q-4 of Q-2", answers.LinkDuplicate(4, 2)),
        ("question duplicate q4 Q-2", answers.LinkDuplicate(4, 2)),
        ("questions", questions.ListQuestions("open")),
        ("questions ALL", questions.ListQuestions("all")),
        ("question close Q-2", questions.SetQuestionStatus(2, QuestionStatus.CLOSED)),
        ("question reopen q-2", questions.SetQuestionStatus(2, QuestionStatus.OPEN)),
        ("status", reports.Status()),
        ("status land", reports.Status("LAND")),
        ("gaps", reports.Gaps()),
        ("history p-3", reports.ShowHistory("P-3")),
        ("history SKY-2", reports.ShowHistory("SKY-2")),
    ],
)
def test_valid_forms(text: str, expected: object) -> None:
    assert parsed(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pldge SKY-2 1", "Did you mean `/muster pledge`"),
        ("statsu", "Did you mean `/muster status`"),
        ("delegation", "Did you mean `/muster delegation add` or `/muster delegation member`"),
        ("frobnicate", "Unknown subcommand `frobnicate`"),
        ("help nonsense", "no help topic"),
        ("delegation add", "Name the delegation"),
        ("delegation add NM", "needs a name"),
        ("delegation member NM alice", "not a user mention"),
        ("delegation member NM", "at least one user"),
        ("coordinator add", "exactly one user"),
        ("delegations extra", "did not understand"),
        ("requirement add SKY", "quantity is missing"),
        ("setup coordinators-channel", "Name the channel"),
        ("setup coordinators-channel general", "Name the channel"),
        ('requirement add SKY lots batteries "x"', "not a quantity"),
        ('requirement add SKY 0 batteries "x"', "above zero"),
        ('requirement add SKY 2.555 batteries "x"', "more than two decimal places"),
        ('requirement add SKY 2,5 batteries "x"', "decimal comma: write 2.5"),
        ("requirement add SKY 6 batteries air defence", "title in quotes"),
        ('requirement add SKY 6 "Air defence"', "Give the unit"),
        ('requirement add SKY 6 batteries "x" vital', "did not understand 'vital'"),
        ('requirement add SKY 6 batteries "x" by 1 March', "not a date"),
        ("requirement edit SKY-2", "Say what to change"),
        ("requirement edit SKY-2 quantity", "Give a value"),
        ("requirement edit SKY-2 colour red", "cannot change"),
        ("requirement edit SKY-2 priority urgent", "not a priority"),
        ("pledge SKY 1", "not a requirement code"),
        ("pledge SKY-2", "quantity is missing"),
        ("pledge SKY-2 -1", "is negative"),
        ("pledge LAND-1 1,5", "'1,5' has a decimal comma: write 1.5, with a point."),
        ("pledge LAND-1 0", "'0' is zero"),
        ("pledge LAND-1 0.125", "'0.125' has more than two decimal places"),
        ("pledge UAF-2 99999999999999999999999", "too large"),
        ("delegation member ZZ @walter", "not a user mention"),
        ("pledge SKY-2 1 if US backstop", "condition in quotes"),
        ("pledge SKY-2 1 maybe", "did not understand 'maybe'"),
        ("pledge SKY-2 1 withdrawn", "did not understand"),
        ("pledge update P-3", "Say what to change"),
        ("pledge update 3 quantity 2", "not a pledge reference"),
        ("pledge update P-3 status maybe", "Status is one of"),
        ("withdraw", "Which pledge"),
        ("withdraw Q-3", "not a pledge reference"),
        ("pledges SKY-2 VAL", "one scope"),
        ("answer Q-2", "Write the answer"),
        ("answer 2 yes", "not a question reference"),
        ("answer Q-2 publish", 'put it in quotes: `/muster answer Q-2 "<answer>" publish`'),
        (
            "answer Q-1 No: the ROE annex is national, we will not publish",
            'put it in quotes: `/muster answer Q-1 "<answer>" publish`',
        ),
        ('answer Q-2 "" publish', "Write the answer inside the quotes."),
        ("question duplicate Q-4", "Which question does Q-4 ask again?"),
        ("question duplicate Q-4 of SKY-1", "not a question reference"),
        ("question duplicate Q-4 of Q-2 please", "did not understand 'please'"),
        ("questions closed", "List `open` or `all`"),
        ("question close", "Which question"),
        ("status SKY LAND", "did not understand"),
        ("history", "Which pledge"),
    ],
)
def test_invalid_forms_say_what_was_wrong_and_the_right_form(text: str, message: str) -> None:
    with pytest.raises(BadInput) as raised:
        parse_command(text)
    assert message in str(raised.value)
    assert len(str(raised.value)) < 400


def test_errors_carry_the_usage_line() -> None:
    with pytest.raises(BadInput) as raised:
        parse_command("pledge SKY-2")
    assert "Usage: `/muster pledge <REQ> <quantity>" in str(raised.value)
