import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * A setting given as inline JSON or as the path of a JSON file (COST_PRICES, FLOWS), read and checked against
 * `schema`: a file that cannot be read, text that is not JSON, or any field the schema refuses stops start-up with one
 * CONFIG_INVALID error naming every problem as `NAME.path.to.field: message`.
 */
export function parseJsonSetting<T>(name: string, setting: string, schema: z.ZodType<T>, what: string): T {
  let text = setting;
  if (!setting.trimStart().startsWith('{')) {
    try {
      text = readFileSync(setting, 'utf8');
    } catch (e) {
      throw new AppError('CONFIG_INVALID', `${name}: cannot read ${setting}: ${(e as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `${name}: not JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${[name, ...i.path].join('.')}: ${i.message}`);
    throw new AppError('CONFIG_INVALID', `invalid ${what}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
