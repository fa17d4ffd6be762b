-- What kind of turn it was, from the call machine's ledger: the agent turn's reason (greeting, reply,
-- reprompt, closing...) and utterances, the caller turn's endpoint decision (short, long, max, hangup).
ALTER TABLE turns ADD COLUMN detail jsonb;
