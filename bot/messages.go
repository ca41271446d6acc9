package bot

// Fixed texts the bot says. Kind, short, and never including raw input.
const (
	msgSorry = "Sorry, something went wrong on my side and I could not finish that. " +
		"Nothing you stored was lost; please try again in a moment."
	// msgNotSure answers a question no topic fits well, above the closest
	// topics as buttons: never a tip that does not fit.
	msgNotSure     = "I'm not sure I have a tip for that. Is it about one of these?"
	msgNotSureMore = "Or ask in other words, or type `/lead-tip topics` to see every topic."
)

// msgNotSaved keeps a form open when what it carries could not be stored.
const msgNotSaved = "Sorry, I could not save that just now. Please try again in a moment."

const msgTipGone = "That tip is no longer in the library. Try `/lead-tip` for a fresh one."

const msgStrayDM = "I only keep messages that answer a nudge, so I have not stored this one. " +
	"To ask me something, type `/lead-tip your question`."

// strayTipMin is the length from which a stray DM gets a tip as well: a
// "thanks!" is not a question.
const strayTipMin = 20

const msgNudgeForgotten = "I no longer have this nudge: it was deleted with the rest of your data. " +
	"`/lead-tip start` gives you new ones."

const msgNotYours = "That button belongs to someone else's nudge, so I left it alone. Your own nudges are in your DMs with me."

const msgLookBackKept = "Thank you. I have kept this with what you wrote back then: both are in `/lead-tip history` and your export."

// Answers to /lead-tip nudge when it was not sent at once. A nudge Slack
// did not take stays claimed and is sent by the recovery pass a few
// minutes later: asking again would make two.
const (
	msgNudgePending = "One is on its way already: it will be in your DMs with me within a few minutes, if it is not there yet. " +
		"No need to ask again."
	msgNudgeLate = "Your nudge is on its way: I could not confirm it just now, so I will see to it by myself. " +
		"It will be in your DMs with me within a few minutes, if it is not there already. No need to ask again."
	msgNudgeRefused = "Sorry, I could not send your nudge: Slack would not let me post it in our DM, so asking again will not help. " +
		"If you have turned off messages from apps, turning them back on should fix it."
	msgNudgeBroken = "Sorry, I could not send your nudge: Slack refused it for a reason on my side, so asking again will not help. " +
		"The person who installed me can see why in my logs."
)
