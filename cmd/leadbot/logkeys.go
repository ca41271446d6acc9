package main

// Attribute keys for the structured logs written here (the bot's own are
// in bot/logkeys.go). Values are ids, addresses and errors, never tokens.
const (
	keyErr  = "err"
	keyAddr = "addr"
)
