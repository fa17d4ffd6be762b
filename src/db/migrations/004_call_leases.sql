-- Which server process still runs a live call. Every replica renews the lease of each call it holds (admitted,
-- ringing or streaming) every few seconds; a call that is not ended and whose lease stopped being renewed (its
-- server crashed or was killed) cannot still be live, and any replica ends it (src/db/call-leases.ts).
CREATE TABLE call_leases (
  call_id      text PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
  instance_id  text NOT NULL,
  renewed_at   timestamptz NOT NULL
);
-- The sweep looks only at calls not ended yet.
CREATE INDEX calls_unended_idx ON calls (updated_at) WHERE ended_at IS NULL;
