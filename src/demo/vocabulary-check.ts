import { CLASS_NAMES } from './class-names.js';

// What a persona may say: the offline recogniser only knows a closed vocabulary, so the receptionist must
// stay inside it. Times on the quarter hour, whole-dollar prices up to 999, the known class names.

export function checkTime(t: string, what: 'opens' | 'closes'): string | undefined {
  const m = /^(\d\d):(\d\d)$/.exec(t);
  if (!m) return `"${t}" is not a time in HH:MM (24-hour) form`;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0) return what === 'closes' ? undefined : '"24:00" can only be a closing time';
  if (h > 23 || min > 59) return `"${t}" is not a valid time`;
  if (min % 15 !== 0) return `"${t}" is not on the quarter hour (supported: :00, :15, :30, :45)`;
  return undefined;
}

export function checkPriceAmount(amount: number): string | undefined {
  if (!Number.isInteger(amount) || amount < 1 || amount > 999)
    return `${amount} is outside the supported prices (whole dollars from 1 to 999)`;
  return undefined;
}

export function checkClassName(name: string): string | undefined {
  const n = name.trim().toLowerCase();
  if (CLASS_NAMES.includes(n)) return undefined;
  return `"${name}" is not a supported class name (supported: ${CLASS_NAMES.join(', ')})`;
}
