"""Every command name, action id and callback id the app listens for, in one place."""

COMMAND = "/muster"

# Interactive components arrive with these ids (used from the next milestone on).
ACTION_PLEDGE = "muster.pledge"
ACTION_ANSWER = "muster.answer"
CALLBACK_PLEDGE_MODAL = "muster.pledge_modal"
CALLBACK_ASK_MODAL = "muster.ask_modal"
CALLBACK_ANSWER_MODAL = "muster.answer_modal"
