"""`/muster pledge classify` through the Bolt app: a coordinator corrects a pledge's
condition class, the reply names the pledge and both classes, and the lists, the
history and a delegation's later rewording all keep the correction."""

from __future__ import annotations

from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OWN
from tests.support.slack import SlashCommands


def test_a_coordinator_corrects_a_class_and_every_reply_keeps_it(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    reply = muster_cmd(COORDINATOR, "pledge classify p-1 European").text
    assert reply.startswith("Pledge P-1 classified")
    assert (
        "Condition class: US enablers or backstop → another nation's or a European backstop"
        in reply
    )
    marked = "if “US backstop” (another nation's or a European backstop, set by a coordinator)"
    assert marked in reply
    assert "even if the delegation rewords the condition" in reply
    assert marked in muster_cmd(OWN, "pledges SKY-1").text
    history = muster_cmd(OWN, "history P-1").text
    assert f"P-1 classified by <@{COORDINATOR}>: condition kind us → other_backstop" in history
    # The delegation rewords its condition: the coordinator's class stays.
    updated = muster_cmd(OWN, 'pledge update P-1 if "a UK-led backstop and a vote in parliament"')
    assert "(another nation's or a European backstop, set by a coordinator)" in updated.text
    # `auto` hands it back to the rules, which read the new wording.
    back = muster_cmd(COORDINATOR, "pledge classify P-1 auto").text
    assert (
        "Condition class: another nation's or a European backstop → "
        "another nation's or a European backstop" in back
    )
    assert "Filed by the rules again" in back
    assert "(another nation's or a European backstop)" in back


def test_class_words(coalition: Muster, muster_cmd: SlashCommands) -> None:
    for words, label in [
        ("US", "US enablers or backstop"),
        ("other backstop", "another nation's or a European backstop"),
        ("NATIONAL", "national or parliamentary approval"),
        ("mandate", "mandate, ceasefire or host-nation invitation"),
        ("other", "other conditions"),
    ]:
        reply = muster_cmd(COORDINATOR, f"pledge classify P-1 {words}").text
        assert f"if “US backstop” ({label}, set by a coordinator)" in reply, reply


def test_refusals_say_what_to_write(coalition: Muster, muster_cmd: SlashCommands) -> None:
    usage = "Usage: `/muster pledge classify <P-n> us|other-backstop|national|mandate|other|auto`"
    missing = muster_cmd(COORDINATOR, "pledge classify P-1").text
    assert "Say which class: us, other-backstop (or european), national, mandate, other" in missing
    assert usage in missing
    assert "'weather' is not a class" in muster_cmd(COORDINATOR, "pledge classify P-1 weather").text
    assert (
        "P-2 has no condition to classify" in muster_cmd(COORDINATOR, "pledge classify P-2 us").text
    )
    assert (
        "Only coordinators can classify pledges" in muster_cmd(OWN, "pledge classify P-1 us").text
    )
