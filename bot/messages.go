package bot

// Fixed texts the bot says. Kind, short, and never including raw input.
const (
	msgSorry = "Sorry, something went wrong on my side and I could not finish that. " +
		"Nothing you stored was lost; please try again in a moment."
	msgNoMatch = "I could not find a tip that fits those words well, so here is one that helps most new managers."
)

const msgTipGone = "That tip is no longer in the library. Try `/lead-tip` for a fresh one."

const msgStrayDM = "Thanks for the message. I keep what you write here with your nudges for two days after each one; " +
	"this one I have not stored. Here is a tip that may fit, and `/lead-tip help` shows what else I can do."

const msgNotYours = "That button belongs to someone else's nudge, so I left it alone. Your own nudges are in your DMs with me."
