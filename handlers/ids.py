"""Every command name, action id, callback id and form field id, in one place."""

COMMAND = "/muster"

# Buttons
ACTION_PLEDGE = "muster.pledge"  # value: a requirement code
ACTION_ANSWER = "muster.answer"  # value: a question reference

# Modals
CALLBACK_PLEDGE = "muster.pledge_form"
CALLBACK_ASK = "muster.ask_form"
CALLBACK_ANSWER = "muster.answer_form"
CALLBACK_REQUIREMENT = "muster.requirement_form"

# Every input in a form uses this action id; the block id names the field.
FIELD_ACTION = "value"
