-- Languages (issue 19): the language a campaign's calls are held in when the gym's own row names none it can be
-- held in (gyms.language, a BCP 47 tag from the list since 007), and the language each call started in. Both are
-- the languages the agent speaks (src/language/: 'en', 'es'); NULL: not chosen (a campaign: the gym's or
-- CALL_LANGUAGE; a call stored before this migration).

ALTER TABLE campaigns
  ADD COLUMN language text CHECK (language IS NULL OR language IN ('en', 'es'));

ALTER TABLE calls
  ADD COLUMN language text CHECK (language IS NULL OR language IN ('en', 'es'));
