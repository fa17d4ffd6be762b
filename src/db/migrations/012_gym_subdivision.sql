-- A gym's subdivision for its regional public holidays (issue 17: a Scottish gym is not called on 2 January, a
-- Texan one on the day after Thanksgiving). `region` stays the ISO 3166-1 country of the number (007); this is the
-- ISO 3166-2 subdivision inside it without the country, as date-holidays names its states ("TX", "SCT", "NSW").

ALTER TABLE gyms
  ADD COLUMN subdivision         text CHECK (subdivision IS NULL OR subdivision ~ '^[A-Z0-9]{1,3}$'),
  -- Where it came from: the list's column, its address, the number's area code, or nothing found ('none', so a
  -- later list knows it was looked for). NULL for gyms that only calls created, or imported before this column.
  ADD COLUMN subdivision_source  text CHECK (subdivision_source IS NULL OR
                                             subdivision_source IN ('row', 'address', 'number', 'none')),
  ADD CONSTRAINT gyms_subdivision_found_check
    CHECK ((subdivision IS NOT NULL) = (subdivision_source IS NOT NULL AND subdivision_source <> 'none'));

-- An import's change of a gym's subdivision is kept like its other fields'.
ALTER TABLE gym_changes DROP CONSTRAINT gym_changes_field_check;
ALTER TABLE gym_changes ADD CONSTRAINT gym_changes_field_check
  CHECK (field IN ('created', 'name', 'address', 'timezone', 'language', 'subdivision'));
