-- Twilio's asynchronous answering-machine verdict (AMD=async), once per call: the primary key makes the first
-- callback win however many replicas receive copies of it, so the call machine hears AMD.RESULT exactly once
-- (src/telephony/amd.ts). The verdict also appears as the call's answered_by (its status history).
CREATE TABLE amd_results (
  call_id       text PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
  answered_by   text NOT NULL,
  detection_ms  integer,
  received_at   timestamptz NOT NULL DEFAULT now()
);
