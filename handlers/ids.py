"""Every command name, action id, callback id and form field id, in one place."""

COMMAND = "/muster"

# Buttons
ACTION_PLEDGE = "muster.pledge"  # value: a requirement code
ACTION_ANSWER = "muster.answer"  # value: a question reference
# A reconfirmation request's buttons; value: a pledge reference
ACTION_STILL_VALID = "muster.still_valid"
ACTION_CHANGE_PLEDGE = "muster.change_pledge"
ACTION_WITHDRAW_PLEDGE = "muster.withdraw_pledge"
ACTION_CALL_PLEDGE = "muster.call_pledge"  # value: a call reference, C-3
ACTION_CALL_ASK = "muster.call_ask"  # value: a call reference
ACTION_DECLINE = "muster.decline"  # value: a call reference

# Modals
CALLBACK_PLEDGE = "muster.pledge_form"
CALLBACK_ASK = "muster.ask_form"
CALLBACK_ANSWER = "muster.answer_form"
CALLBACK_REQUIREMENT = "muster.requirement_form"
CALLBACK_PLEDGE_CHANGE = "muster.pledge_change_form"
CALLBACK_PLEDGE_WITHDRAW = "muster.pledge_withdraw_form"
CALLBACK_CALL_ASK = "muster.call_ask_form"
CALLBACK_DECLINE = "muster.decline_form"

# Every input in a form uses this action id; the block id names the field.
FIELD_ACTION = "value"
