import type { Key, MenuOption } from './menu.js';

// Keys a recogniser misheard. Through the phone band the offline recogniser writes "press one" and "press zero" as
// "press two" (test/demo/line-hearing.test.ts), and a cloud recogniser confuses number words too. A menu that
// offers one key for two different things has been misheard, and the menu itself says which key was meant: its
// options count up (1, 2, 3 …) in the order they are said, so each clashing option takes the lowest key that keeps
// that order among the keys nobody else claims. An option whose place leaves no such key is the operator's 0 when
// 0 is free (the one key menus say out of order, and the one "zero" the recogniser loses), else it is dropped: a
// key that may lead somewhere else is never pressed for it.

const isCounted = (k: Key) => k >= '1' && k <= '9';

/**
 * The options in the order heard, each with the key the menu's order says, exact repeats said once. A menu heard
 * twice (it plays again while nobody presses) is repaired play by play: another play begins when the keys start
 * counting again from the first one.
 */
export function repairKeys(heard: readonly MenuOption[]): MenuOption[] {
  return plays(heard).flatMap(repairPlay);
}

function plays(heard: readonly MenuOption[]): MenuOption[][] {
  const out: MenuOption[][] = [];
  let current: MenuOption[] = [];
  for (const o of heard) {
    const counted = current.filter((x) => isCounted(x.key)).map((x) => Number(x.key));
    const k = Number(o.key);
    if (isCounted(o.key) && counted.length > 0 && k <= (counted[0] as number) && counted.some((x) => x > k)) {
      out.push(current);
      current = [];
    }
    current.push(o);
  }
  if (current.length > 0) out.push(current);
  return out;
}

function repairPlay(heard: readonly MenuOption[]): MenuOption[] {
  const seen = new Set<string>();
  const list = heard.filter((o) => {
    const id = `${o.key}|${o.label}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  const labels = new Map<Key, Set<string>>();
  for (const o of list) labels.set(o.key, (labels.get(o.key) ?? new Set()).add(o.label));
  const clashes = (k: Key) => isCounted(k) && (labels.get(k)?.size ?? 0) > 1;
  if (!list.some((o) => clashes(o.key))) return list;
  const taken = new Set<Key>(list.filter((o) => !clashes(o.key)).map((o) => o.key));
  const out: MenuOption[] = [];
  for (const [i, o] of list.entries()) {
    if (!clashes(o.key)) {
      out.push(o);
      continue;
    }
    // The counted keys said around it (not its own, which is in doubt, nor 0 and the symbols, said anywhere).
    const before = list.slice(0, i).filter((x) => isCounted(x.key) && x.key !== o.key);
    const after = list.slice(i + 1).find((x) => isCounted(x.key) && x.key !== o.key);
    const lo = Number(before[before.length - 1]?.key ?? '0');
    const hi = Number(after?.key ?? '10');
    let key: Key | undefined;
    for (let d = lo + 1; d < hi && key === undefined; d++) {
      const k = String(d) as Key;
      if (!taken.has(k)) key = k;
    }
    if (key === undefined && !taken.has('0')) key = '0';
    if (key === undefined) continue;
    taken.add(key);
    out.push({ key, label: o.label });
  }
  return out;
}
