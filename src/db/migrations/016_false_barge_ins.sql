-- Analytics (issue 18 item 2): how often a call's agent stopped for a caller who was not speaking. The call machine
-- counts these false barge-ins (a voice onset that paused the agent, then no words came and it resumed: machines/
-- turn.actions.ts noteFalseInterruption); until now the count only reached the log line and the metrics, so no
-- report over past calls could show it. Real interruptions need no column: they are the agent turns stored with
-- `interrupted` (001). NULL for calls that ended before this migration or never reached the machine's end.
ALTER TABLE calls ADD COLUMN false_barge_ins integer CHECK (false_barge_ins IS NULL OR false_barge_ins >= 0);
