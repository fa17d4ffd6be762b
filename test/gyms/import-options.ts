// The import options the gym import tests share: numbers without a country code read as US ones, the default
// destinations (US, CA, GB, IE, AU, NZ), New York for a number without a zone, a fixed clock.
import type { ImportOptions } from '../../src/gyms/import.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';

export const IMPORT_OPTIONS: ImportOptions = {
  format: 'csv',
  region: 'US',
  destinations: { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES },
  defaultTimeZone: 'America/New_York',
  via: 'cli',
  now: () => new Date('2026-03-01T12:00:00Z'),
};
