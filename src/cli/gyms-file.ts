import { readFile, stat } from 'node:fs/promises';
import { MAX_FILE_BYTES } from '../gyms/import-parse.js';

/**
 * A gyms file's text for `gyms import` and `campaign create --gyms`, or why it cannot be imported. The size is
 * checked before the file is read, so pointing the command at a huge file never loads it into memory.
 */
export async function readGymsFile(path: string): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const size = await stat(path).then(
    (st) => st.size,
    () => undefined,
  );
  if (size === undefined) return { ok: false, message: `cannot read ${path}` };
  if (size > MAX_FILE_BYTES) return { ok: false, message: `FILE is over ${MAX_FILE_BYTES} bytes` };
  try {
    return { ok: true, text: await readFile(path, 'utf8') };
  } catch {
    return { ok: false, message: `cannot read ${path}` };
  }
}
