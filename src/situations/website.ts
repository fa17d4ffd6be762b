import { BOUNDARY, tokens } from './words.js';

// A web address as a person says it ("iron temple gym dot com slash prices", "w w w dot irontemple dot co dot
// uk") or as a cloud recogniser writes it ("IronTempleGym.com/prices"). The host's words run back from the first
// "dot" to a word that cannot be part of it ("at", "on", "visit", "website"...), joined without spaces, since a
// speaker reads a name like irontemplegym as the words it is made of. In Spanish the same address is "gimnasio toro
// punto com punto mx diagonal precios", "guion" for the dash: those words are read as the English ones (SPOKEN_ES).

const TLDS = new Set([
  'com',
  'net',
  'org',
  'co',
  'uk',
  'ie',
  'au',
  'nz',
  'ca',
  'us',
  'io',
  'fit',
  'fitness',
  'gym',
  'club',
  'info',
  'biz',
  'app',
  'studio',
  'health',
  'life',
  'online',
  'site',
  'website',
  // Spanish-speaking countries' domains (es, mx, ar, cl, pe; co is above).
  'es',
  'mx',
  'ar',
  'cl',
  'pe',
]);
/** The Spanish words of an address said aloud, as the English ones ("punto com" → "dot com"). */
const SPOKEN_ES: Readonly<Record<string, string>> = {
  punto: 'dot',
  guion: 'dash',
  diagonal: 'slash',
  barra: 'slash',
};
const NOT_HOST = new Set([
  'at',
  'on',
  'to',
  'visit',
  'website',
  'site',
  'web',
  'page',
  'is',
  'its',
  "it's",
  'our',
  'the',
  'check',
  'go',
  'out',
  'see',
  'look',
  'under',
  'just',
  'called',
  'and',
  'or',
  'it',
  'online',
  'find',
  'from',
  'address',
  'a',
  // Spanish: "en nuestra página web", "visite", "el sitio es", "está en".
  'en',
  'es',
  'esta',
  'nuestra',
  'nuestro',
  'pagina',
  'sitio',
  'visite',
  'visitenos',
  'vea',
  'consulte',
  'la',
  'el',
  'de',
  'y',
  'o',
  'direccion',
  'internet',
]);
const WRITTEN =
  /\b((?:[a-z0-9-]+\.)+(?:com|net|org|co|uk|ie|au|nz|ca|us|io|fit|fitness|gym|club|info|biz|app|studio|health|life|online|site|es|mx|ar|cl|pe))((?:\/[a-z0-9._~-]+)*)\/?/i;

function spoken(toks: readonly string[]): string | undefined {
  const dot = toks.findIndex((t, i) => t === 'dot' && i > 0 && TLDS.has(toks[i + 1] ?? ''));
  if (dot < 0) return undefined;
  // Back from the top-level "dot" over the host's words and any earlier "dot"s ("w w w dot iron temple").
  const labels: string[][] = [[]];
  let words = 0;
  for (let i = dot - 1; i >= 0 && words < 6; i--) {
    const w = toks[i] as string;
    if (w === 'dot' && (labels[0] as string[]).length > 0) {
      labels.unshift([]);
      continue;
    }
    if (NOT_HOST.has(w) || w === BOUNDARY || w === 'dot') break;
    (labels[0] as string[]).unshift(w);
    words++;
  }
  if ((labels[0] as string[]).length === 0) labels.shift();
  if (labels.length === 0) return undefined;
  const parts = labels.map((l) => l.join(''));
  let i = dot;
  while (toks[i] === 'dot' && /^[a-z0-9-]+$/.test(toks[i + 1] ?? '')) {
    parts.push(toks[i + 1] as string);
    i += 2;
  }
  const host = parts.join('.');
  let path = '';
  while (
    (toks[i] === 'slash' || toks[i] === 'forward') &&
    /^[a-z0-9]+$/.test(toks[i + (toks[i] === 'forward' ? 2 : 1)] ?? '')
  ) {
    if (toks[i] === 'forward') i++;
    let seg = toks[i + 1] as string;
    i += 2;
    while (toks[i] === 'dash' && /^[a-z0-9]+$/.test(toks[i + 1] ?? '')) {
      seg += `-${toks[i + 1] as string}`;
      i += 2;
    }
    path += `/${seg}`;
  }
  return `${host}${path}`;
}

/** The web address in `text`, lower case, without scheme ("irontemplegym.com/prices"), or undefined. */
export function websiteIn(text: string): string | undefined {
  const w = WRITTEN.exec(text.replace(/https?:\/\//gi, ''));
  if (w !== null) return `${(w[1] as string).toLowerCase()}${(w[2] ?? '').toLowerCase().replace(/\.+$/, '')}`;
  return spoken(tokens(text.replace(/\.(?=[a-z])/gi, ' dot ')).map((w) => SPOKEN_ES[w] ?? w));
}
